// Package syncer is the sync engine: it drives the CSAM client over one or
// more asset-id ranges, maps every asset into the unified model and commits
// each page to the store in one transaction together with a resume
// checkpoint. A run that dies leaves every committed page whole; the next run
// with the same resume key continues from the checkpoint.
//
// It knows the client, the mapping and the store interfaces; it knows
// nothing of HTTP details, SQL or the emulator.
package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/mapping"
	"github.com/csamsync/csamsync/internal/model"
	"github.com/csamsync/csamsync/internal/store"
)

// Modes of a run.
const (
	ModeFull      = "full"
	ModeDelta     = "delta"
	ModeReconcile = "reconcile" // ids-only scan that retires hosts CSAM no longer returns
)

// Options configure one run.
type Options struct {
	Client    *client.Client
	Store     store.Store
	Query     client.AssetQuery // filters, page size, fields, delta watermark
	Parallel  int               // concurrent cursors (id ranges); default 2
	Mode      string            // ModeFull (default) or ModeDelta
	Connector string            // "" for an ad-hoc sync
	ResumeKey string            // identifies the run's arguments for resume
	Logger    *slog.Logger
	// Progress, when set, is called after every committed page.
	Progress func(Progress)
	// TransferOnly fetches and decodes the same pages but neither maps nor
	// stores the assets: the baseline that sync benchmarks compare against.
	TransferOnly bool
	Now          func() time.Time
}

// Progress is a snapshot for progress bars and log lines.
type Progress struct {
	Done, Total int64 // assets
	Pages       int64
	Bytes       int64
	Elapsed     time.Duration
}

// Result summarises a run.
type Result struct {
	Run      store.Run
	Total    int64 // assets the count API announced
	Bytes    int64 // API JSON read
	Duration time.Duration
	Resumed  bool
	// RateLimitWaits and WaitTime are the waits the server ordered
	// (409/429 with X-RateLimit-ToWait-Sec or Retry-After).
	RateLimitWaits int64
	WaitTime       time.Duration
}

// checkpoint is the resume state committed with every page.
type checkpoint struct {
	V     int         `json:"v"`
	Total int64       `json:"total"`
	Parts []partition `json:"parts"`
}

// partition is one asset-id range (lo, hi] read by its own cursor; hi 0
// means unbounded.
type partition struct {
	Lo     int64 `json:"lo"`
	Hi     int64 `json:"hi"`
	Cursor int64 `json:"cursor"`
	Done   bool  `json:"done"`
}

// A batch is committed when it holds commitHosts hosts or commitWeight
// rows (installed packages, plus packages counted packageWeight times for
// their large attribute sets). A 300-asset page with full software lists
// maps to ~50 MB of records; committing it in slices keeps memory flat
// whatever the page size. The checkpoint of each slice is the largest
// asset id it holds: CSAM's cursor is an asset id, so a run resumes
// exactly after the last committed host.
const (
	commitHosts   = 100
	commitWeight  = 12000
	packageWeight = 4
)

// batch is a slice of a page on its way to the writer.
type batch struct {
	part    int
	page    int // API page number within the range
	records []model.HostRecord
	encoded *store.Page // records prepared for the writer, or nil
	assets  int         // assets read from the API
	skipped int         // duplicates and assets that could not be mapped
	cursor  int64       // resume point after this batch
	pageEnd bool        // the last batch of an API page
	done    bool        // the range is complete
	bytes   int64       // API JSON read (counted at page end)
}

// Run performs one sync run. It returns the recorded run even on failure.
func Run(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	start := o.Now()
	log := o.Logger

	res := Result{}
	callsBefore := o.Client.Stats()
	total, err := o.Client.Count(ctx, o.Query)
	if err != nil {
		return res, fmt.Errorf("count assets: %w", err)
	}
	res.Total = total

	var (
		run   store.Run
		cp    checkpoint
		stats store.RunStats
	)
	if prev, err := o.Store.UnfinishedRun(ctx, o.ResumeKey); err == nil && prev.Checkpoint != "" {
		if jerr := json.Unmarshal([]byte(prev.Checkpoint), &cp); jerr == nil && cp.V == 1 && len(cp.Parts) > 0 {
			run, stats, res.Resumed = prev, prev.Stats, true
			log.Info("resuming run from its checkpoint", "run", prev.ID, "pages", prev.Stats.Pages, "assets", prev.Stats.Assets)
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return res, fmt.Errorf("look for an unfinished run: %w", err)
	}
	if !res.Resumed {
		parts, err := planPartitions(ctx, o.Client, o.Query, total, o.Parallel)
		if err != nil {
			return res, fmt.Errorf("plan id ranges: %w", err)
		}
		cp = checkpoint{V: 1, Total: total, Parts: parts}
		run, err = o.Store.StartRun(ctx, store.RunStart{Connector: o.Connector, Mode: o.Mode, Started: start, ResumeKey: o.ResumeKey})
		if err != nil {
			return res, fmt.Errorf("record run start: %w", err)
		}
	}
	res.Run = run

	runErr := o.pipeline(ctx, run.ID, &cp, &stats, total, start)

	after := o.Client.Stats()
	stats.APICalls += after.APICalls - callsBefore.APICalls
	stats.Retries += after.Retries - callsBefore.Retries
	res.Bytes = after.BytesRead - callsBefore.BytesRead
	res.RateLimitWaits = after.RateLimitWaits - callsBefore.RateLimitWaits
	res.WaitTime = after.WaitTime - callsBefore.WaitTime
	return o.finish(ctx, res, run.ID, stats, start, runErr)
}

// finish records the end of a run (even when ctx was cancelled) and
// returns the recorded run.
func (o *Options) finish(ctx context.Context, res Result, runID int64, stats store.RunStats, start time.Time, runErr error) (Result, error) {
	outcome, errText := store.OutcomeSuccess, ""
	if runErr != nil {
		outcome, errText = store.OutcomeFailed, runErr.Error()
	}
	end := o.Now()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := o.Store.FinishRun(fctx, runID, outcome, errText, stats, end); err != nil && runErr == nil {
		runErr = fmt.Errorf("record run end: %w", err)
	}
	res.Duration = end.Sub(start)
	if runs, err := o.Store.Runs(fctx, o.Connector, 20); err == nil {
		for _, r := range runs {
			if r.ID == runID {
				res.Run = r
			}
		}
	}
	return res, runErr
}

func (o *Options) defaults() {
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.Mode == "" {
		o.Mode = ModeFull
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
}

// pipeline runs one reader per unfinished partition and a single writer:
// pages are fetched and mapped while the previous page is being committed.
func (o *Options) pipeline(ctx context.Context, runID int64, cp *checkpoint, stats *store.RunStats, total int64, start time.Time) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	softwareExcluded := !wantsSoftware(o.Query)
	// Two batches in flight keep the readers decoding while the writer
	// commits (measured: -15% wall time against an unbuffered channel, +8
	// MB); memory stays bounded by batches, not by the inventory.
	batches := make(chan batch, 2)
	var wg sync.WaitGroup
	for i := range cp.Parts {
		if cp.Parts[i].Done {
			continue
		}
		wg.Add(1)
		go func(i int, p partition) {
			defer wg.Done()
			if err := o.readPartition(ctx, i, p, softwareExcluded, batches); err != nil {
				cancel(err)
			}
		}(i, cp.Parts[i])
	}
	go func() { wg.Wait(); close(batches) }()

	// Pages already fetched are still committed after a cancellation
	// (SIGTERM): the writer's context is not the readers'. After a failed
	// write nothing more is written, so no later page's cursor can skip it.
	wctx := context.WithoutCancel(ctx)
	var (
		bytesRead int64
		writeErr  error
	)
	for b := range batches {
		if writeErr != nil {
			continue // drain so readers can exit
		}
		part := &cp.Parts[b.part]
		part.Cursor = b.cursor
		part.Done = b.done
		if b.pageEnd {
			stats.Pages++
		}
		stats.Assets += int64(b.assets)
		stats.Skipped += int64(b.skipped)
		stats.HostsWritten += int64(len(b.records))
		for i := range b.records {
			stats.PackagesWritten += int64(len(b.records[i].Packages))
			stats.InstalledWritten += int64(len(b.records[i].Installed))
		}
		cpText, err := json.Marshal(cp)
		if err != nil {
			writeErr = fmt.Errorf("encode checkpoint: %w", err)
			cancel(writeErr)
			continue
		}
		if b.encoded == nil {
			if b.encoded, err = store.PreparePage(b.records); err != nil {
				writeErr = err
				cancel(writeErr)
				continue
			}
		}
		pr, err := o.Store.WritePrepared(wctx, runID, b.encoded, *stats, string(cpText), o.Now())
		if err != nil {
			writeErr = fmt.Errorf("write page %d of range %d: %w", b.page, b.part, err)
			cancel(writeErr)
			continue
		}
		// Added / updated / removed are known only after the write; the run
		// row gets them with the next page or at the end of the run.
		stats.HostsAdded += pr.HostsAdded
		stats.HostsUpdated += pr.HostsUpdated
		stats.InstalledRemoved += pr.InstalledRemoved
		bytesRead += b.bytes
		if o.Progress != nil {
			o.Progress(Progress{Done: stats.Assets, Total: total, Pages: stats.Pages, Bytes: bytesRead, Elapsed: o.Now().Sub(start)})
		}
	}
	if writeErr != nil {
		return writeErr
	}
	return context.Cause(ctx)
}

// readPartition scans one id range, maps each asset as it is decoded and
// hands slices of at most commitHosts hosts to the writer.
func (o *Options) readPartition(ctx context.Context, idx int, p partition, softwareExcluded bool, out chan<- batch) error {
	q := o.Query
	q.LastSeenAssetID = max(p.Cursor, p.Lo)
	if p.Hi > 0 {
		f := q.Filter
		f.Filters = append(append([]csamapi.Criterion(nil), f.Filters...),
			csamapi.Criterion{Field: csamapi.FieldAssetID, Operator: csamapi.OpLessThanEqual, Value: strconv.FormatInt(p.Hi, 10)})
		q.Filter = f
	}
	// Packages already handed to the writer by this range: the same
	// software sits on thousands of hosts and needs one upsert a run; a
	// host that widens its date span sends just the dates (the store keeps
	// the earliest install and the latest update over all hosts).
	written := map[string]dateSpan{}
	var widened []model.PackageDates
	keep := func(uid string, created, modified *time.Time) bool {
		span, seen := written[uid]
		written[uid] = span.with(created, modified)
		if seen && span.widens(created, modified) {
			// Only the dates are news: send them, not the package again.
			widened = append(widened, model.PackageDates{UID: uid, SourceCreatedDate: created, SourceLastModified: modified})
		}
		return !seen
	}
	cur := batch{part: idx, page: 1, cursor: q.LastSeenAssetID}
	weight := 0
	send := func() error {
		// Encoding the batch here, on the reading goroutine, takes it off
		// the single writer's path. A bad record fails in the writer.
		if pg, err := store.PreparePage(cur.records); err == nil {
			cur.encoded = pg
		}
		select {
		case out <- cur:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		cur = batch{part: idx, page: cur.page, cursor: cur.cursor}
		return nil
	}
	for item, err := range o.Client.Scan(ctx, q) {
		if err != nil {
			return fmt.Errorf("range %d: %w", idx, err)
		}
		if a := item.Asset; a != nil {
			cur.assets++
			cur.cursor = max(cur.cursor, a.AssetID)
			if o.TransferOnly {
				continue
			}
			rec, err := mapping.MapAssetFunc(a, keep)
			rec.PackageDates, widened = widened, nil
			if err != nil {
				o.Logger.Warn("skipping asset", "assetId", a.AssetID, "page", cur.page, "reason", err.Error())
				cur.skipped++
				continue
			}
			rec.SoftwareExcluded = softwareExcluded
			cur.records = append(cur.records, rec)
			weight += len(rec.Installed) + packageWeight*len(rec.Packages)
			if len(cur.records) >= commitHosts || weight >= commitWeight {
				weight = 0
				if err := send(); err != nil {
					return err
				}
			}
			continue
		}
		if pi := item.Page; pi != nil {
			if pi.Skipped > 0 {
				o.Logger.Warn("assets repeated across pages were skipped", "range", idx, "page", cur.page, "count", pi.Skipped)
			}
			cur.skipped += pi.Skipped
			cur.cursor = max(cur.cursor, pi.NextCursor)
			cur.pageEnd, cur.done, cur.bytes = true, pi.Done, pi.Bytes
			weight = 0
			if err := send(); err != nil {
				return err
			}
			cur.page++
		}
	}
	return nil
}

// wantsSoftware reports whether the query returns software lists.
func wantsSoftware(q client.AssetQuery) bool {
	const field = "softwareListData"
	for _, f := range q.ExcludeFields {
		if f == field {
			return false
		}
	}
	if len(q.IncludeFields) == 0 {
		return true
	}
	for _, f := range q.IncludeFields {
		if f == field {
			return true
		}
	}
	return false
}

// prober is the part of the client that partition planning needs.
type prober interface {
	Count(ctx context.Context, q client.AssetQuery) (int64, error)
	Scan(ctx context.Context, q client.AssetQuery) iter.Seq2[client.Item, error]
}

// minPagesPerRange is the least work that justifies a range of its own:
// planning costs a few count calls, each as slow as the gateway is.
const minPagesPerRange = 10

// planPartitions splits the asset-id space into up to parallel ranges of
// about equal asset counts, so that several cursors can run at once (a CSAM
// cursor is sequential). It reads the lowest id (one search with pageSize
// 1), finds an id above every asset by exponential search on the count API,
// then places each split point by interpolation (CSAM assigns ids in
// ascending order, so they are close to uniform), falling back towards
// bisection where they are not: a handful of count calls in all.
func planPartitions(ctx context.Context, c prober, q client.AssetQuery, total int64, parallel int) ([]partition, error) {
	pageSize := int64(cmp.Or(q.PageSize, csamapi.MaxPageSize))
	n := min(int64(parallel), total/(minPagesPerRange*pageSize))
	if n <= 1 {
		return []partition{{}}, nil
	}
	countAtMost := func(id int64) (int64, error) {
		qq := q
		qq.Filter.Filters = append(append([]csamapi.Criterion(nil), q.Filter.Filters...),
			csamapi.Criterion{Field: csamapi.FieldAssetID, Operator: csamapi.OpLessThanEqual, Value: strconv.FormatInt(id, 10)})
		return c.Count(ctx, qq)
	}
	first := q
	first.PageSize, first.LastSeenAssetID = 1, 0
	var minID int64
	for item, err := range c.Scan(ctx, first) {
		if err != nil {
			return nil, err
		}
		if item.Asset != nil {
			minID = item.Asset.AssetID
			break
		}
	}
	if minID <= 0 {
		return []partition{{}}, nil
	}
	// Every probe is a known point (id, assets with an id <= it); each
	// split point is searched within the tightest known bracket.
	type point struct{ id, count int64 }
	points := []point{{minID - 1, 0}}
	probe := func(id int64) (int64, error) {
		got, err := countAtMost(id)
		if err == nil {
			i, _ := slices.BinarySearchFunc(points, id, func(p point, id int64) int { return cmp.Compare(p.id, id) })
			points = slices.Insert(points, i, point{id, got})
		}
		return got, err
	}
	for span := max(total*8, 1024); ; span *= 4 {
		if span > 1<<60 {
			return []partition{{}}, nil
		}
		got, err := probe(minID + span)
		if err != nil {
			return nil, err
		}
		if got >= total {
			break
		}
	}
	parts := make([]partition, 0, n)
	prev := int64(0)
	for k := int64(1); k < n; k++ {
		target := total * k / n
		tol := max(total/(n*20), 1)
		ai := 0
		for ai+1 < len(points) && points[ai+1].count < target {
			ai++
		}
		bi := ai + 1
		for points[bi].count < target {
			bi++
		}
		a, ac, b, bc := points[ai].id, points[ai].count, points[bi].id, points[bi].count
		best, bestCount := b, bc
		// Interpolation and bisection alternate: interpolation lands in
		// one or two probes on evenly spread ids, bisection bounds the
		// probes on skewed ones.
		for iter := 0; iter < 40 && b-a > 1 && abs(bestCount-target) > tol; iter++ {
			m := a + (b-a)/2
			if iter%2 == 0 && bc > ac {
				m = a + int64(float64(b-a)*float64(target-ac)/float64(bc-ac))
			}
			m = min(max(m, a+1), b-1)
			got, err := probe(m)
			if err != nil {
				return nil, err
			}
			if abs(got-target) < abs(bestCount-target) {
				best, bestCount = m, got
			}
			if got < target {
				a, ac = m, got
			} else {
				b, bc = m, got
			}
		}
		parts = append(parts, partition{Lo: prev, Hi: best})
		prev = best
	}
	parts = append(parts, partition{Lo: prev})
	return parts, nil
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// dateSpan is the earliest sourceCreatedDate and the latest
// sourceLastModified of a package seen so far in a range.
type dateSpan struct{ created, modified *time.Time }

func (d dateSpan) widens(created, modified *time.Time) bool {
	return (created != nil && (d.created == nil || created.Before(*d.created))) ||
		(modified != nil && (d.modified == nil || modified.After(*d.modified)))
}

func (d dateSpan) with(created, modified *time.Time) dateSpan {
	if created != nil && (d.created == nil || created.Before(*d.created)) {
		d.created = created
	}
	if modified != nil && (d.modified == nil || modified.After(*d.modified)) {
		d.modified = modified
	}
	return d
}
