package emulator

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter is the gateway's per-user budget: a rolling window of calls
// (default 300 per 3600 s) and a cap on requests in flight (default 2).
// /auth is exempt, as on the real gateway.
type limiter struct {
	limit  int // <= 0: unlimited
	window time.Duration
	conc   int // <= 0: unlimited

	mu         sync.Mutex
	calls      []time.Time // ring buffer of call times inside the window
	head, n    int
	running    int
	maxRunning int
}

// Values shown in the headers when a limit is switched off, so clients that
// size pools from them stay sane.
const (
	unlimitedRateShown = 1_000_000
	unlimitedConcShown = 100
)

type limitState struct {
	ok          bool
	concurrency bool // rejected for concurrency rather than the window
	remaining   int
	toWait      int // seconds
	running     int
}

func newLimiter(limit int, window time.Duration, conc int) *limiter {
	l := &limiter{limit: limit, window: window, conc: conc}
	if limit > 0 {
		l.calls = make([]time.Time, limit)
	}
	return l
}

func (l *limiter) prune(now time.Time) {
	for l.n > 0 && !l.calls[l.head].After(now.Add(-l.window)) {
		l.head = (l.head + 1) % len(l.calls)
		l.n--
	}
}

// toWaitLocked is the whole seconds until the oldest call leaves the window.
func (l *limiter) toWaitLocked(now time.Time) int {
	if l.limit <= 0 || l.n < l.limit {
		return 0
	}
	d := l.calls[l.head].Add(l.window).Sub(now)
	return max(1, int((d+time.Second-1)/time.Second))
}

// acquire takes a call slot and an in-flight slot, or says why not.
func (l *limiter) acquire(now time.Time) limitState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit > 0 {
		l.prune(now)
	}
	st := limitState{running: l.running}
	if l.conc > 0 && l.running >= l.conc {
		st.concurrency, st.remaining, st.toWait = true, l.remainingLocked(), 1
		return st
	}
	if l.limit > 0 && l.n >= l.limit {
		st.toWait = l.toWaitLocked(now)
		return st
	}
	if l.limit > 0 {
		l.calls[(l.head+l.n)%len(l.calls)] = now
		l.n++
	}
	l.running++
	l.maxRunning = max(l.maxRunning, l.running)
	st.ok, st.running, st.remaining = true, l.running, l.remainingLocked()
	return st
}

func (l *limiter) remainingLocked() int {
	if l.limit <= 0 {
		return unlimitedRateShown
	}
	return l.limit - l.n
}

func (l *limiter) release() {
	l.mu.Lock()
	l.running--
	l.mu.Unlock()
}

// peek reports the state without taking a slot (for responses such as 401
// that are answered before the limiter).
func (l *limiter) peek(now time.Time) limitState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit > 0 {
		l.prune(now)
	}
	return limitState{ok: true, remaining: l.remainingLocked(), toWait: l.toWaitLocked(now), running: l.running}
}

func (l *limiter) peakRunning() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxRunning
}

// setHeaders writes the six headers in the lower-case hyphenated spelling
// recorded from live Qualys responses (not Go's canonical form).
func (l *limiter) setHeaders(h http.Header, st limitState) {
	limit, conc := l.limit, l.conc
	if limit <= 0 {
		limit = unlimitedRateShown
	}
	if conc <= 0 {
		conc = unlimitedConcShown
	}
	h["x-ratelimit-limit"] = []string{strconv.Itoa(limit)}
	h["x-ratelimit-window-sec"] = []string{strconv.Itoa(int(l.window / time.Second))}
	h["x-ratelimit-remaining"] = []string{strconv.Itoa(st.remaining)}
	h["x-ratelimit-towait-sec"] = []string{strconv.Itoa(st.toWait)}
	h["x-concurrency-limit-limit"] = []string{strconv.Itoa(conc)}
	h["x-concurrency-limit-running"] = []string{strconv.Itoa(st.running)}
}
