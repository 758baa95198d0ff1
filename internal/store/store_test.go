package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/model"
)

// The backend-agnostic store tests (see suite_test.go).

func TestWritePageCounting(t *testing.T) { eachBackend(t, testWritePageCounting) }

func testWritePageCounting(t *testing.T, open opener) {
	s, _ := open(t)
	run := startRun(t, s, "k")
	changed := func(r model.HostRecord) model.HostRecord {
		r.Host.Tags = append(r.Host.Tags, "changed")
		return r
	}
	steps := []struct {
		name string
		recs []model.HostRecord
		want PageResult
	}{
		{"new", []model.HostRecord{makeHost(1, 1, 2), makeHost(2, 2, 3), makeHost(3)},
			PageResult{HostsAdded: 3, PackagesWritten: 3, InstalledWritten: 4}},
		{"same again", []model.HostRecord{makeHost(1, 1, 2), makeHost(2, 2, 3), makeHost(3)},
			PageResult{PackagesWritten: 3, InstalledWritten: 4}},
		{"one changed", []model.HostRecord{makeHost(1, 1, 2), changed(makeHost(2, 2, 3))},
			PageResult{HostsUpdated: 1, PackagesWritten: 3, InstalledWritten: 4}},
		{"changed again is not a change", []model.HostRecord{changed(makeHost(2, 2, 3))},
			PageResult{PackagesWritten: 2, InstalledWritten: 2}},
		{"one new one back", []model.HostRecord{makeHost(4, 1), makeHost(2, 2, 3)},
			PageResult{HostsAdded: 1, HostsUpdated: 1, PackagesWritten: 3, InstalledWritten: 3}},
		{"duplicate in page", []model.HostRecord{changed(makeHost(5)), makeHost(5)},
			PageResult{HostsAdded: 1, HostsUpdated: 1}},
		{"empty page", nil, PageResult{}},
	}
	for i, step := range steps {
		got, err := s.WritePage(context.Background(), run.ID, step.recs, RunStats{Pages: int64(i + 1)}, fmt.Sprint(i), t0)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got != step.want {
			t.Errorf("%s: got %+v, want %+v", step.name, got, step.want)
		}
	}
	counts, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[Kind]int64{KindHosts: 5, KindPackages: 3, KindInstalledPackages: 5}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("count %s = %d, want %d", k, counts[k], n)
		}
	}
}

// exportAll returns every kind in both formats.
func exportAll(t *testing.T, s Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, kind := range []Kind{KindHosts, KindPackages, KindInstalledPackages} {
		for _, format := range []string{FormatJSONL, FormatCSV} {
			fmt.Fprintf(&buf, "== %s %s\n", kind, format)
			if _, err := WriteExport(context.Background(), s, kind, format, &buf); err != nil {
				t.Fatal(err)
			}
		}
	}
	return buf.Bytes()
}

func TestIdempotentRewrite(t *testing.T) { eachBackend(t, testIdempotentRewrite) }

func testIdempotentRewrite(t *testing.T, open opener) {
	s, _ := open(t)
	run := startRun(t, s, "k")
	writePage(t, s, run.ID, makePage(0, 20, 10, 50), t0)
	exp1, rows1 := exportAll(t, s), dumpTables(t, s)

	// The same records, built anew, later, by another run.
	run2 := startRun(t, s, "k")
	res := writePage(t, s, run2.ID, makePage(0, 20, 10, 50), t0.Add(time.Hour))
	if res.HostsAdded != 0 || res.HostsUpdated != 0 || res.InstalledRemoved != 0 {
		t.Errorf("rewrite changed something: %+v", res)
	}
	if res.InstalledWritten != 200 {
		t.Errorf("InstalledWritten = %d, want 200", res.InstalledWritten)
	}
	exp2, rows2 := exportAll(t, s), dumpTables(t, s)
	if !bytes.Equal(exp1, exp2) {
		t.Error("export changed after an identical rewrite")
	}
	if rows1 != rows2 {
		t.Error("rows changed after an identical rewrite")
	}
	if stale := hostsNotStampedBy(t, s, run2.ID); stale != 0 {
		t.Errorf("%d hosts not marked with the last run", stale)
	}

	// A fresh database holding the same records exports the same bytes.
	s2, _ := open(t)
	run3 := startRun(t, s2, "k")
	writePage(t, s2, run3.ID, makePage(0, 20, 10, 50), t0.Add(48*time.Hour))
	if !bytes.Equal(exp1, exportAll(t, s2)) {
		t.Error("export differs between databases with the same records")
	}
}

// installedState returns uid -> "status removedAt" of a host's installed packages.
func installedState(t *testing.T, s Store, host string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := s.Export(context.Background(), KindInstalledPackages, func(v any) error {
		ip := v.(model.InstalledPackage)
		if ip.Targets == host {
			ra := "-"
			if ip.RemovedAt != nil {
				ra = ip.RemovedAt.Format(time.RFC3339)
			}
			m[strings.TrimPrefix(ip.UID, host+"/")] = ip.Status + " " + ra
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRemovedSoftware(t *testing.T) { eachBackend(t, testRemovedSoftware) }

func testRemovedSoftware(t *testing.T, open opener) {
	s, _ := open(t)
	run := startRun(t, s, "k")
	excludedAttr := func(r model.HostRecord) model.HostRecord {
		r.Installed, r.Packages = nil, nil
		r.Host.Attributes[SoftwareExcludedAttr] = true
		return r
	}
	excluded := func(r model.HostRecord) model.HostRecord {
		r.Installed, r.Packages = r.Installed[:1], r.Packages[:1]
		r.SoftwareExcluded = true
		return r
	}
	t1, t2, t3 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	steps := []struct {
		name        string
		rec         model.HostRecord
		now         time.Time
		wantRemoved int64
		want        map[string]string
	}{
		{"initial", makeHost(1, 1, 2, 3), t0, 0,
			map[string]string{"pkg-00001": "present -", "pkg-00002": "present -", "pkg-00003": "present -"}},
		{"3 gone", makeHost(1, 1, 2), t1, 1,
			map[string]string{"pkg-00001": "present -", "pkg-00002": "present -", "pkg-00003": "removed " + t1.Format(time.RFC3339)}},
		{"still gone keeps removedAt", makeHost(1, 1, 2), t2, 0,
			map[string]string{"pkg-00001": "present -", "pkg-00002": "present -", "pkg-00003": "removed " + t1.Format(time.RFC3339)}},
		{"3 back", makeHost(1, 1, 2, 3), t2, 0,
			map[string]string{"pkg-00001": "present -", "pkg-00002": "present -", "pkg-00003": "present -"}},
		{"software excluded (attribute) keeps rows", excludedAttr(makeHost(1)), t3, 0,
			map[string]string{"pkg-00001": "present -", "pkg-00002": "present -", "pkg-00003": "present -"}},
		{"software excluded (record) keeps rows", excluded(makeHost(1, 1, 2, 3)), t3, 0,
			map[string]string{"pkg-00001": "present -", "pkg-00002": "present -", "pkg-00003": "present -"}},
		{"empty list removes all", makeHost(1), t3, 3,
			map[string]string{"pkg-00001": "removed " + t3.Format(time.RFC3339), "pkg-00002": "removed " + t3.Format(time.RFC3339), "pkg-00003": "removed " + t3.Format(time.RFC3339)}},
		{"2 back", makeHost(1, 2), t3, 0,
			map[string]string{"pkg-00001": "removed " + t3.Format(time.RFC3339), "pkg-00002": "present -", "pkg-00003": "removed " + t3.Format(time.RFC3339)}},
	}
	for _, step := range steps {
		// Another host in the page is never touched.
		res := writePage(t, s, run.ID, []model.HostRecord{step.rec, makeHost(2, 1, 2, 3)}, step.now)
		if res.InstalledRemoved != step.wantRemoved {
			t.Errorf("%s: InstalledRemoved = %d, want %d", step.name, res.InstalledRemoved, step.wantRemoved)
		}
		if got := installedState(t, s, "host-000001"); fmt.Sprint(got) != fmt.Sprint(step.want) {
			t.Errorf("%s:\n got %v\nwant %v", step.name, got, step.want)
		}
		if got := installedState(t, s, "host-000002"); len(got) != 3 || got["pkg-00001"] != "present -" {
			t.Errorf("%s: other host: %v", step.name, got)
		}
	}
}

func TestFailedPageLeavesNothing(t *testing.T) { eachBackend(t, testFailedPageLeavesNothing) }

func testFailedPageLeavesNothing(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	run := startRun(t, s, "k")
	if _, err := s.WritePage(ctx, run.ID, makePage(0, 5, 3, 10), RunStats{Pages: 1, HostsAdded: 5}, "cp1", t0); err != nil {
		t.Fatal(err)
	}
	before, beforeRows := exportAll(t, s), dumpTables(t, s)

	brokenFK := makeHost(101, 1)
	brokenFK.Packages = nil // installs an unknown package: foreign key
	brokenFK.Installed[0].Type = "pkg-unknown"
	brokenFK.Installed[0].UID = "x"
	changedOld := makeHost(0, 1, 2)
	changedOld.Host.Name = "renamed"
	noUID := makeHost(102)
	noUID.Host.UID = ""
	wrongTarget := makeHost(103, 1)
	wrongTarget.Installed[0].Targets = "host-000000"
	noPkgUID := makeHost(104, 1)
	noPkgUID.Packages[0].UID = ""
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	for _, tc := range []struct {
		name  string
		ctx   context.Context
		runID int64
		recs  []model.HostRecord
		want  error
	}{
		{"foreign key after good rows", ctx, run.ID, append(makePage(100, 1, 3, 10), changedOld, brokenFK), nil},
		{"host without uid", ctx, run.ID, []model.HostRecord{makeHost(100, 1), noUID}, nil},
		{"installed on another host", ctx, run.ID, []model.HostRecord{makeHost(100, 1), wrongTarget}, nil},
		{"package without uid", ctx, run.ID, []model.HostRecord{makeHost(100, 1), noPkgUID}, nil},
		{"unknown run", ctx, run.ID + 100, makePage(100, 2, 3, 10), ErrNotFound},
		{"canceled context", canceled, run.ID, makePage(100, 2, 3, 10), context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.WritePage(tc.ctx, tc.runID, tc.recs, RunStats{Pages: 2, HostsAdded: 99}, "cp2", t0.Add(time.Hour))
			if err == nil {
				t.Fatal("WritePage succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !bytes.Equal(before, exportAll(t, s)) || beforeRows != dumpTables(t, s) {
				t.Fatal("failed page changed the inventory")
			}
			r, err := s.UnfinishedRun(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			if r.Checkpoint != "cp1" || r.Stats.Pages != 1 || r.Stats.HostsAdded != 5 {
				t.Fatalf("failed page changed the run: %+v", r)
			}
		})
	}

	// Cancel while a big page is being written: all or nothing.
	big := makePage(1000, 200, 100, 3000)
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := s.WritePage(cctx, run.ID, big, RunStats{Pages: 2}, "cp2", t0)
	counts, cerr := s.Counts(ctx)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Logf("canceled mid-page: %v", err)
		if counts[KindHosts] != 5 || !bytes.Equal(before, exportAll(t, s)) {
			t.Fatalf("canceled page left rows: %v", counts)
		}
	} else if counts[KindHosts] != 205 || counts[KindInstalledPackages] != 15+20000 {
		t.Fatalf("page finished before the cancel but counts are %v", counts)
	}
}

func TestRunsRoundTrip(t *testing.T) { eachBackend(t, testRunsRoundTrip) }

func testRunsRoundTrip(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	started := time.Date(2025, 1, 2, 3, 4, 5, 987654321, time.FixedZone("X", -5*3600))
	r1, err := s.StartRun(ctx, RunStart{Connector: "prod", Mode: "full", Started: started, ResumeKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.ID == 0 || r1.Outcome != OutcomeRunning || !r1.Started.Equal(started) || r1.Started.Location() != time.UTC ||
		r1.Ended != nil || r1.Connector != "prod" || r1.Mode != "full" || r1.ResumeKey != "k1" {
		t.Fatalf("StartRun = %+v", r1)
	}
	r2 := startRun(t, s, "k2")
	r3, err := s.StartRun(ctx, RunStart{Connector: "prod", Mode: "delta", Started: started.Add(time.Hour), ResumeKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}

	stats := RunStats{Pages: 1, Assets: 2, APICalls: 3, Retries: 4, HostsWritten: 5, PackagesWritten: 6,
		InstalledWritten: 7, HostsAdded: 8, HostsUpdated: 9, HostsRetired: 10, InstalledRemoved: 11, Skipped: 12}
	if _, err := s.WritePage(ctx, r1.ID, nil, stats, `{"cursor":"abc"}`, t0); err != nil {
		t.Fatal(err)
	}
	final := stats
	final.Pages = 100
	ended := started.Add(30 * time.Minute)
	if err := s.FinishRun(ctx, r1.ID, OutcomeFailed, "boom", final, ended); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, 999, OutcomeSuccess, "", final, ended); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FinishRun of unknown run: %v", err)
	}

	all, err := s.Runs(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != r3.ID || all[1].ID != r2.ID || all[2].ID != r1.ID {
		t.Fatalf("Runs order: %+v", all)
	}
	got := all[2]
	if got.Outcome != OutcomeFailed || got.Error != "boom" || got.Stats != final ||
		got.Checkpoint != `{"cursor":"abc"}` || got.Ended == nil || !got.Ended.Equal(ended) || !got.Started.Equal(started) {
		t.Fatalf("run after FinishRun: %+v", got)
	}

	for _, tc := range []struct {
		connector string
		limit     int
		want      []int64
	}{
		{"", 0, []int64{r3.ID, r2.ID, r1.ID}},
		{"", 2, []int64{r3.ID, r2.ID}},
		{"prod", 0, []int64{r3.ID, r1.ID}},
		{"prod", 1, []int64{r3.ID}},
		{"c1", 0, []int64{r2.ID}},
		{"none", 0, nil},
	} {
		runs, err := s.Runs(ctx, tc.connector, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range runs {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("Runs(%q, %d) = %v, want %v", tc.connector, tc.limit, ids, tc.want)
		}
	}
}

func TestUnfinishedRun(t *testing.T) { eachBackend(t, testUnfinishedRun) }

func testUnfinishedRun(t *testing.T, open opener) {
	type op struct {
		key        string
		checkpoint string // "" = no page written
		outcome    string // "" = still running
	}
	for _, tc := range []struct {
		name string
		runs []op
		want int // index into runs, -1 = ErrNotFound
	}{
		{"none", nil, -1},
		{"running with checkpoint", []op{{"k", "cp", ""}}, 0},
		{"failed with checkpoint", []op{{"k", "cp", OutcomeFailed}}, 0},
		{"failed without checkpoint", []op{{"k", "", OutcomeFailed}}, -1},
		{"succeeded", []op{{"k", "cp", OutcomeSuccess}}, -1},
		{"failed then succeeded", []op{{"k", "cp", OutcomeFailed}, {"k", "cp", OutcomeSuccess}}, -1},
		{"succeeded then failed", []op{{"k", "cp", OutcomeSuccess}, {"k", "cp", OutcomeFailed}}, 1},
		{"newest of two failed", []op{{"k", "cp1", OutcomeFailed}, {"k", "cp2", OutcomeFailed}}, 1},
		{"newer failed without checkpoint", []op{{"k", "cp1", OutcomeFailed}, {"k", "", OutcomeFailed}}, 0},
		{"other key", []op{{"k", "cp", OutcomeFailed}, {"other", "cp", OutcomeFailed}, {"other", "", OutcomeSuccess}}, 0},
		{"only other key", []op{{"other", "cp", OutcomeFailed}}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := open(t)
			var ids []int64
			for _, o := range tc.runs {
				r := startRun(t, s, o.key)
				ids = append(ids, r.ID)
				if o.checkpoint != "" {
					if _, err := s.WritePage(ctx, r.ID, nil, RunStats{Pages: 1}, o.checkpoint, t0); err != nil {
						t.Fatal(err)
					}
				}
				if o.outcome != "" {
					if err := s.FinishRun(ctx, r.ID, o.outcome, "", RunStats{}, t0); err != nil {
						t.Fatal(err)
					}
				}
			}
			r, err := s.UnfinishedRun(ctx, "k")
			if tc.want < 0 {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("got %+v, %v; want ErrNotFound", r, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.ID != ids[tc.want] || r.Checkpoint != tc.runs[tc.want].checkpoint {
				t.Fatalf("got run %d (%q), want %d", r.ID, r.Checkpoint, ids[tc.want])
			}
		})
	}
}

func TestConcurrentHandles(t *testing.T) { eachBackend(t, testConcurrentHandles) }

func testConcurrentHandles(t *testing.T, open opener) {
	ctx := context.Background()
	_, dsn := open(t)
	const writers, pages, hostsPerPage = 2, 5, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		s := reopen(t, dsn) // a handle each, as two processes would
		wg.Go(func() {
			run, err := s.StartRun(ctx, RunStart{Connector: fmt.Sprint(w), Started: t0, ResumeKey: fmt.Sprint(w)})
			if err != nil {
				errs <- err
				return
			}
			for p := range pages {
				recs := makePage((w*pages+p)*hostsPerPage, hostsPerPage, 20, 100) // shared packages
				if _, err := s.WritePage(ctx, run.ID, recs, RunStats{Pages: int64(p + 1)}, fmt.Sprint(p), t0); err != nil {
					errs <- fmt.Errorf("writer %d page %d: %w", w, p, err)
					return
				}
			}
			errs <- s.FinishRun(ctx, run.ID, OutcomeSuccess, "", RunStats{Pages: pages}, t0)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := reopen(t, dsn)
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(writers * pages * hostsPerPage); counts[KindHosts] != want || counts[KindInstalledPackages] != want*20 {
		t.Fatalf("counts %v, want %d hosts", counts, want)
	}
	runs, err := s.Runs(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Outcome != OutcomeSuccess || r.Stats.Pages != pages {
			t.Errorf("run %+v", r)
		}
	}
}

func TestExportStreamsValues(t *testing.T) { eachBackend(t, testExportStreamsValues) }

func testExportStreamsValues(t *testing.T, open opener) {
	ctx := context.Background()
	s, _ := open(t)
	run := startRun(t, s, "k")
	writePage(t, s, run.ID, []model.HostRecord{makeHost(3, 3), makeHost(1, 1), makeHost(2, 2)}, t0)
	for _, tc := range []struct {
		kind Kind
		want []string
	}{
		{KindHosts, []string{"host-000001", "host-000002", "host-000003"}},
		{KindPackages, []string{"pkg-00001", "pkg-00002", "pkg-00003"}},
		{KindInstalledPackages, []string{"host-000001/pkg-00001", "host-000002/pkg-00002", "host-000003/pkg-00003"}},
	} {
		var got []string
		err := s.Export(ctx, tc.kind, func(v any) error {
			switch v := v.(type) {
			case model.Host:
				got = append(got, v.UID)
				if v.Attributes["asset.assetId"] != int64(1<<53+3) && v.UID == "host-000003" {
					t.Errorf("assetId %#v", v.Attributes["asset.assetId"])
				}
			case model.Package:
				got = append(got, v.UID)
			case model.InstalledPackage:
				got = append(got, v.UID)
				if v.Status != model.InstalledPresent {
					t.Errorf("status %q", v.Status)
				}
			default:
				t.Fatalf("Export passed a %T", v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.kind, got, tc.want)
		}
	}

	stop := errors.New("stop")
	n := 0
	if err := s.Export(ctx, KindHosts, func(any) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn error: %v after %d", err, n)
	}
	if err := s.Export(ctx, "nope", func(any) error { return nil }); err == nil {
		t.Error("unknown kind exported")
	}
}

// TestLargeHost crosses the multi-row statement size both ways.
func TestLargeHost(t *testing.T) { eachBackend(t, testLargeHost) }

func testLargeHost(t *testing.T, open opener) {
	s, _ := open(t)
	run := startRun(t, s, "k")
	all := make([]int, 150)
	for i := range all {
		all[i] = i
	}
	for _, step := range []struct {
		pkgs        []int
		wantRemoved int64
		wantPresent int
	}{
		{all, 0, 150},
		{all[:20], 130, 20},
		{all[:20], 0, 20},
		{all, 0, 150},
		{nil, 150, 0},
	} {
		res := writePage(t, s, run.ID, []model.HostRecord{makeHost(1, step.pkgs...)}, t0)
		present := 0
		for _, st := range installedState(t, s, "host-000001") {
			if strings.HasPrefix(st, "present") {
				present++
			}
		}
		if res.InstalledRemoved != step.wantRemoved || present != step.wantPresent {
			t.Errorf("%d packages: removed %d, present %d; want %d, %d", len(step.pkgs), res.InstalledRemoved, present, step.wantRemoved, step.wantPresent)
		}
	}
}

// TestConcurrentSameHosts: handles writing the same hosts at once, in
// different orders, all succeed (no deadlock, no duplicate) and leave one
// row per object.
func TestConcurrentSameHosts(t *testing.T) { eachBackend(t, testConcurrentSameHosts) }

func testConcurrentSameHosts(t *testing.T, open opener) {
	ctx := context.Background()
	_, dsn := open(t)
	const writers, pages, hostsPerPage, perHost = 3, 4, 20, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		s := reopen(t, dsn)
		wg.Go(func() {
			run, err := s.StartRun(ctx, RunStart{Connector: fmt.Sprint(w), Started: t0, ResumeKey: fmt.Sprint(w)})
			if err != nil {
				errs <- err
				return
			}
			for i := range pages {
				p := (i + w) % pages
				recs := makePage(p*hostsPerPage, hostsPerPage, perHost, 60)
				if w%2 == 1 { // the same hosts in the other order
					slices.Reverse(recs)
				}
				if _, err := s.WritePage(ctx, run.ID, recs, RunStats{Pages: int64(i + 1)}, "", t0); err != nil {
					errs <- fmt.Errorf("writer %d page %d: %w", w, p, err)
					return
				}
			}
			errs <- nil
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	counts, err := reopen(t, dsn).Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := int64(pages * hostsPerPage); counts[KindHosts] != n || counts[KindInstalledPackages] != n*perHost || counts[KindPackages] != 60 {
		t.Fatalf("counts %v", counts)
	}
}
