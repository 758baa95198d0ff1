package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/model"
)

// The PostgreSQL-only tests and the cross-backend comparison; they skip
// unless CSAMSYNC_TEST_POSTGRES_DSN is set (see suite_test.go).

func TestPostgresMigrations(t *testing.T) {
	ctx := context.Background()
	if len(pgMigrations) != len(migrations) {
		t.Fatalf("%d PostgreSQL migrations, %d SQLite ones: the schema versions must match", len(pgMigrations), len(migrations))
	}
	dsn := pgTestSchema(t)

	// Openers of a new schema at once: each step is applied exactly once.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			p, err := OpenPostgres(ctx, dsn)
			if err == nil {
				p.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent open: %v", err)
		}
	}

	for i := range 2 { // reopen: idempotent
		p, err := OpenPostgres(ctx, dsn)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n, v int
		if err := p.pool.QueryRow(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		if n != SchemaVersion || v != SchemaVersion {
			t.Fatalf("open %d: %d migrations, version %d; want %d", i, n, v, SchemaVersion)
		}
		for _, table := range []string{"hosts", "packages", "installed_packages", "sync_runs", "connectors", "run_locks"} {
			if _, err := p.pool.Exec(ctx, "SELECT * FROM "+table+" LIMIT 0"); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
		// Keys and times sort bytewise, whatever the database's collation.
		var notC []string
		rows, err := p.pool.Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND (column_name IN ('uid', 'host_uid', 'package_uid', 'started', 'removed_at', 'source_created')
			OR column_name LIKE 'last\_%' AND data_type = 'text') AND collation_name IS DISTINCT FROM 'C'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			notC = append(notC, c)
		}
		if len(notC) > 0 {
			t.Errorf("columns not COLLATE \"C\": %v", notC)
		}
		p.Close()
	}

	// A database from a newer program is refused.
	p, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.pool.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, '')`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := OpenPostgres(ctx, dsn); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer schema: %v", err)
	}
}

// TestPostgresLockReleasedWithSession: a run lock is a session advisory
// lock, which the server releases when the holder's connection dies.
func TestPostgresLockReleasedWithSession(t *testing.T) {
	ctx := context.Background()
	a, dsn := openPostgresTest(t)
	b := reopen(t, dsn).(*Postgres)
	if _, err := a.TryLock(ctx, "connector:prod"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.TryLock(ctx, "connector:prod"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second holder: want ErrLocked, got %v", err)
	}
	// A store in another schema of the same database has locks of its own.
	c, _ := openPostgresTest(t)
	if u, err := c.TryLock(ctx, "connector:prod"); err != nil {
		t.Fatalf("other schema: %v", err)
	} else {
		u()
	}

	// The holder crashes: its sockets close without a goodbye, its pool
	// goes, nothing is unlocked.
	a.mu.Lock()
	for l := range a.locks {
		l.conn.PgConn().Conn().Close()
	}
	a.mu.Unlock()
	a.pool.Close()

	deadline := time.Now().Add(10 * time.Second)
	for {
		u, err := b.TryLock(ctx, "connector:prod")
		if err == nil {
			u()
			break
		}
		if !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			t.Fatalf("after the holder's crash: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Close releases the locks still held.
	if _, err := b.TryLock(ctx, "connector:x"); err != nil {
		t.Fatal(err)
	}
	b.Close()
	d := reopen(t, dsn)
	u, err := d.TryLock(ctx, "connector:x")
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	u()
}

// TestPostgresText: PostgreSQL text refuses NUL and invalid UTF-8, which
// SQLite stores; the columns get U+FFFD instead, the docs are JSON.
func TestPostgresText(t *testing.T) {
	ctx := context.Background()
	p, _ := openPostgresTest(t)
	run := startRun(t, p, "k")
	h := makeHost(1, 1)
	h.Host.Name = "a\x00b\xffc"
	writePage(t, p, run.ID, []model.HostRecord{h}, t0)
	var name string
	if err := p.pool.QueryRow(ctx, `SELECT name FROM hosts`).Scan(&name); err != nil || name != "a\uFFFDb\uFFFDc" {
		t.Errorf("name column %q, %v", name, err)
	}
	if err := p.FinishRun(ctx, run.ID, OutcomeFailed, "x\x00\xff", RunStats{}, t0); err != nil {
		t.Fatal(err)
	}
	if runs, err := p.Runs(ctx, "", 0); err != nil || runs[0].Error != "x\uFFFD\uFFFD" {
		t.Errorf("error text %q, %v", runs[0].Error, err)
	}
	var got model.Host
	p.Export(ctx, KindHosts, func(v any) error { got = v.(model.Host); return nil })
	if got.Name != "a\x00b\uFFFDc" {
		t.Errorf("exported name %q", got.Name)
	}
}

// TestPostgresStagingTable: the staging table of a session is created by
// the first page's transaction; when that one rolls back, the next page
// creates it again (the statements pgx cached for it are re-planned).
func TestPostgresStagingTable(t *testing.T) {
	ctx := context.Background()
	dsn := pgTestSchema(t)
	p, err := OpenPostgres(ctx, dsn+"&pool_max_conns=1") // one session
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	run := startRun(t, p, "k")
	page := func(recs ...model.HostRecord) ([]hostRow, []packageRow) {
		hosts, pkgs, err := preparePage(recs)
		if err != nil {
			t.Fatal(err)
		}
		return hosts, pkgs
	}
	broken := makeHost(1, 1, 2)
	broken.Packages = broken.Packages[:1]
	broken.Installed[1].Type = "pkg-unknown" // installs an unknown package
	for i, tc := range []struct {
		recs    []model.HostRecord
		wantErr string
	}{
		{[]model.HostRecord{broken}, "unknown package"},
		{[]model.HostRecord{makeHost(1, 1, 2)}, ""},
		{[]model.HostRecord{broken}, "unknown package"},
		{[]model.HostRecord{makeHost(1, 1, 2), makeHost(2, 3)}, ""},
	} {
		hosts, pkgs := page(tc.recs...)
		// copyNew false: every installed package goes through the staging table.
		_, err := p.writePage(ctx, run.ID, hosts, pkgs, nil, RunStats{}, "", formatTime(t0), false)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Fatalf("page %d: %v, want %q", i, err, tc.wantErr)
		}
	}
	if c, err := p.Counts(ctx); err != nil || c[KindInstalledPackages] != 3 {
		t.Fatalf("counts %v, %v", c, err)
	}
}

// TestBackendsExportIdentical writes the same pages, with the edge cases of
// WritePage, MarkSeen and RetireUnseen, to both backends and compares what
// each step returns and, at the end, every export byte for byte.
func TestBackendsExportIdentical(t *testing.T) {
	ctx := context.Background()
	pg, _ := openPostgresTest(t)
	lite, _ := openTest(t)
	stores := []testStore{lite, pg}

	odd := func(uid string, pkgs ...int) model.HostRecord {
		r := makeHost(len(uid)*1000+int(uid[len(uid)-1]), pkgs...)
		r.Host.UID = uid
		for i := range r.Installed {
			r.Installed[i].UID = uid + "/" + r.Installed[i].Type
			r.Installed[i].Targets = uid
		}
		return r
	}
	weird := makeHost(50, 1, 2)
	weird.Host.Name = "naïve \x00 name \xff\xfe"
	weird.Host.Description = "has, a comma and \"quotes\"\nand a newline\t\u2028 and \x00 NUL and \xc3 bad UTF-8"
	weird.Host.Hostname = "日本語"
	weird.Host.Attributes["nested"] = map[string]any{"list": []any{int64(1), 2.5, "x", nil, true}, "big": int64(-1 << 62)}
	weird.Host.Attributes["float"] = 1e21
	weird.Host.Attributes["tiny"] = 1.5e-7
	weird.Host.Attributes["zero"] = 0.0
	weird.Host.LastStarted = tp(time.Date(2024, 2, 29, 23, 59, 59, 1, time.FixedZone("X", 5*3600+1800)))
	moved := makeHost(60, 3)
	moved.Installed = append(moved.Installed, model.InstalledPackage{UID: "mv-1", Type: "pkg-00004", Targets: moved.Host.UID, Status: model.InstalledPresent})
	moved.Packages = append(moved.Packages, makePackage(4))
	// Package 1 seen on another host with other dates.
	early := makeHost(51, 1)
	early.Packages[0].SourceCreatedDate = tp(t0.Add(-1000 * time.Hour))
	early.Packages[0].SourceLastModified = tp(t0.Add(time.Hour))
	early.Packages[0].Description = "another text for the same package"

	page1 := append(makePage(0, 30, 12, 40),
		odd("host-B", 5), odd("host-a", 6), odd("Host-c", 7), odd("host_z", 8), odd("host-é", 9), odd("host-10", 10), odd("host-9", 11),
		weird, moved, early)
	changed := makeHost(3, 1, 2, 3, 4, 5) // new software list
	changed.Host.Tags = append(changed.Host.Tags, "changed")
	excluded := makeHost(4)
	excluded.SoftwareExcluded = true
	taker := makeHost(61, 4) // lists mv-1, installed on host 60, which is not in the page
	taker.Installed = append(taker.Installed, model.InstalledPackage{UID: "mv-1", Type: "pkg-00004", Targets: taker.Host.UID})
	dupA := makeHost(5, 1, 2, 3)
	dupB := makeHost(5, 2, 3, 4)
	dupB.Host.Description = "second version in the page"
	late := makeHost(52, 1)
	late.Packages[0].SourceCreatedDate = tp(t0.Add(-2000 * time.Hour))
	late.Packages[0].SourceLastModified = nil
	// Dates only, for packages written before: wider, narrower, unknown,
	// and twice in the page.
	widen := makeHost(8, 2)
	widen.PackageDates = []model.PackageDates{
		{UID: "pkg-00003", SourceCreatedDate: tp(t0.Add(-5000 * time.Hour)), SourceLastModified: tp(t0.Add(5 * time.Hour))},
		{UID: "pkg-00004", SourceCreatedDate: tp(t0)},
		{UID: "pkg-99999", SourceCreatedDate: tp(t0.Add(-9000 * time.Hour))},
		{UID: "pkg-00005", SourceLastModified: tp(t0.Add(9 * time.Hour))},
	}
	widen2 := makeHost(9, 2)
	widen2.PackageDates = []model.PackageDates{{UID: "pkg-00005", SourceCreatedDate: tp(t0.Add(-7000 * time.Hour)), SourceLastModified: tp(t0.Add(8 * time.Hour))}}
	page2 := []model.HostRecord{makeHost(1, 1, 2), changed, excluded, taker, dupA, dupB, makeHost(6), late, makeHost(7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), widen, widen2}
	page3 := append(makePage(0, 10, 12, 40), makeHost(70, 30, 31))

	type step struct {
		name string
		do   func(s testStore, runs []Run) (any, error)
	}
	write := func(run int, recs []model.HostRecord, now time.Time) func(testStore, []Run) (any, error) {
		return func(s testStore, runs []Run) (any, error) {
			return s.WritePage(ctx, runs[run].ID, recs, RunStats{Pages: 1, Assets: int64(len(recs))}, "cp", now)
		}
	}
	steps := []step{
		{"page 1", write(0, page1, t0)},
		{"page 2", write(0, page2, t0.Add(time.Hour))},
		{"page 2 again", write(0, page2, t0.Add(2*time.Hour))},
		{"finish 1", func(s testStore, runs []Run) (any, error) {
			return nil, s.FinishRun(ctx, runs[0].ID, OutcomeSuccess, "", RunStats{Pages: 3}, t0.Add(3*time.Hour))
		}},
		{"page 3 (run 2)", write(1, page3, t0.Add(4*time.Hour))},
		{"retire unseen", func(s testStore, runs []Run) (any, error) {
			return s.RetireUnseen(ctx, runs[1].ID, t0.Add(5*time.Hour+123456789))
		}},
		{"mark seen", func(s testStore, runs []Run) (any, error) {
			return s.MarkSeen(ctx, runs[2].ID, []string{"host-000011", "host-000012", "host-000012", "host-a", "nope"}, t0.Add(6*time.Hour))
		}},
		{"rewrite a retired host", write(2, []model.HostRecord{makeHost(13, 1)}, t0.Add(7*time.Hour))},
		{"fail run 3", func(s testStore, runs []Run) (any, error) {
			return nil, s.FinishRun(ctx, runs[2].ID, OutcomeFailed, "boom: ünïcode", RunStats{Pages: 1}, t0.Add(8*time.Hour))
		}},
		{"counts", func(s testStore, runs []Run) (any, error) { return s.Counts(ctx) }},
		{"states", func(s testStore, runs []Run) (any, error) { return s.HostStates(ctx) }},
		{"unfinished", func(s testStore, runs []Run) (any, error) { return s.UnfinishedRun(ctx, "k3") }},
	}

	runs := make([][]Run, len(stores))
	for i, s := range stores {
		for _, key := range []string{"k1", "k2", "k3"} {
			r, err := s.StartRun(ctx, RunStart{Connector: "c1", Mode: "full", Started: t0, ResumeKey: key})
			if err != nil {
				t.Fatal(err)
			}
			runs[i] = append(runs[i], r)
		}
	}
	for _, st := range steps {
		var out []string
		for i, s := range stores {
			v, err := st.do(s, runs[i])
			out = append(out, fmt.Sprintf("%+v %v", v, err))
		}
		if out[0] != out[1] {
			t.Errorf("%s:\n sqlite   %s\n postgres %s", st.name, out[0], out[1])
		} else {
			t.Logf("%s: %s", st.name, out[0])
		}
	}
	var all [][]Run
	for _, s := range stores {
		r, err := s.Runs(ctx, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	if a, b := fmt.Sprintf("%+v", all[0]), fmt.Sprintf("%+v", all[1]); a != b {
		t.Errorf("runs:\n sqlite   %s\n postgres %s", a, b)
	}

	exp := [][]byte{exportAll(t, lite), exportAll(t, pg)}
	if !bytes.Equal(exp[0], exp[1]) {
		a, b := strings.Split(string(exp[0]), "\n"), strings.Split(string(exp[1]), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("exports differ at line %d:\n sqlite   %s\n postgres %s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("exports differ in length: %d and %d lines", len(a), len(b))
	}
	for _, want := range []string{"host-B", "host-é",
		"pkg-00003,package 3,a synthetic software package for tests,1.3.3,vendor 3,2024-08-07T21:06:07.123456789Z,2025-03-04T10:06:07.123456789Z,", // widened
		"pkg-00004,package 4,a synthetic software package for tests,1.4.4,vendor 4,2025-03-04T01:06:07.123456789Z,,",                               // not narrowed
		"pkg-00005,package 5,a synthetic software package for tests,1.5.5,vendor 5,2024-05-16T13:06:07.123456789Z,2025-03-04T14:06:07.123456789Z,", // merged
		"\"status\":\"inactive\"", "\"status\":\"removed\"", `\u0000`, "mv-1,host-000061"} {
		if !bytes.Contains(exp[0], []byte(want)) {
			t.Errorf("the export lacks %q: the test no longer covers it", want)
		}
	}
}

func TestSetHostState(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 600, time.FixedZone("X", 3600))
	for _, tc := range []struct{ doc, status, want string }{
		{`{"uid":"h","status":"active","x":{"status":1},"retiredAt":null,"n":1.50}`, "inactive",
			`{"uid":"h","status":"inactive","x":{"status":1},"retiredAt":"2025-01-02T02:04:05.0000006Z","n":1.50}`},
		{`{"uid":"h"}`, "active", `{"uid":"h","status":"active","retiredAt":"2025-01-02T02:04:05.0000006Z"}`},
		{`{}`, "active", `{"status":"active","retiredAt":"2025-01-02T02:04:05.0000006Z"}`},
	} {
		got, err := setHostState([]string{tc.doc}, tc.status, &at)
		if err != nil || got[0] != tc.want {
			t.Errorf("setHostState(%s) = %v, %v; want %s", tc.doc, got, err, tc.want)
		}
	}
	got, err := setHostState([]string{`{"status":"inactive","retiredAt":"x"}`}, "active", nil)
	if err != nil || got[0] != `{"status":"active","retiredAt":null}` {
		t.Errorf("reactivate: %v, %v", got, err)
	}
	if _, err := setHostState([]string{`[1]`}, "active", nil); err == nil {
		t.Error("a doc that is not an object was rewritten")
	}
}
