package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/model"
)

func TestConnectorRows(t *testing.T) { eachBackend(t, testConnectorRows) }

func testConnectorRows(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	created, err := s.PutConnector(ctx, "prod", []byte(`{"name":"prod"}`), "Registered")
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if err := s.SetConnectorState(ctx, "prod", "Errored", "boom"); err != nil {
		t.Fatal(err)
	}
	created, err = s.PutConnector(ctx, "prod", []byte(`{"name":"prod","x":1}`), "Registered")
	if err != nil || created {
		t.Fatalf("update: %v %v", created, err)
	}
	row, err := s.GetConnector(ctx, "prod")
	if err != nil || string(row.Doc) != `{"name":"prod","x":1}` || row.State != "Errored" || row.StateNote != "boom" {
		t.Fatalf("get: %+v %v", row, err)
	}
	if rows, err := s.ListConnectors(ctx); err != nil || len(rows) != 1 {
		t.Fatalf("list: %v %v", rows, err)
	}
	if err := s.DeleteConnector(ctx, "prod"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetConnector(ctx, "prod"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.DeleteConnector(ctx, "prod"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

func TestRunLockAcrossHandles(t *testing.T) { eachBackend(t, testRunLockAcrossHandles) }

func testRunLockAcrossHandles(t *testing.T, open opener) {
	ctx := context.Background()
	a, dsn := open(t)
	b := reopen(t, dsn)
	unlock, err := a.TryLock(ctx, "connector:prod")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.TryLock(ctx, "connector:prod"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second holder: want ErrLocked, got %v", err)
	}
	if _, err := a.TryLock(ctx, "connector:prod"); !errors.Is(err, ErrLocked) {
		t.Fatalf("same handle again: want ErrLocked, got %v", err)
	}
	if u, err := b.TryLock(ctx, "connector:other"); err != nil {
		t.Fatalf("another key: %v", err)
	} else {
		u()
	}
	unlock()
	unlock() // twice is harmless
	u2, err := b.TryLock(ctx, "connector:prod")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	u2()
}

// TestRunLockLeaseExpires: a SQLite holder that died without unlocking
// stops renewing its lease, which lapses.
func TestRunLockLeaseExpires(t *testing.T) {
	ctx := context.Background()
	a, path := openTest(t)
	b, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.db.Exec(`INSERT INTO run_locks(key, owner, expires) VALUES ('connector:dead', 'gone', ?)`,
		formatTime(time.Now().Add(-time.Second))); err != nil {
		t.Fatal(err)
	}
	u3, err := b.TryLock(ctx, "connector:dead")
	if err != nil {
		t.Fatalf("expired lease: %v", err)
	}
	u3()
}

func TestRetireAndReactivate(t *testing.T) { eachBackend(t, testRetireAndReactivate) }

func testRetireAndReactivate(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	run1 := startRun(t, s, "k")
	recs := []model.HostRecord{makeHost(1, 1), makeHost(2, 2), makeHost(3, 3)}
	if _, err := s.WritePage(ctx, run1.ID, recs, RunStats{}, "", t0); err != nil {
		t.Fatal(err)
	}
	// The next full run sees hosts 1 and 3 only.
	run2 := startRun(t, s, "k2")
	if _, err := s.WritePage(ctx, run2.ID, []model.HostRecord{makeHost(1, 1), makeHost(3, 3)}, RunStats{}, "", t0); err != nil {
		t.Fatal(err)
	}
	retired, err := s.RetireUnseen(ctx, run2.ID, t0.Add(time.Hour))
	if err != nil || retired != 1 {
		t.Fatalf("retired %d, %v", retired, err)
	}
	states, _ := s.HostStates(ctx)
	if states["active"] != 2 || states["inactive"] != 1 {
		t.Fatalf("states %v", states)
	}
	var gone model.Host
	s.Export(ctx, KindHosts, func(v any) error {
		if h := v.(model.Host); h.UID == "host-000002" {
			gone = h
		}
		return nil
	})
	if gone.Status != model.StatusInactive || gone.RetiredAt == nil || !gone.RetiredAt.Equal(t0.Add(time.Hour)) || gone.LastSeen == nil {
		t.Fatalf("retired host: status %q retiredAt %v lastSeen %v", gone.Status, gone.RetiredAt, gone.LastSeen)
	}
	// An ids-only reconciliation sees host 2 again: it comes back.
	run3 := startRun(t, s, "k3")
	n, err := s.MarkSeen(ctx, run3.ID, []string{"host-000001", "host-000002", "host-000003"}, t0.Add(2*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("reactivated %d, %v", n, err)
	}
	if retired, _ := s.RetireUnseen(ctx, run3.ID, t0.Add(2*time.Hour)); retired != 0 {
		t.Fatalf("nothing should retire, got %d", retired)
	}
	// Identical content written again after a retirement is rewritten as active.
	run4 := startRun(t, s, "k4")
	s.WritePage(ctx, run4.ID, []model.HostRecord{makeHost(1, 1), makeHost(3, 3)}, RunStats{}, "", t0)
	s.RetireUnseen(ctx, run4.ID, t0.Add(3*time.Hour))
	run5 := startRun(t, s, "k5")
	s.WritePage(ctx, run5.ID, []model.HostRecord{makeHost(1, 1), makeHost(2, 2), makeHost(3, 3)}, RunStats{}, "", t0)
	if states, _ := s.HostStates(ctx); states["active"] != 3 {
		t.Fatalf("after reappearing: %v", states)
	}
	// Another connector's hosts are never retired by this one's runs.
	other, _ := s.StartRun(ctx, RunStart{Connector: "c2", Mode: "full", Started: t0, ResumeKey: "o"})
	s.WritePage(ctx, other.ID, []model.HostRecord{makeHost(9, 9)}, RunStats{}, "", t0)
	run6 := startRun(t, s, "k6")
	s.WritePage(ctx, run6.ID, []model.HostRecord{makeHost(1, 1)}, RunStats{}, "", t0)
	if retired, _ := s.RetireUnseen(ctx, run6.ID, t0.Add(4*time.Hour)); retired != 2 {
		t.Fatalf("want hosts 2 and 3 retired (not c2's host 9), got %d", retired)
	}
}

func TestRunLockOfDeadProcessIsTakenOver(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	// A live lease whose holder (same host) is a process that does not exist.
	dead := lockOwner(1<<22+12345, "dead")
	if _, err := s.db.Exec(`INSERT INTO run_locks(key, owner, expires) VALUES ('adhoc:x', ?, ?)`,
		dead, formatTime(time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.TryLock(ctx, "adhoc:x")
	if err != nil {
		t.Fatalf("a dead holder's lease should be taken over: %v", err)
	}
	defer unlock()
	// A live holder (this process) keeps it.
	if _, err := s.TryLock(ctx, "adhoc:x"); !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
}
