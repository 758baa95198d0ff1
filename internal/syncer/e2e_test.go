package syncer_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/emulator"
	"github.com/csamsync/csamsync/internal/mapping"
	"github.com/csamsync/csamsync/internal/model"
	"github.com/csamsync/csamsync/internal/store"
	"github.com/csamsync/csamsync/internal/syncer"
)

// testEnv is an emulator on loopback, a client for it and a fresh SQLite file.
type testEnv struct {
	emu *emulator.Server
	cl  *client.Client
	st  *store.SQLite
	url string
}

func newEnv(t *testing.T, assets int, cfg emulator.Config) *testEnv {
	t.Helper()
	cfg.Assets, cfg.Username, cfg.Password = assets, "user", "secret-password"
	if cfg.Seed == 0 {
		cfg.Seed = 7
	}
	emu := emulator.New(cfg)
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "inv.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &testEnv{emu: emu, st: st, url: url, cl: newClient(t, url)}
}

func newClient(t *testing.T, url string) *client.Client {
	t.Helper()
	cl, err := client.New(client.Config{
		BaseURL: url, Username: "user", Password: "secret-password", Parallel: 2, MaxRetries: 8,
		Backoff: client.BackoffConfig{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond},
		MaxWait: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// exported returns every object of a kind as canonical JSON lines, by uid.
func exported(t *testing.T, st store.Store, kind store.Kind) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := st.Export(context.Background(), kind, func(v any) error {
		b, err := json.Marshal(v, json.Deterministic(true))
		if err != nil {
			return err
		}
		var uid string
		switch o := v.(type) {
		case model.Host:
			uid = o.UID
		case model.Package:
			uid = o.UID
		case model.InstalledPackage:
			uid = o.UID
		}
		if _, dup := out[uid]; dup {
			t.Errorf("%s: duplicate uid %s", kind, uid)
		}
		out[uid] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expected maps what the emulator holds, the way the sync must store it.
func expected(t *testing.T, emu *emulator.Server) (hosts map[string]model.Host, pkgs map[string]model.Package, inst map[string]model.InstalledPackage) {
	t.Helper()
	hosts, pkgs, inst = map[string]model.Host{}, map[string]model.Package{}, map[string]model.InstalledPackage{}
	for id := range emu.AssetIDs() {
		a, ok := emu.Asset(id)
		if !ok {
			t.Fatalf("asset %d vanished", id)
		}
		rec, err := mapping.MapAsset(a)
		if err != nil {
			t.Fatal(err)
		}
		hosts[rec.Host.UID] = rec.Host
		for _, p := range rec.Packages {
			// A package keeps the earliest install and latest update over all hosts.
			if old, ok := pkgs[p.UID]; ok {
				p.SourceCreatedDate = minTime(old.SourceCreatedDate, p.SourceCreatedDate)
				p.SourceLastModified = maxTime(old.SourceLastModified, p.SourceLastModified)
			}
			pkgs[p.UID] = p
		}
		for _, ip := range rec.Installed {
			inst[ip.UID] = ip
		}
	}
	return hosts, pkgs, inst
}

func runSync(t *testing.T, env *testEnv, parallel, pageSize int) syncer.Result {
	t.Helper()
	res, err := syncer.Run(context.Background(), syncer.Options{
		Client: env.cl, Store: env.st, Query: client.AssetQuery{PageSize: pageSize}, Parallel: parallel, ResumeKey: "test",
	})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return res
}

// TestSyncMatchesEmulator is the end-to-end check: with rate limits, a 503
// burst and a token that expires mid-run, the inventory equals exactly what
// the emulator holds (ids, dates, tags), with no duplicates.
func TestSyncMatchesEmulator(t *testing.T) {
	env := newEnv(t, 700, emulator.Config{RateLimit: 40, RateWindow: 2 * time.Second, ConcurrencyLimit: 2})
	f := env.emu.Faults()
	for _, spec := range []emulator.FaultSpec{
		{Name: emulator.FaultBurst5xx, Count: 3},
		{Name: emulator.FaultTokenExpiry, Count: 1},
		{Name: emulator.FaultRate429, Count: 2, ToWait: 100 * time.Millisecond},
	} {
		if err := f.Enable(spec); err != nil {
			t.Fatal(err)
		}
	}
	res := runSync(t, env, 2, 30) // 700 assets in pages of 30: two id ranges
	if res.Run.Outcome != store.OutcomeSuccess || res.Run.Stats.Assets != 700 || res.Total != 700 {
		t.Fatalf("run: %+v total %d", res.Run, res.Total)
	}
	if res.Run.Stats.Retries == 0 {
		t.Fatalf("faults were on, but no retry was recorded: %+v", res.Run.Stats)
	}
	if fired := f.Fired(); fired[emulator.FaultTokenExpiry] != 1 || fired[emulator.FaultBurst5xx] != 3 {
		t.Fatalf("faults fired: %v", fired)
	}

	wantHosts, wantPkgs, wantInst := expected(t, env.emu)
	gotHosts := exported(t, env.st, store.KindHosts)
	if len(gotHosts) != len(wantHosts) {
		t.Fatalf("hosts: got %d, want %d", len(gotHosts), len(wantHosts))
	}
	for uid, h := range wantHosts {
		var got model.Host
		if err := json.Unmarshal([]byte(gotHosts[uid]), &got); err != nil {
			t.Fatalf("host %s missing or unreadable: %v", uid, err)
		}
		if got.UID != h.UID || !slices.Equal(got.Tags, h.Tags) || !timeEq(got.FirstSeen, h.FirstSeen) ||
			!timeEq(got.LastSeen, h.LastSeen) || !timeEq(got.SourceLastModified, h.SourceLastModified) ||
			got.Name != h.Name || got.OperatingSystem != h.OperatingSystem || !slices.Equal(got.IPAddresses, h.IPAddresses) ||
			got.Attributes["asset.assetUUID"] != h.Attributes["asset.assetUUID"] {
			t.Fatalf("host %s differs:\n got %s\nwant %+v", uid, gotHosts[uid], h)
		}
	}
	gotPkgs := exported(t, env.st, store.KindPackages)
	if len(gotPkgs) != len(wantPkgs) {
		t.Fatalf("packages: got %d, want %d", len(gotPkgs), len(wantPkgs))
	}
	for uid, p := range wantPkgs {
		var got model.Package
		if err := json.Unmarshal([]byte(gotPkgs[uid]), &got); err != nil {
			t.Fatalf("package %s: %v", uid, err)
		}
		if got.Name != p.Name || got.Revision != p.Revision || got.Attributes["software.id"] != p.Attributes["software.id"] ||
			!timeEq(got.SourceCreatedDate, p.SourceCreatedDate) || !timeEq(got.SourceLastModified, p.SourceLastModified) {
			t.Fatalf("package %s differs: got %s want %+v", uid, gotPkgs[uid], p)
		}
	}
	gotInst := exported(t, env.st, store.KindInstalledPackages)
	if len(gotInst) != len(wantInst) {
		t.Fatalf("installed packages: got %d, want %d", len(gotInst), len(wantInst))
	}
	for uid, ip := range wantInst {
		var got model.InstalledPackage
		if err := json.Unmarshal([]byte(gotInst[uid]), &got); err != nil {
			t.Fatalf("installed %s: %v", uid, err)
		}
		if got.Targets != ip.Targets || got.Type != ip.Type || got.InstallPath != ip.InstallPath ||
			!timeEq(got.InstallDate, ip.InstallDate) || got.Status != model.InstalledPresent {
			t.Fatalf("installed %s differs: got %s want %+v", uid, gotInst[uid], ip)
		}
	}

	// Idempotence: the same source data gives the same rows.
	before := [3]map[string]string{gotHosts, gotPkgs, gotInst}
	second := runSync(t, env, 1, 100)
	if second.Run.Stats.HostsAdded != 0 || second.Run.Stats.HostsUpdated != 0 {
		t.Fatalf("re-sync changed hosts: %+v", second.Run.Stats)
	}
	for i, kind := range []store.Kind{store.KindHosts, store.KindPackages, store.KindInstalledPackages} {
		after := exported(t, env.st, kind)
		if len(after) != len(before[i]) {
			t.Fatalf("%s: %d rows after re-sync, %d before", kind, len(after), len(before[i]))
		}
		for uid, line := range before[i] {
			if after[uid] != line {
				t.Fatalf("%s %s changed on re-sync:\n%s\n%s", kind, uid, line, after[uid])
			}
		}
	}
}

func timeEq(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// TestSearchCallsAreLinear: a full sync of N hosts costs ceil(N/pageSize)
// search calls plus a constant (the count, range planning, range ends).
func TestSearchCallsAreLinear(t *testing.T) {
	env := newEnv(t, 1000, emulator.Config{RateLimit: -1, ConcurrencyLimit: -1})
	res := runSync(t, env, 2, 100)
	searches := 0
	for status, n := range env.emu.Stats().Requests["/rest/2.0/search/am/asset"] {
		_ = status
		searches += n
	}
	if pages := (1000 + 99) / 100; searches > pages+2 || searches < pages {
		t.Fatalf("%d search calls for %d pages", searches, pages)
	}
	if res.Run.Stats.Pages < 10 {
		t.Fatalf("pages %d", res.Run.Stats.Pages)
	}
}

func minTime(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

func maxTime(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}

// TestCancelCheckpointsAndResumes: a cancelled run (SIGTERM in serve) keeps
// what it committed, records a failed run with its checkpoint, and the next
// run resumes from it to the same inventory as an uninterrupted run.
func TestCancelCheckpointsAndResumes(t *testing.T) {
	env := newEnv(t, 400, emulator.Config{RateLimit: -1, ConcurrencyLimit: -1})
	env.emu.Faults().Enable(emulator.FaultSpec{Name: emulator.FaultSlow, Delay: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	opts := syncer.Options{Client: env.cl, Store: env.st, Query: client.AssetQuery{PageSize: 50}, Parallel: 2, ResumeKey: "cancel",
		Progress: func(p syncer.Progress) {
			if p.Pages >= 2 {
				cancel()
			}
		}}
	res, err := syncer.Run(ctx, opts)
	if err == nil || res.Run.Outcome != store.OutcomeFailed {
		t.Fatalf("a cancelled run must fail: %v %+v", err, res.Run)
	}
	if res.Run.Stats.Assets == 0 || res.Run.Stats.Assets >= 400 {
		t.Fatalf("assets committed before the cancel: %d", res.Run.Stats.Assets)
	}
	env.emu.Faults().Clear()
	opts.Progress = nil
	again, err := syncer.Run(context.Background(), opts)
	if err != nil || !again.Resumed || again.Run.ID != res.Run.ID {
		t.Fatalf("rerun: %v resumed=%v id %d vs %d", err, again.Resumed, again.Run.ID, res.Run.ID)
	}
	wantHosts, _, wantInst := expected(t, env.emu)
	if got := exported(t, env.st, store.KindHosts); len(got) != len(wantHosts) {
		t.Fatalf("hosts after resume: %d, want %d", len(got), len(wantHosts))
	}
	if got := exported(t, env.st, store.KindInstalledPackages); len(got) != len(wantInst) {
		t.Fatalf("installed after resume: %d, want %d", len(got), len(wantInst))
	}
}
