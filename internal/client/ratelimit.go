package client

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limiter keeps the client inside the gateway's advertised limits
// (csam-api.md §4.2): a concurrency semaphore of min(configured, server
// X-Concurrency-Limit-Limit) and a gate that holds the next request while
// the server says calls are exhausted (X-RateLimit-ToWait-Sec). It only
// learns from data responses: /auth is not rate-limited and sends no such
// headers (Elastic issue #16517).
type Limiter struct {
	configured int
	now        func() time.Time

	mu           sync.Mutex
	inFlight     int
	changed      chan struct{} // closed and replaced whenever a slot frees or the limit changes
	state        LimitState
	blockedUntil time.Time
}

// LimitState is the last rate-limit information the server sent; -1 means
// never seen.
type LimitState struct {
	Limit            int           // X-RateLimit-Limit: calls per window
	WindowSec        int           // X-RateLimit-Window-Sec
	Remaining        int           // X-RateLimit-Remaining
	ToWait           time.Duration // X-RateLimit-ToWait-Sec of the last response
	ConcurrencyLimit int           // X-Concurrency-Limit-Limit (either spelling)
	Running          int           // X-Concurrency-Limit-Running (either spelling)
	Parallel         int           // slots in use by this client: min(configured, ConcurrencyLimit)
}

// NewLimiter returns a limiter allowing parallel concurrent requests until
// the server advertises a lower limit.
func NewLimiter(parallel int) *Limiter {
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	return &Limiter{
		configured: parallel,
		now:        time.Now,
		changed:    make(chan struct{}),
		state: LimitState{Limit: -1, WindowSec: -1, Remaining: -1, ToWait: -1,
			ConcurrencyLimit: -1, Running: -1, Parallel: parallel},
	}
}

func (l *Limiter) capacity() int {
	if c := l.state.ConcurrencyLimit; c > 0 && c < l.configured {
		return c
	}
	return l.configured
}

func (l *Limiter) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// Acquire takes a concurrency slot; release must be called exactly once
// (the transport does it when the response body is closed).
func (l *Limiter) Acquire(ctx context.Context) (release func(), err error) {
	for {
		l.mu.Lock()
		if l.inFlight < l.capacity() {
			l.inFlight++
			l.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					l.mu.Lock()
					l.inFlight--
					l.broadcast()
					l.mu.Unlock()
				})
			}, nil
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Delay is how long the next request must wait before it may be sent.
func (l *Limiter) Delay() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.blockedUntil.Sub(l.now()), 0)
}

// Observe learns from a data response's headers. Header names are matched
// case-insensitively by http.Header; both concurrency spellings are read
// because the docs write X-ConcurrencyLimit-Limit and live traffic
// x-concurrency-limit-limit.
func (l *Limiter) Observe(h http.Header) {
	if h == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.state
	setInt(&s.Limit, h.Get("X-RateLimit-Limit"))
	setInt(&s.WindowSec, h.Get("X-RateLimit-Window-Sec"))
	setInt(&s.Remaining, h.Get("X-RateLimit-Remaining"))
	setInt(&s.Running, firstHeader(h, "X-Concurrency-Limit-Running", "X-ConcurrencyLimit-Running"))
	old := l.capacity()
	setInt(&s.ConcurrencyLimit, firstHeader(h, "X-Concurrency-Limit-Limit", "X-ConcurrencyLimit-Limit"))
	if c := l.capacity(); c != old {
		s.Parallel = c
		l.broadcast()
	}
	if d, ok := seconds(h.Get("X-RateLimit-ToWait-Sec")); ok {
		s.ToWait = d
		if d > 0 {
			if until := l.now().Add(d); until.After(l.blockedUntil) {
				l.blockedUntil = until
			}
		}
	}
}

// State returns a snapshot for metrics and progress output.
func (l *Limiter) State() LimitState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

func setInt(dst *int, v string) {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		*dst = n
	}
}
