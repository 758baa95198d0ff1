package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLimiterObserveHeaders(t *testing.T) {
	tests := []struct {
		name string
		h    map[string]string // raw (non-canonical) names, as on the wire
		want LimitState
	}{
		{"live lower-case spelling", map[string]string{
			"x-ratelimit-limit": "300", "x-ratelimit-window-sec": "3600", "x-ratelimit-remaining": "293",
			"x-ratelimit-towait-sec": "0", "x-concurrency-limit-limit": "2", "x-concurrency-limit-running": "0"},
			LimitState{Limit: 300, WindowSec: 3600, Remaining: 293, ToWait: 0, ConcurrencyLimit: 2, Running: 0, Parallel: 2}},
		{"documented spelling", map[string]string{"X-ConcurrencyLimit-Limit": "1", "X-ConcurrencyLimit-Running": "1"},
			LimitState{Limit: -1, WindowSec: -1, Remaining: -1, ToWait: -1, ConcurrencyLimit: 1, Running: 1, Parallel: 1}},
		{"server allows more than configured", map[string]string{"X-Concurrency-Limit-Limit": "10"},
			LimitState{Limit: -1, WindowSec: -1, Remaining: -1, ToWait: -1, ConcurrencyLimit: 10, Running: -1, Parallel: 4}},
		{"garbage ignored", map[string]string{"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "-3"},
			LimitState{Limit: -1, WindowSec: -1, Remaining: -1, ToWait: -1, ConcurrencyLimit: -1, Running: -1, Parallel: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.h {
					w.Header()[k] = []string{v} // sent exactly as written
				}
				writeJSON(w, 200, countOK)
			})
			c, _ := newClient(t, g, func(c *Config) { c.Parallel = 4 })
			if _, err := c.Count(testCtx(t), AssetQuery{}); err != nil {
				t.Fatal(err)
			}
			if got := c.Stats().RateLimit; got != tt.want {
				t.Errorf("state = %+v\nwant    %+v", got, tt.want)
			}
		})
	}
}

// concurrencyServer measures how many data calls are in flight at once.
func concurrencyServer(t *testing.T, advertise string) (*gateway, *atomic.Int64) {
	var cur, peak atomic.Int64
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		if advertise != "" {
			w.Header().Set("X-Concurrency-Limit-Limit", advertise)
		}
		writeJSON(w, 200, countOK)
	})
	return g, &peak
}

func TestConcurrencySemaphore(t *testing.T) {
	tests := []struct {
		name      string
		parallel  int
		advertise string
		wantPeak  int64
	}{
		{"default parallel 2", 0, "", 2},
		{"server limit below configured", 6, "1", 1},
		{"configured below server limit", 3, "10", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, peak := concurrencyServer(t, tt.advertise)
			c, _ := newClient(t, g, func(c *Config) { c.Parallel = tt.parallel })
			ctx := testCtx(t)
			if _, err := c.Count(ctx, AssetQuery{}); err != nil { // learn the limit
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if _, err := c.Count(ctx, AssetQuery{}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if peak.Load() != tt.wantPeak {
				t.Errorf("peak in flight = %d, want %d", peak.Load(), tt.wantPeak)
			}
		})
	}
}

func TestRemainingZeroDelaysNextRequest(t *testing.T) {
	var n atomic.Int64
	var times [2]time.Time
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if i <= 2 {
			times[i-1] = time.Now()
		}
		if i == 1 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-ToWait-Sec", "0.15")
		}
		writeJSON(w, 200, countOK)
	})
	c, _ := newClient(t, g)
	ctx := testCtx(t)
	for range 2 {
		if _, err := c.Count(ctx, AssetQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	if gap := times[1].Sub(times[0]); gap < 150*time.Millisecond {
		t.Errorf("second request after %s, want ≥ 150ms", gap)
	}
	if st := c.Stats(); st.RateLimitWaits != 1 || st.Retries != 0 || st.WaitTime < 100*time.Millisecond {
		t.Errorf("stats = %+v", st)
	}
}

func TestRemainingZeroAboveCeilingSendsNothing(t *testing.T) {
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-ToWait-Sec", "2820")
		writeJSON(w, 200, countOK)
	})
	c, _ := newClient(t, g, func(c *Config) { c.MaxWait = 10 * time.Minute })
	ctx := testCtx(t)
	if _, err := c.Count(ctx, AssetQuery{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := c.Count(ctx, AssetQuery{})
	var we *WaitTooLongError
	if !errors.Is(err, ErrWaitTooLong) || !errors.As(err, &we) || we.Max != 10*time.Minute || we.Wait < 46*time.Minute {
		t.Fatalf("err = %v", err)
	}
	if g.dataCalls.Load() != 1 || time.Since(start) > 100*time.Millisecond {
		t.Errorf("data calls = %d after %s", g.dataCalls.Load(), time.Since(start))
	}
}

func TestLimiterAcquireHonoursContext(t *testing.T) {
	l := NewLimiter(1)
	rel, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	rel()
	rel() // idempotent
	rel2, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rel2()
	if l.inFlight != 0 {
		t.Errorf("inFlight = %d", l.inFlight)
	}
}
