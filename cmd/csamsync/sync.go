package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/store"
	"github.com/csamsync/csamsync/internal/syncer"
)

// syncFlags are the flags shared by sync and demo.
type syncFlags struct {
	url, username, password  string
	authMode                 string
	clientID, clientSecret   string
	db                       string
	pageSize, parallel       int
	maxRetries               int
	maxWait                  time.Duration
	tags, osCategory2        string
	includeFields, excludeFs string
	progress                 string
	verbose                  bool
}

func (f *syncFlags) register(fs *flag.FlagSet, withTarget bool) {
	if withTarget {
		fs.StringVar(&f.url, "url", envOr("CSAMSYNC_URL", ""), "CSAM gateway URL, e.g. https://gateway.qg1.apps.qualys.com (env CSAMSYNC_URL)")
		fs.StringVar(&f.username, "username", envOr("CSAMSYNC_USERNAME", ""), "Qualys API user (env CSAMSYNC_USERNAME)")
		fs.StringVar(&f.password, "password", "", "password (prefer env CSAMSYNC_PASSWORD: flags are visible to other local users)")
		fs.StringVar(&f.authMode, "auth", envOr("CSAMSYNC_AUTH", "password"), "authentication: password (JWT from /auth) or oauth (client credentials, /auth/oauth)")
		fs.StringVar(&f.clientID, "client-id", envOr("CSAMSYNC_CLIENT_ID", ""), "OAuth client id (env CSAMSYNC_CLIENT_ID)")
		fs.StringVar(&f.clientSecret, "client-secret", "", "OAuth client secret (prefer env CSAMSYNC_CLIENT_SECRET)")
	}
	fs.IntVar(&f.pageSize, "page-size", csamapi.MaxPageSize, "assets per page (at most 300)")
	fs.IntVar(&f.parallel, "parallel", 2, "requests in flight at most (also capped by the server's concurrency limit)")
	fs.IntVar(&f.maxRetries, "max-retries", 5, "retries per request before the run fails")
	fs.DurationVar(&f.maxWait, "max-wait", 5*time.Minute, "longest rate-limit wait; a longer one stops the run, resumable")
	fs.StringVar(&f.tags, "tags", "", "only assets with one of these Qualys tags (comma list, case sensitive)")
	fs.StringVar(&f.osCategory2, "os-category2", "", "only assets in these OS level-2 categories, e.g. \"Windows Server,Linux Server\"")
	fs.StringVar(&f.includeFields, "include-fields", "", "only these top-level asset fields (comma list)")
	fs.StringVar(&f.excludeFs, "exclude-fields", "", "null out these top-level asset fields (comma list)")
	fs.StringVar(&f.progress, "progress", "auto", "progress display: auto, bar, log or none")
	fs.BoolVar(&f.verbose, "verbose", false, "log every request")
}

// query builds the asset query, validating filters before any request.
func (f *syncFlags) query() (client.AssetQuery, error) {
	if f.pageSize < 1 || f.pageSize > csamapi.MaxPageSize {
		return client.AssetQuery{}, usagef("--page-size must be between 1 and %d", csamapi.MaxPageSize)
	}
	q := client.AssetQuery{
		PageSize:      f.pageSize,
		Tags:          csamapi.SplitList(f.tags),
		OSCategory2:   csamapi.SplitList(f.osCategory2),
		IncludeFields: csamapi.SplitList(f.includeFields),
		ExcludeFields: csamapi.SplitList(f.excludeFs),
	}
	return q, nil
}

// resumeKey identifies what a run reads, so that an interrupted run with
// the same arguments resumes. It never includes a secret.
func (f *syncFlags) resumeKey(mode string) string {
	h := sha256.New()
	for _, part := range []string{f.url, f.username, f.clientID, mode, f.tags, f.osCategory2, f.includeFields, f.excludeFs} {
		io.WriteString(h, part)
		h.Write([]byte{0})
	}
	return "adhoc:" + hex.EncodeToString(h.Sum(nil)[:12])
}

func (f *syncFlags) logger() *slog.Logger {
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func cmdSync(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	var f syncFlags
	f.register(fs, true)
	fs.StringVar(&f.db, "db", envOr("CSAMSYNC_DB", "csamsync.db"), "inventory database: a SQLite file (env CSAMSYNC_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.password == "" {
		f.password = os.Getenv("CSAMSYNC_PASSWORD")
	}
	if f.clientSecret == "" {
		f.clientSecret = os.Getenv("CSAMSYNC_CLIENT_SECRET")
	}
	if f.url == "" {
		return usagef("--url (or CSAMSYNC_URL) is required")
	}
	_, err := runSync(ctx, &f, os.Stderr)
	return err
}

// runSync opens the store and the client and runs one full sync, printing
// progress and a summary to w.
func runSync(ctx context.Context, f *syncFlags, w io.Writer) (syncer.Result, error) {
	q, err := f.query()
	if err != nil {
		return syncer.Result{}, err
	}
	log := f.logger()
	cl, err := client.New(client.Config{
		BaseURL:      f.url,
		Auth:         client.AuthMode(f.authMode),
		Username:     f.username,
		Password:     f.password,
		ClientID:     f.clientID,
		ClientSecret: f.clientSecret,
		Parallel:     f.parallel,
		MaxRetries:   f.maxRetries,
		MaxWait:      f.maxWait,
		Logger:       log,
	})
	if err != nil {
		return syncer.Result{}, err
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return syncer.Result{}, err
	}
	defer st.Close()
	key := f.resumeKey(syncer.ModeFull)
	if lc, ok := st.(store.Lifecycle); ok {
		unlock, err := lc.TryLock(ctx, key)
		if err != nil {
			if errors.Is(err, store.ErrLocked) {
				return syncer.Result{}, fmt.Errorf("a sync with the same arguments is already running on %s", f.db)
			}
			return syncer.Result{}, err
		}
		defer unlock()
	}

	prog := newProgress(w, f.progress)
	res, err := syncer.Run(ctx, syncer.Options{
		Client:    cl,
		Store:     st,
		Query:     q,
		Parallel:  f.parallel,
		Mode:      syncer.ModeFull,
		ResumeKey: key,
		Logger:    log,
		Progress:  prog.update,
	})
	prog.finish()
	printSummary(w, res, f.db)
	if err != nil {
		return res, fmt.Errorf("%w (committed pages are kept; run the same command again to resume)", err)
	}
	return res, nil
}

func printSummary(w io.Writer, res syncer.Result, db string) {
	r := res.Run
	secs := res.Duration.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.Stats.Assets) / secs
	}
	resumed := ""
	if res.Resumed {
		resumed = " (resumed)"
	}
	fmt.Fprintf(w, "run %d %s%s: %s in %s\n", r.ID, r.Mode, resumed, strings.ToUpper(r.Outcome), res.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "  assets %d of %d counted, %d pages, %.0f assets/s, %.1f MB of API JSON\n",
		r.Stats.Assets, res.Total, r.Stats.Pages, rate, float64(res.Bytes)/1e6)
	fmt.Fprintf(w, "  hosts %d (added %d, updated %d), packages %d, installed packages %d (removed %d), skipped %d\n",
		r.Stats.HostsWritten, r.Stats.HostsAdded, r.Stats.HostsUpdated, r.Stats.PackagesWritten,
		r.Stats.InstalledWritten, r.Stats.InstalledRemoved, r.Stats.Skipped)
	fmt.Fprintf(w, "  API calls %d, retries %d, database %s\n", r.Stats.APICalls, r.Stats.Retries, db)
}
