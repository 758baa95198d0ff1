package service

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/csamsync/csamsync/internal/connector"
	"github.com/csamsync/csamsync/internal/store"
)

// RetryFailedAfter is how long the scheduler waits before running a
// connector whose last run failed again.
const RetryFailedAfter = 15 * time.Minute

// Scheduler starts connector runs when their schedule says so. It checks
// every Tick; a connector whose scheduled time passed since its last run
// start runs once, however many times were missed while the service was
// down. Runs of one connector never overlap (the database lock holds across
// processes); different connectors run concurrently.
type Scheduler struct {
	Runner *Runner
	Tick   time.Duration // default 30 s

	mu      sync.Mutex
	running map[string]bool
	wg      sync.WaitGroup
}

// Run schedules until ctx is cancelled, then waits for running syncs to
// commit the pages they already fetched and stop.
func (s *Scheduler) Run(ctx context.Context) {
	tick := s.Tick
	if tick <= 0 {
		tick = 30 * time.Second
	}
	s.running = map[string]bool{}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		s.schedule(ctx)
		select {
		case <-ctx.Done():
			s.wg.Wait()
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) schedule(ctx context.Context) {
	r := s.Runner
	rows, err := r.DB.ListConnectors(ctx)
	if err != nil {
		r.log().Error("list connectors", "err", err)
		return
	}
	now := r.now()
	for _, row := range rows {
		var p connector.Profile
		if err := json.Unmarshal(row.Doc, &p); err != nil {
			r.log().Error("unreadable connector profile", "connector", row.Name, "err", err)
			continue
		}
		runs, err := r.DB.Runs(ctx, p.Name, 1)
		if err != nil {
			r.log().Error("list runs", "connector", p.Name, "err", err)
			continue
		}
		var last time.Time
		if len(runs) > 0 {
			last = runs[0].Started
		}
		due, err := p.Schedule.Due(last, now)
		if err != nil {
			continue
		}
		// A failed run (rate-limit ceiling, outage) resumes from its
		// checkpoint soon, not at the next scheduled time.
		if len(runs) > 0 && runs[0].Outcome == store.OutcomeFailed && runs[0].Ended != nil &&
			now.Sub(*runs[0].Ended) >= RetryFailedAfter && !p.Schedule.Disabled {
			due = true
		}
		if !due {
			continue
		}
		s.mu.Lock()
		busy := s.running[p.Name]
		if !busy {
			s.running[p.Name] = true
		}
		s.mu.Unlock()
		if busy {
			continue
		}
		if err := r.DB.SetConnectorState(ctx, p.Name, connector.StateScheduled, ""); err != nil {
			r.log().Error("set state", "connector", p.Name, "err", err)
		}
		s.wg.Add(1)
		go func(name string) {
			defer s.wg.Done()
			defer func() { s.mu.Lock(); delete(s.running, name); s.mu.Unlock() }()
			r.log().Info("scheduled run starting", "connector", name)
			out, err := r.RunConnector(ctx, name, RunOptions{})
			switch {
			case errors.Is(err, ErrAlreadyRunning):
				r.log().Info("skipped: another instance is running it", "connector", name)
			case err != nil:
				r.log().Error("run failed", "connector", name, "err", err)
			default:
				r.log().Info("run finished", "connector", name, "mode", out.Sync.Run.Mode,
					"assets", out.Sync.Run.Stats.Assets, "duration", out.Sync.Duration)
			}
		}(p.Name)
	}
}

// Handler serves /healthz and /metrics.
func Handler(db store.Lifecycle, m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if _, err := db.ListConnectors(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			json.MarshalWrite(w, map[string]string{"status": "unhealthy", "error": "database unavailable"})
			return
		}
		json.MarshalWrite(w, map[string]string{"status": "ok"})
	})
	if m != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	}
	return mux
}

// ListenAndServe serves h on addr until ctx is cancelled.
func ListenAndServe(ctx context.Context, addr string, h http.Handler) (net.Addr, <-chan error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	return ln.Addr(), done, nil
}
