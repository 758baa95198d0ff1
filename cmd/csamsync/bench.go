package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/store"
	"github.com/csamsync/csamsync/internal/syncer"
)

// benchResult is one line of benchmark output.
type benchResult struct {
	Mode         string  `json:"mode"`
	Backend      string  `json:"backend"`
	Assets       int64   `json:"assets"`
	Pages        int64   `json:"pages"`
	APICalls     int64   `json:"apiCalls"`
	SearchCalls  int64   `json:"searchCalls"`
	WallSeconds  float64 `json:"wallSeconds"`
	AssetsPerSec float64 `json:"assetsPerSec"`
	APIMB        float64 `json:"apiMB"`
	MBPerSec     float64 `json:"mbPerSec"`
	Rows         int64   `json:"rows"`
	RowsPerSec   float64 `json:"rowsPerSec"`
	PeakRSSMB    float64 `json:"peakRssMB"`
	DBSizeMB     float64 `json:"dbSizeMB,omitempty"`
}

// cmdBench measures a sync (or the transfer-only baseline) against an
// emulator running as a separate process, so that the peak RSS reported is
// csamsync's alone.
func cmdBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	assets := fs.Int("assets", 2000, "emulated assets")
	mode := fs.String("mode", "sync", "sync (fetch, map, store) or transfer (fetch and discard the same pages)")
	db := fs.String("db", "", "database: a SQLite file (default: a temporary file) or postgres://…")
	parallel := fs.Int("parallel", 2, "requests in flight")
	pageSize := fs.Int("page-size", 300, "assets per page")
	url := fs.String("url", "", "use this running emulator instead of starting one")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile")
	memProfile := fs.String("memprofile", "", "write a heap profile taken when the live heap peaked")
	deltaPct := fs.Float64("delta-percent", 0, "after the full sync, change this percent of hosts in the emulator and measure a delta sync")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mode != "sync" && *mode != "transfer" {
		return usagef("--mode must be sync or transfer")
	}
	if *url == "" {
		u, stop, err := startEmulatorProcess(ctx, *assets)
		if err != nil {
			return err
		}
		defer stop()
		*url = u
	}
	dsn, backend := *db, "sqlite"
	if strings.HasPrefix(dsn, "postgres") {
		backend = "postgres"
		// A fresh schema per run, so that figures are those of an empty
		// database and nothing is left behind.
		schemaDSN, drop, err := benchSchema(ctx, dsn)
		if err != nil {
			return err
		}
		defer drop()
		dsn = schemaDSN
	} else if dsn == "" {
		dir, err := os.MkdirTemp("", "csamsync-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "bench.db")
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	cl, err := client.New(client.Config{BaseURL: *url, Username: "bench", Password: "bench-password", Parallel: *parallel})
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		stop := profileHeapAtPeak(*memProfile)
		defer stop()
	}
	opts := syncer.Options{
		Client: cl, Store: st, Query: client.AssetQuery{PageSize: *pageSize}, Parallel: *parallel,
		ResumeKey: fmt.Sprintf("bench:%d", time.Now().UnixNano()), TransferOnly: *mode == "transfer",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	res, err := syncer.Run(ctx, opts)
	if err != nil {
		return err
	}
	if *deltaPct > 0 {
		if err := writeJSON(os.Stdout, benchLine(*mode, backend, dsn, res)); err != nil {
			return err
		}
		if err := postChanges(ctx, *url, *deltaPct); err != nil {
			return err
		}
		opts.Mode, opts.ResumeKey = syncer.ModeDelta, opts.ResumeKey+":delta"
		opts.Query.AssetLastUpdated = res.Run.Started.Add(-10 * time.Minute)
		if res, err = syncer.Run(ctx, opts); err != nil {
			return err
		}
		*mode = "delta"
	}
	line := benchLine(*mode, backend, dsn, res)
	if backend == "postgres" && *mode != "transfer" {
		line.DBSizeMB = pgSchemaSizeMB(ctx, dsn)
	}
	return writeJSON(os.Stdout, line)
}

// pgSchemaSizeMB is the size of the benchmark schema's tables and indexes.
func pgSchemaSizeMB(ctx context.Context, dsn string) float64 {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, `SELECT COALESCE(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0)::bigint
		FROM pg_tables WHERE schemaname = current_schema()`).Scan(&n); err != nil {
		return 0
	}
	return round(float64(n)/1e6, 1)
}

// benchLine turns a run into the figures a benchmark reports.
func benchLine(mode, backend, dsn string, res syncer.Result) benchResult {
	s := res.Run.Stats
	secs := res.Duration.Seconds()
	r := benchResult{
		Mode: mode, Backend: backend, Assets: s.Assets, Pages: s.Pages, APICalls: s.APICalls, SearchCalls: s.Pages,
		WallSeconds: round(secs, 3), AssetsPerSec: round(float64(s.Assets)/secs, 1),
		APIMB: round(float64(res.Bytes)/1e6, 1), MBPerSec: round(float64(res.Bytes)/1e6/secs, 1),
		PeakRSSMB: round(peakRSSMB(), 1),
	}
	if mode != "transfer" {
		r.Rows = s.HostsWritten + s.PackagesWritten + s.InstalledWritten
		r.RowsPerSec = round(float64(r.Rows)/secs, 0)
		if backend == "sqlite" {
			r.DBSizeMB = round(fileSizeMB(dsn, dsn+"-wal"), 1)
		}
	}
	return r
}

// postChanges asks the emulator to change a percentage of its hosts.
func postChanges(ctx context.Context, url string, pct float64) error {
	body := fmt.Sprintf(`{"seed":1,"updatePercent":%g}`, pct)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/__emulator/changes", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("emulator change simulation: HTTP %d", resp.StatusCode)
	}
	return nil
}

func round(v float64, digits int) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', digits, 64), 64)
	return f
}

// peakRSSMB is this process's peak resident set size.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

func fileSizeMB(paths ...string) float64 {
	var n int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return float64(n) / 1e6
}

// startEmulatorProcess runs `csamsync emulator` as a child on a free
// loopback port, without rate limits (a benchmark measures csamsync, not
// the subscription's hourly budget) but with the default concurrency limit.
func startEmulatorProcess(ctx context.Context, assets int) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, self, "emulator", "--listen", addr, "--assets", strconv.Itoa(assets),
		"--username", "bench", "--password", "bench-password", "--rate-limit", "-1")
	cmd.Env = os.Environ()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout = nil
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	go func() { // drain
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
		}
	}()
	stop := func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return "http://" + addr, stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("the emulator did not start on %s", addr)
}

// profileHeapAtPeak samples the heap and keeps a profile of its largest
// moment: the end of a run shows nothing of what a page kept alive.
func profileHeapAtPeak(path string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var peak uint64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc <= peak {
				continue
			}
			peak = ms.HeapAlloc
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}()
	return func() { close(done); <-finished }
}

// benchSchema creates a schema for one benchmark run and returns a DSN that
// uses it, and a function that drops it.
func benchSchema(ctx context.Context, dsn string) (string, func(), error) {
	name := fmt.Sprintf("csamsync_bench_%d", time.Now().UnixNano())
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE SCHEMA " + name); err != nil {
		return "", nil, fmt.Errorf("create benchmark schema: %w", err)
	}
	u, err := neturl.Parse(dsn)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() { exec("DROP SCHEMA " + name + " CASCADE") }, nil
}
