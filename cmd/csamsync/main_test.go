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

func TestConnectorCommands(t *testing.T) {
	emu, url := startEmulator(t, 80)
	db := filepath.Join(t.TempDir(), "inv.db")
	key := []string{"CSAMSYNC_SECRET_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "CSAMSYNC_DB=" + db}

	out, errs, code := runCLI(t, key, "connector", "create", "prod", "--url", url, "--username", "alice",
		"--password", "pa55-w0rd-secret", "--page-size", "40", "--tags", "Production", "--daily", "03:30", "--timezone", "Europe/Paris", "--json")
	if code != 0 || !strings.Contains(out, `"result":"created"`) {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	raw, _ := os.ReadFile(db)
	if bytes.Contains(raw, []byte("pa55-w0rd-secret")) {
		t.Fatal("the password is stored in clear text")
	}
	show, _, _ := runCLI(t, key, "connector", "show", "prod", "--json")
	if strings.Contains(show, "pa55-w0rd-secret") || !strings.Contains(show, `"state":"Registered"`) || !strings.Contains(show, "stored encrypted") ||
		!strings.Contains(show, "daily at 03:30 Europe/Paris") {
		t.Fatalf("show: %s", show)
	}
	// Without the key the stored secret cannot be read: a clear error.
	_, errs, code = runCLI(t, []string{"CSAMSYNC_DB=" + db, "CSAMSYNC_SECRET_KEY="}, "connector", "run", "prod")
	if code == 0 || !strings.Contains(errs, "CSAMSYNC_SECRET_KEY") {
		t.Fatalf("run without key: %d %s", code, errs)
	}
	// A wrong key is a clear error too.
	_, errs, code = runCLI(t, []string{"CSAMSYNC_DB=" + db, "CSAMSYNC_SECRET_KEY=" + strings.Repeat("ab", 32)}, "connector", "run", "prod")
	if code == 0 || !strings.Contains(errs, "cannot decrypt") {
		t.Fatalf("run with a wrong key: %d %s", code, errs)
	}
	out, errs, code = runCLI(t, key, "connector", "run", "prod", "--json")
	if code != 0 || !strings.Contains(out, `"mode":"full"`) || !strings.Contains(out, `"outcome":"success"`) {
		t.Fatalf("run: %d %s %s", code, out, errs)
	}
	emu.SimulateChanges(3, 2, 0, 0)
	out, _, code = runCLI(t, key, "connector", "run", "prod", "--json")
	if code != 0 || !strings.Contains(out, `"mode":"delta"`) {
		t.Fatalf("second run should be a delta: %s", out)
	}
	show, _, _ = runCLI(t, key, "connector", "show", "prod")
	if !strings.Contains(show, "Processed") || !strings.Contains(show, "delta") || !strings.Contains(show, "full") {
		t.Fatalf("show after runs: %s", show)
	}
	out, _, code = runCLI(t, key, "connector", "test", "prod")
	if code != 0 || strings.Count(out, "PASS") != 5 {
		t.Fatalf("connector test: %d %s", code, out)
	}

	yaml := filepath.Join(t.TempDir(), "connectors.yaml")
	os.WriteFile(yaml, []byte("connectors:\n  - name: lab\n    url: "+url+"\n    username: alice\n    password_env: LAB_PW\n    os_category2: Server, Client\n"), 0o600)
	for i, want := range []string{"connector lab created", "connector lab unchanged"} {
		out, errs, code := runCLI(t, key, "apply", "-f", yaml)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("apply #%d: %d %q %s", i+1, code, out, errs)
		}
	}
	list, _, _ := runCLI(t, key, "connector", "list")
	if !strings.Contains(list, "lab") || !strings.Contains(list, "prod") {
		t.Fatalf("list: %s", list)
	}
	if out, _, code := runCLI(t, key, "connector", "delete", "lab"); code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("delete: %s", out)
	}
	if _, errs, code := runCLI(t, key, "connector", "show", "lab"); code == 0 || !strings.Contains(errs, "does not exist") {
		t.Fatalf("show deleted: %s", errs)
	}
}
