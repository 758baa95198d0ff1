package service_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/connector"
	"github.com/csamsync/csamsync/internal/emulator"
	"github.com/csamsync/csamsync/internal/model"
	"github.com/csamsync/csamsync/internal/service"
	"github.com/csamsync/csamsync/internal/store"
	"github.com/csamsync/csamsync/internal/syncer"
)

type env struct {
	emu    *emulator.Server
	db     *store.SQLite
	runner *service.Runner
	now    time.Time
}

func newEnv(t *testing.T, assets int) *env {
	t.Helper()
	emu := emulator.New(emulator.Config{Assets: assets, Seed: 5, Username: "svc", Password: "svc-password", RateLimit: -1})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	db, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "inv.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	t.Setenv("CSAMSYNC_TEST_SVC_PASSWORD", "svc-password")
	p := connector.Profile{Name: "prod", URL: url, Username: "svc", Password: connector.Secret{Env: "CSAMSYNC_TEST_SVC_PASSWORD"},
		PageSize: 100, Delta: true, FullSyncEvery: 24 * time.Hour}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(p)
	if _, err := db.PutConnector(context.Background(), p.Name, doc, connector.StateRegistered); err != nil {
		t.Fatal(err)
	}
	e := &env{emu: emu, db: db, now: time.Now().UTC()}
	e.runner = &service.Runner{DB: db, Now: func() time.Time { return e.now }}
	return e
}

func (e *env) searches() int {
	n := 0
	for _, c := range e.emu.Stats().Requests["/rest/2.0/search/am/asset"] {
		n += c
	}
	return n
}

func (e *env) hosts(t *testing.T) map[string]model.Host {
	t.Helper()
	out := map[string]model.Host{}
	e.db.Export(context.Background(), store.KindHosts, func(v any) error {
		h := v.(model.Host)
		out[h.UID] = h
		return nil
	})
	return out
}

func TestDeltaAndReconciliation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 1000)

	full, err := e.runner.RunConnector(ctx, "prod", service.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if full.Sync.Run.Mode != syncer.ModeFull || full.Sync.Run.Stats.Assets != 1000 {
		t.Fatalf("first run: %+v", full.Sync.Run)
	}
	fullSearches := e.searches()
	row, _ := e.db.GetConnector(ctx, "prod")
	if row.State != connector.StateProcessed {
		t.Fatalf("state after a good run: %s", row.State)
	}

	// 1% of hosts change, 3 are added, 2 deleted.
	cs := e.emu.SimulateChanges(42, 10, 3, 2)
	e.now = time.Now().UTC().Add(time.Minute)
	delta, err := e.runner.RunConnector(ctx, "prod", service.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if delta.Sync.Run.Mode != syncer.ModeDelta {
		t.Fatalf("second run should be a delta: %+v", delta.Sync.Run)
	}
	if got, want := delta.Sync.Run.Stats.Assets, int64(len(cs.Updated)+len(cs.Added)); got != want {
		t.Fatalf("delta fetched %d assets, want exactly the %d changed", got, want)
	}
	deltaSearches := e.searches() - fullSearches
	if deltaSearches > 2 {
		t.Fatalf("a delta of %d hosts made %d search calls (the full run made %d)", len(cs.Updated)+len(cs.Added), deltaSearches, fullSearches)
	}
	if delta.Reconcile != nil {
		t.Fatal("no reconciliation is due within the full-sync interval")
	}
	hosts := e.hosts(t)
	if len(hosts) != 1003 {
		t.Fatalf("%d hosts after the delta", len(hosts))
	}
	for _, id := range cs.Deleted {
		if h := hosts[itoa(id)]; h.Status != model.StatusActive {
			t.Fatalf("deleted host %d was retired before any reconciliation", id)
		}
	}

	// A day later a reconciliation is due: deleted hosts become inactive.
	e.now = e.now.Add(25 * time.Hour)
	out, err := e.runner.RunConnector(ctx, "prod", service.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Reconcile == nil || out.Reconcile.Run.Stats.HostsRetired != int64(len(cs.Deleted)) {
		t.Fatalf("reconciliation: %+v", out.Reconcile)
	}
	hosts = e.hosts(t)
	for _, id := range cs.Deleted {
		h := hosts[itoa(id)]
		if h.Status != model.StatusInactive || h.RetiredAt == nil || h.LastSeen == nil {
			t.Fatalf("deleted host %d: status %s retiredAt %v lastSeen %v", id, h.Status, h.RetiredAt, h.LastSeen)
		}
	}
	active := 0
	for _, h := range hosts {
		if h.Status == model.StatusActive {
			active++
		}
	}
	if active != 1001 {
		t.Fatalf("%d active hosts, want 1001", active)
	}
	runs, _ := e.db.Runs(ctx, "prod", 0)
	modes := []string{}
	for _, r := range runs {
		modes = append(modes, r.Mode)
	}
	if strings.Join(modes, ",") != "reconcile,delta,delta,full" {
		t.Fatalf("runs newest first: %v", modes)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestRunsNeverOverlap(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 50)
	unlock, err := e.db.TryLock(ctx, "connector:prod")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := e.runner.RunConnector(ctx, "prod", service.RunOptions{}); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("want an already-running error, got %v", err)
	}
}

func TestErroredState(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 20)
	t.Setenv("CSAMSYNC_TEST_SVC_PASSWORD", "wrong")
	if _, err := e.runner.RunConnector(ctx, "prod", service.RunOptions{}); err == nil {
		t.Fatal("want an authentication error")
	}
	row, _ := e.db.GetConnector(ctx, "prod")
	if row.State != connector.StateErrored || !strings.Contains(row.StateNote, "authentication") || strings.Contains(row.StateNote, "wrong") {
		t.Fatalf("state %s note %q", row.State, row.StateNote)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 30)
	e.runner.Metrics = service.NewMetrics(e.db.HostStates)
	if _, err := e.runner.RunConnector(ctx, "prod", service.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	addr, _, err := service.ListenAndServe(sctx, "127.0.0.1:0", service.Handler(e.db, e.runner.Metrics))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		resp, err := http.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	if h := get("/healthz"); !strings.Contains(h, `"ok"`) {
		t.Fatalf("healthz: %s", h)
	}
	m := get("/metrics")
	for _, want := range []string{
		`csamsync_runs_total{connector="prod",mode="full",outcome="success"} 1`,
		`csamsync_api_requests_total{path="/rest/2.0/search/am/asset",status="200"}`,
		`csamsync_hosts{state="active"} 30`,
		`csamsync_run_duration_seconds_count{connector="prod",mode="full"} 1`,
		`csamsync_api_retries_total`,
		`csamsync_ratelimit_waits_total{connector="prod"} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
}

func TestSchedulerRunsMissedRunOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e := newEnv(t, 20)
	// The last run was three days ago; the daily schedule missed three runs.
	old, _ := e.db.StartRun(ctx, store.RunStart{Connector: "prod", Mode: "full", Started: e.now.Add(-72 * time.Hour)})
	e.db.FinishRun(ctx, old.ID, store.OutcomeSuccess, "", store.RunStats{}, e.now.Add(-71*time.Hour))
	sched := &service.Scheduler{Runner: e.runner, Tick: 50 * time.Millisecond}
	done := make(chan struct{})
	sctx, stop := context.WithCancel(ctx)
	go func() { sched.Run(sctx); close(done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		runs, _ := e.db.Runs(ctx, "prod", 0)
		if len(runs) >= 2 && runs[0].Outcome != store.OutcomeRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the missed run never ran")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // several more ticks
	stop()
	<-done
	runs, _ := e.db.Runs(ctx, "prod", 0)
	syncs := 0
	for _, r := range runs {
		if r.Mode != syncer.ModeReconcile { // a due reconciliation rides along
			syncs++
		}
	}
	if syncs != 2 {
		t.Fatalf("%d sync runs: missed runs must run once, not once per missed day", syncs)
	}
}
