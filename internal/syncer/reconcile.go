package syncer

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/store"
)

// Reconcile finds hosts that CSAM no longer returns, which the API never
// reports: it scans ids only (includeFields=assetId, so each page is a few
// kilobytes), marks every id seen, then retires the connector's active
// hosts that were not seen. Hosts that reappear are reactivated. The scan
// checkpoints its cursor like a sync and resumes the same way.
func Reconcile(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	lc, ok := o.Store.(store.Lifecycle)
	if !ok {
		return Result{}, fmt.Errorf("reconcile: the store does not support host retirement")
	}
	start := o.Now()
	res := Result{}
	q := o.Query
	q.IncludeFields, q.ExcludeFields = []string{"assetId"}, nil
	q.AssetLastUpdated = time.Time{}

	var (
		run   store.Run
		cp    checkpoint
		stats store.RunStats
	)
	if prev, err := o.Store.UnfinishedRun(ctx, o.ResumeKey); err == nil && prev.Checkpoint != "" &&
		json.Unmarshal([]byte(prev.Checkpoint), &cp) == nil && cp.V == 1 && len(cp.Parts) == 1 {
		run, stats, res.Resumed = prev, prev.Stats, true
	} else {
		var err error
		cp = checkpoint{V: 1, Parts: []partition{{}}}
		run, err = o.Store.StartRun(ctx, store.RunStart{Connector: o.Connector, Mode: ModeReconcile, Started: start, ResumeKey: o.ResumeKey})
		if err != nil {
			return res, fmt.Errorf("record run start: %w", err)
		}
	}
	res.Run = run
	before := o.Client.Stats()
	runErr := func() error {
		q.LastSeenAssetID = cp.Parts[0].Cursor
		var uids []string
		wctx := context.WithoutCancel(ctx)
		for item, err := range o.Client.Scan(ctx, q) {
			if err != nil {
				return err
			}
			if item.Asset != nil {
				uids = append(uids, strconv.FormatInt(item.Asset.AssetID, 10))
				continue
			}
			if item.Page == nil {
				continue
			}
			if _, err := lc.MarkSeen(wctx, run.ID, uids, o.Now()); err != nil {
				return fmt.Errorf("mark seen: %w", err)
			}
			uids = uids[:0]
			cp.Parts[0].Cursor, cp.Parts[0].Done = item.Page.NextCursor, item.Page.Done
			stats.Pages++
			stats.Assets += int64(item.Page.Assets)
			cpText, err := json.Marshal(cp)
			if err != nil {
				return err
			}
			if _, err := o.Store.WritePage(wctx, run.ID, nil, stats, string(cpText), o.Now()); err != nil {
				return fmt.Errorf("checkpoint: %w", err)
			}
			if o.Progress != nil {
				o.Progress(Progress{Done: stats.Assets, Pages: stats.Pages, Elapsed: o.Now().Sub(start)})
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		retired, err := lc.RetireUnseen(wctx, run.ID, o.Now())
		stats.HostsRetired += retired
		return err
	}()
	after := o.Client.Stats()
	stats.APICalls += after.APICalls - before.APICalls
	stats.Retries += after.Retries - before.Retries
	res.Bytes = after.BytesRead - before.BytesRead
	res.RateLimitWaits = after.RateLimitWaits - before.RateLimitWaits
	res.WaitTime = after.WaitTime - before.WaitTime
	return o.finish(ctx, res, run.ID, stats, start, runErr)
}
