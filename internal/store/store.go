// Package store persists the unified inventory (hosts, packages, installed
// packages), the record of every sync run and the resume checkpoints, behind
// one small interface with a SQLite side (the embedded default, pure Go) and
// a PostgreSQL side (pgx), which export byte-identical results.
//
// It knows the model package and nothing of CSAM, HTTP or the sync engine.
// Each WritePage is one transaction: a run that dies leaves every committed
// page whole and no half-written host.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/csamsync/csamsync/internal/model"
)

// Kind names an exportable object kind.
type Kind string

const (
	KindHosts             Kind = "hosts"
	KindPackages          Kind = "packages"
	KindInstalledPackages Kind = "installed-packages"
)

// Run outcomes.
const (
	OutcomeRunning = "running"
	OutcomeSuccess = "success"
	OutcomeFailed  = "failed"
)

// RunStart describes a run when it begins.
type RunStart struct {
	Connector string    // connector name, or "" for an ad-hoc sync
	Mode      string    // "full" or "delta"
	Started   time.Time // client clock, UTC
	// ResumeKey identifies the run's arguments (URL, user, filters); an
	// unfinished run with the same key is resumed from its checkpoint.
	ResumeKey string
}

// RunStats are the counters of a run, updated as pages commit.
type RunStats struct {
	Pages            int64 `json:"pages"`
	Assets           int64 `json:"assets"`
	APICalls         int64 `json:"apiCalls"`
	Retries          int64 `json:"retries"`
	HostsWritten     int64 `json:"hostsWritten"`
	PackagesWritten  int64 `json:"packagesWritten"`
	InstalledWritten int64 `json:"installedWritten"`
	HostsAdded       int64 `json:"hostsAdded"`
	HostsUpdated     int64 `json:"hostsUpdated"`
	HostsRetired     int64 `json:"hostsRetired"`
	InstalledRemoved int64 `json:"installedRemoved"`
	Skipped          int64 `json:"skipped"`
}

// Run is one row of sync_runs.
type Run struct {
	ID        int64      `json:"id"`
	Connector string     `json:"connector"`
	Mode      string     `json:"mode"`
	ResumeKey string     `json:"resumeKey"`
	Started   time.Time  `json:"started"`
	Ended     *time.Time `json:"ended,omitempty"`
	Outcome   string     `json:"outcome"`
	Error     string     `json:"error,omitempty"`
	Stats     RunStats   `json:"stats"`
	// Checkpoint is the opaque resume state last committed with a page.
	Checkpoint string `json:"-"`
}

// PageResult says what a committed page changed.
type PageResult struct {
	HostsAdded       int64
	HostsUpdated     int64
	PackagesWritten  int64
	InstalledWritten int64
	InstalledRemoved int64
}

// ErrNotFound is returned when a run or object does not exist.
var ErrNotFound = errors.New("not found")

// Store is the inventory database.
type Store interface {
	// StartRun inserts a sync_runs row in state running and returns it.
	StartRun(ctx context.Context, r RunStart) (Run, error)
	// UnfinishedRun returns the newest run with this resume key whose
	// outcome is not success (running or failed with a checkpoint), or
	// ErrNotFound.
	UnfinishedRun(ctx context.Context, resumeKey string) (Run, error)
	// WritePage upserts the records of one page in one transaction, marks
	// installed packages of those hosts that are absent from the records as
	// removed (when the record carries a software list), folds package
	// date updates in, stores the run's cumulative counters and the
	// checkpoint, all atomically.
	WritePage(ctx context.Context, runID int64, recs []model.HostRecord, stats RunStats, checkpoint string, now time.Time) (PageResult, error)
	// WritePrepared is WritePage for a page made by PreparePage.
	WritePrepared(ctx context.Context, runID int64, page *Page, stats RunStats, checkpoint string, now time.Time) (PageResult, error)
	// FinishRun records the end, outcome, error text and final counters.
	FinishRun(ctx context.Context, runID int64, outcome string, errText string, stats RunStats, ended time.Time) error
	// Runs lists runs, newest first (limit <= 0: all).
	Runs(ctx context.Context, connector string, limit int) ([]Run, error)
	// Export streams every object of a kind in uid order to fn.
	Export(ctx context.Context, kind Kind, fn func(v any) error) error
	// Counts returns the number of rows of each kind.
	Counts(ctx context.Context) (map[Kind]int64, error)
	Close() error
}
