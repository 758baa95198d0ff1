package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/csamsync/csamsync/internal/service"
)

func cmdServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	db := fs.String("db", envOr("CSAMSYNC_DB", "csamsync.db"), "inventory database (env CSAMSYNC_DB)")
	listen := fs.String("listen", envOr("CSAMSYNC_LISTEN", "127.0.0.1:9090"), "address of /healthz and /metrics")
	tick := fs.Duration("tick", 30*time.Second, "how often schedules are checked")
	verbose := fs.Bool("verbose", false, "log every request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err := openRunner(ctx, *db, *verbose)
	if err != nil {
		return err
	}
	defer r.DB.Close()
	d := r.DB
	r.Metrics = service.NewMetrics(d.HostStates)
	addr, done, err := service.ListenAndServe(ctx, *listen, service.Handler(d, r.Metrics))
	if err != nil {
		return err
	}
	r.Logger.Info("serving", "healthz", fmt.Sprintf("http://%s/healthz", addr), "metrics", fmt.Sprintf("http://%s/metrics", addr), "db", *db)
	(&service.Scheduler{Runner: r, Tick: *tick}).Run(ctx)
	r.Logger.Info("stopped: running syncs committed their fetched pages")
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return nil
}
