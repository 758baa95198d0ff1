package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/emulator"
	"github.com/csamsync/csamsync/internal/store"
)

// TestMain lets the tests run the real command: the test binary re-executes
// itself as csamsync when CSAMSYNC_TEST_MAIN is set.
func TestMain(m *testing.M) {
	if os.Getenv("CSAMSYNC_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// cli prepares csamsync with args; env adds variables.
func cli(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "CSAMSYNC_TEST_MAIN=1"), env...)
	return cmd
}

// runCLI runs csamsync and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := cli(env, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func startEmulator(t *testing.T, assets int) (*emulator.Server, string) {
	t.Helper()
	emu := emulator.New(emulator.Config{Assets: assets, Seed: 11, Username: "alice", Password: "pa55-w0rd-secret",
		RateLimit: -1, ConcurrencyLimit: -1})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu, url
}

func syncEnv(url, db string) []string {
	return []string{"CSAMSYNC_URL=" + url, "CSAMSYNC_USERNAME=alice", "CSAMSYNC_PASSWORD=pa55-w0rd-secret", "CSAMSYNC_DB=" + db}
}

func exportAll(t *testing.T, db string) string {
	t.Helper()
	var all strings.Builder
	for _, kind := range []string{"hosts", "packages", "installed-packages"} {
		out, errs, code := runCLI(t, nil, "export", "--db", db, "--kind", kind, "--format", "jsonl")
		if code != 0 {
			t.Fatalf("export %s: %d %s", kind, code, errs)
		}
		all.WriteString(out)
	}
	return all.String()
}

func TestSyncExportAndSecrets(t *testing.T) {
	_, url := startEmulator(t, 120)
	db := filepath.Join(t.TempDir(), "inv.db")
	_, errs, code := runCLI(t, syncEnv(url, db), "sync", "--page-size", "50", "--progress", "log")
	if code != 0 {
		t.Fatalf("sync exit %d: %s", code, errs)
	}
	if strings.Contains(errs, "pa55-w0rd-secret") {
		t.Fatal("the password appears in the output")
	}
	if !strings.Contains(errs, "SUCCESS") || !strings.Contains(errs, "assets 120 of 120") {
		t.Fatalf("summary: %s", errs)
	}
	hosts, _, _ := runCLI(t, nil, "export", "--db", db, "--kind", "hosts", "--format", "jsonl")
	lines := strings.Split(strings.TrimSpace(hosts), "\n")
	if len(lines) != 120 {
		t.Fatalf("%d host lines", len(lines))
	}
	for _, field := range []string{`"uid":"`, `"hostname":`, `"operatingSystem":`, `"firstSeen":`, `"tags":`, `"ipAddresses":`, `"attributes":{`} {
		if !strings.Contains(lines[0], field) {
			t.Fatalf("host export lacks %s: %s", field, lines[0][:min(len(lines[0]), 300)])
		}
	}
	csv, _, _ := runCLI(t, nil, "export", "--db", db, "--kind", "installed-packages", "--format", "csv")
	if header := strings.SplitN(csv, "\n", 2)[0]; !strings.HasPrefix(header, "uid,targets,type,installDate,installPath") {
		t.Fatalf("csv header %q", header)
	}
	// Bad input gets a clear error and exit code.
	if _, errs, code := runCLI(t, syncEnv(url, db), "sync", "--page-size", "301"); code != 2 || !strings.Contains(errs, "page-size") {
		t.Fatalf("page size 301: exit %d %s", code, errs)
	}
	if _, errs, code := runCLI(t, nil, "export", "--db", db, "--kind", "cars"); code != 2 || !strings.Contains(errs, "--kind") {
		t.Fatalf("bad kind: exit %d %s", code, errs)
	}
	env := syncEnv(url, db)
	env[2] = "CSAMSYNC_PASSWORD=wrong-secret-value"
	if _, errs, code := runCLI(t, env, "sync"); code != 1 || strings.Contains(errs, "wrong-secret-value") || !strings.Contains(errs, "authentication failed") {
		t.Fatalf("wrong password: exit %d %s", code, errs)
	}
}

// TestKillAndResume: kill -9 in the middle of a sync, run the same command
// again, and the inventory equals that of an uninterrupted run.
func TestKillAndResume(t *testing.T) {
	emu, url := startEmulator(t, 600)
	dir := t.TempDir()
	clean, killed := filepath.Join(dir, "clean.db"), filepath.Join(dir, "killed.db")
	if _, errs, code := runCLI(t, syncEnv(url, clean), "sync", "--page-size", "50", "--progress", "none"); code != 0 {
		t.Fatalf("clean sync: %s", errs)
	}

	// Slow pages so that the kill lands mid-run.
	if err := emu.Faults().Enable(emulator.FaultSpec{Name: emulator.FaultSlow, Delay: 150 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	cmd := cli(syncEnv(url, killed), "sync", "--page-size", "50", "--parallel", "1", "--progress", "none")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if pages := committedPages(t, killed); pages >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the sync never committed 3 pages")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL: no chance to clean up
	cmd.Wait()
	emu.Faults().Clear()
	if pages := committedPages(t, killed); pages >= 12 {
		t.Fatalf("the run finished (%d pages) before the kill", pages)
	}

	_, errs, code := runCLI(t, syncEnv(url, killed), "sync", "--page-size", "50", "--parallel", "1", "--progress", "none")
	if code != 0 || !strings.Contains(errs, "(resumed)") {
		t.Fatalf("rerun: exit %d, want a resumed run: %s", code, errs)
	}
	if a, b := exportAll(t, clean), exportAll(t, killed); a != b {
		t.Fatalf("inventory after kill and resume differs from an uninterrupted run (%d vs %d bytes)", len(a), len(b))
	}
}

func committedPages(t *testing.T, db string) int64 {
	if _, err := os.Stat(db); err != nil {
		return 0
	}
	st, err := store.OpenSQLite(context.Background(), db)
	if err != nil {
		return 0
	}
	defer st.Close()
	runs, err := st.Runs(context.Background(), "", 1)
	if err != nil || len(runs) == 0 {
		return 0
	}
	return runs[0].Stats.Pages
}

func TestDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out, errs, code := runCLI(t, nil, "demo", "--assets", "60", "--db", db, "--progress", "none")
	if code != 0 || !strings.Contains(errs, "SUCCESS") || !strings.Contains(out, "export --db") {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errs)
	}
	runs, _, _ := runCLI(t, nil, "runs", "--db", db)
	if !strings.Contains(runs, "success") {
		t.Fatalf("runs: %s", runs)
	}
}

func TestTestConnectionCommand(t *testing.T) {
	_, url := startEmulator(t, 3)
	out, _, code := runCLI(t, nil, "test-connection", "--url", url, "--username", "alice", "--password", "pa55-w0rd-secret")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, name := range []string{"network-reachability", "tls-handshake", "authentication", "authorization-scope", "data-fetch"} {
		if !strings.HasPrefix(lines[i], name) || !strings.Contains(lines[i], "PASS") {
			t.Fatalf("line %d: %q", i, lines[i])
		}
	}
	out, _, code = runCLI(t, nil, "test-connection", "--url", url, "--username", "alice", "--password", "nope-nope")
	if code == 0 || !strings.Contains(out, "authentication") || !strings.Contains(out, "FAIL") {
		t.Fatalf("wrong password: exit %d %s", code, out)
	}
}
