// Package service runs connectors: it loads a profile, takes the
// connector's run lock, moves it through its states, chooses full, delta or
// reconciliation runs, and, for `csamsync serve`, schedules runs and serves
// /healthz and Prometheus metrics.
//
// It ties connector, client, syncer and store together; it knows nothing
// of SQL, HTTP wire details of CSAM or the emulator.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/connector"
	"github.com/csamsync/csamsync/internal/store"
	"github.com/csamsync/csamsync/internal/syncer"
)

// DeltaSkew is subtracted from the previous run's start to form the delta
// watermark: CSAM's lastModifiedDate is set by the server and clocks differ.
const DeltaSkew = 10 * time.Minute

// DB is the database a runner needs: the inventory store and the
// connector lifecycle, implemented together by each backend.
type DB interface {
	store.Store
	store.Lifecycle
}

// Runner runs connectors stored in a database.
type Runner struct {
	DB      DB
	Keyring *connector.Keyring // nil: only env-referenced secrets work
	Logger  *slog.Logger
	Metrics *Metrics // optional
	Now     func() time.Time
	// Progress, when set, receives progress of the running sync.
	Progress func(syncer.Progress)
}

// RunOptions adjust one run.
type RunOptions struct {
	ForceFull bool // ignore delta and run a full sync (with reconciliation)
}

// Outcome is what RunConnector did: the sync run and, when one was due,
// the reconciliation run.
type Outcome struct {
	Sync      syncer.Result
	Reconcile *syncer.Result
}

// ErrAlreadyRunning is returned when the connector's lock is held.
var ErrAlreadyRunning = errors.New("connector is already running (in this or another process)")

// Load reads and opens a stored profile.
func (r *Runner) Load(ctx context.Context, name string) (connector.Profile, store.ConnectorRow, error) {
	row, err := r.DB.GetConnector(ctx, name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return connector.Profile{}, row, fmt.Errorf("connector %q does not exist", name)
		}
		return connector.Profile{}, row, err
	}
	var p connector.Profile
	if err := json.Unmarshal(row.Doc, &p); err != nil {
		return connector.Profile{}, row, fmt.Errorf("connector %q: stored profile is unreadable: %w", name, err)
	}
	p, err = r.Keyring.Open(p)
	return p, row, err
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Runner) log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// RunConnector runs one connector now: a delta run when the profile allows
// it and a previous run succeeded, else a full run; then an ids-only
// reconciliation when none ran within the profile's full-sync interval. A
// full run reconciles by itself.
func (r *Runner) RunConnector(ctx context.Context, name string, ro RunOptions) (Outcome, error) {
	var out Outcome
	p, _, err := r.Load(ctx, name)
	if err != nil {
		return out, err
	}
	unlock, err := r.DB.TryLock(ctx, "connector:"+name)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return out, fmt.Errorf("%s: %w", name, ErrAlreadyRunning)
		}
		return out, err
	}
	defer unlock()

	setState := func(state, note string) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := r.DB.SetConnectorState(sctx, name, state, note); err != nil {
			r.log().Error("cannot record connector state", "connector", name, "state", state, "err", err)
		}
	}
	setState(connector.StateProcessing, "")
	out, err = r.run(ctx, p, ro)
	if err != nil {
		setState(connector.StateErrored, err.Error())
		return out, err
	}
	setState(connector.StateProcessed, "")
	return out, nil
}

func (r *Runner) run(ctx context.Context, p connector.Profile, ro RunOptions) (Outcome, error) {
	var out Outcome
	cfg, err := p.ClientConfig()
	if err != nil {
		return out, err
	}
	cfg.Logger = r.log()
	if r.Metrics != nil {
		cfg.OnRequest = r.Metrics.observeRequest
	}
	cl, err := client.New(cfg)
	if err != nil {
		return out, err
	}
	q, err := p.Query()
	if err != nil {
		return out, err
	}
	runs, err := r.DB.Runs(ctx, p.Name, 0)
	if err != nil {
		return out, err
	}
	lastSuccess, lastFull := lastRuns(runs)
	now := r.now()

	mode := syncer.ModeFull
	if p.Delta && !ro.ForceFull && lastSuccess != nil {
		mode = syncer.ModeDelta
		q.AssetLastUpdated = lastSuccess.Started.Add(-DeltaSkew)
	}
	opts := syncer.Options{
		Client: cl, Store: r.DB, Query: q, Parallel: p.Parallel, Mode: mode,
		Connector: p.Name, ResumeKey: "connector:" + p.Name + ":" + mode,
		Logger: r.log(), Progress: r.Progress, Now: r.Now,
	}
	res, err := syncer.Run(ctx, opts)
	out.Sync = res
	r.Metrics.observeRun(p.Name, res, err)
	if err != nil {
		return out, err
	}
	if mode == syncer.ModeFull {
		retired, err := r.DB.RetireUnseen(ctx, res.Run.ID, r.now())
		if err != nil {
			return out, fmt.Errorf("retire hosts no longer in CSAM: %w", err)
		}
		out.Sync.Run.Stats.HostsRetired = retired
		return out, nil
	}
	if lastFull == nil || now.Sub(lastFull.Started) >= p.FullSyncEvery {
		opts.Mode, opts.ResumeKey = syncer.ModeReconcile, "connector:"+p.Name+":"+syncer.ModeReconcile
		opts.Query.AssetLastUpdated = time.Time{}
		rec, err := syncer.Reconcile(ctx, opts)
		out.Reconcile = &rec
		r.Metrics.observeRun(p.Name, rec, err)
		if err != nil {
			return out, fmt.Errorf("reconciliation: %w", err)
		}
	}
	return out, nil
}

// lastRuns finds, among runs (newest first), the newest successful run of
// any mode and the newest successful full or reconciliation run.
func lastRuns(runs []store.Run) (lastSuccess, lastFull *store.Run) {
	for i := range runs {
		r := &runs[i]
		if r.Outcome != store.OutcomeSuccess {
			continue
		}
		if lastSuccess == nil && r.Mode != syncer.ModeReconcile {
			lastSuccess = r
		}
		if lastFull == nil && (r.Mode == syncer.ModeFull || r.Mode == syncer.ModeReconcile) {
			lastFull = r
		}
	}
	return lastSuccess, lastFull
}
