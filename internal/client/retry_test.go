package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const countOK = `{"count":42,"responseCode":"SUCCESS","responseMessage":"Valid API Access"}`

// script answers data calls with the given responses in order, then 200.
type step struct {
	status  int
	headers map[string]string
	body    string
}

func script(steps ...step) (http.HandlerFunc, *atomic.Int64) {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(steps) {
			writeJSON(w, 200, countOK)
			return
		}
		s := steps[i]
		for k, v := range s.headers {
			w.Header().Set(k, v)
		}
		writeJSON(w, s.status, s.body)
	}, &n
}

func TestRetryPaths(t *testing.T) {
	rl := `{"responseMessage":"Too many requests"}`
	tests := []struct {
		name        string
		steps       []step
		mods        func(*Config)
		wantErr     error
		wantStatus  int
		wantCalls   int64
		wantRetries int64
		wantRLWaits int64
		minWait     time.Duration
	}{
		{name: "429 with ToWait", steps: []step{{429, map[string]string{"X-RateLimit-ToWait-Sec": "0.08", "X-RateLimit-Remaining": "0"}, rl}},
			wantCalls: 2, wantRetries: 1, wantRLWaits: 1, minWait: 80 * time.Millisecond},
		{name: "429 without ToWait backs off", steps: []step{{429, nil, rl}, {429, map[string]string{"X-RateLimit-ToWait-Sec": "0"}, rl}},
			wantCalls: 3, wantRetries: 2, wantRLWaits: 2},
		{name: "409 like 429", steps: []step{{409, map[string]string{"X-RateLimit-ToWait-Sec": "0.05"}, `<SIMPLE_RETURN><RESPONSE><CODE>1965</CODE></RESPONSE></SIMPLE_RETURN>`}},
			wantCalls: 2, wantRetries: 1, wantRLWaits: 1, minWait: 50 * time.Millisecond},
		{name: "Retry-After", steps: []step{{429, map[string]string{"Retry-After": "0.06"}, rl}},
			wantCalls: 2, wantRetries: 1, wantRLWaits: 1, minWait: 60 * time.Millisecond},
		{name: "503 burst", steps: []step{{503, nil, "upstream down"}, {503, nil, ""}, {502, nil, ""}, {520, nil, ""}},
			wantCalls: 5, wantRetries: 4},
		{name: "500 until retries run out", steps: []step{{500, nil, "a"}, {500, nil, "b"}, {500, nil, "c"}, {500, nil, "d"}},
			mods: func(c *Config) { c.MaxRetries = 2 }, wantStatus: 500, wantCalls: 3, wantRetries: 2},
		{name: "MaxRetries negative means none", steps: []step{{503, nil, ""}},
			mods: func(c *Config) { c.MaxRetries = -1 }, wantStatus: 503, wantCalls: 1},
		{name: "400 not retried", steps: []step{{400, nil, `{"responseMessage":"Invalid field asset.lastSeen","responseCode":"FAILED"}`}},
			wantStatus: 400, wantCalls: 1},
		{name: "403 not retried", steps: []step{{403, nil, `{"responseErrorDetails":{"errorMessage":"App API Enabled is not set"}}`}},
			wantErr: ErrForbidden, wantStatus: 403, wantCalls: 1},
		{name: "404 not retried", steps: []step{{404, nil, "<html>not found</html>"}},
			wantErr: ErrNotFound, wantStatus: 404, wantCalls: 1},
		{name: "ToWait above ceiling fails at once", steps: []step{{429, map[string]string{"X-RateLimit-ToWait-Sec": "3600"}, rl}},
			wantErr: ErrWaitTooLong, wantStatus: 429, wantCalls: 1, wantRLWaits: 0},
		{name: "Retry-After date above ceiling", steps: []step{{503, map[string]string{"Retry-After": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, ""}},
			wantErr: ErrWaitTooLong, wantStatus: 503, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := script(tt.steps...)
			g := newGateway(t, h)
			var hooked atomic.Int64
			mods := tt.mods
			if mods == nil {
				mods = func(*Config) {}
			}
			c, logs := newClient(t, g, mods, func(c *Config) {
				c.OnRequest = func(method, path string, status int, d time.Duration) { hooked.Add(1) }
			})
			start := time.Now()
			n, err := c.Count(testCtx(t), AssetQuery{})
			elapsed := time.Since(start)
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			case tt.wantErr == nil && tt.wantStatus == 0 && (err != nil || n != 42):
				t.Fatalf("n=%d err=%v", n, err)
			}
			if tt.wantStatus != 0 && StatusCode(err) != tt.wantStatus {
				t.Errorf("status = %d (%v), want %d", StatusCode(err), err, tt.wantStatus)
			}
			st := c.Stats()
			if g.dataCalls.Load() != tt.wantCalls || st.APICalls != tt.wantCalls {
				t.Errorf("calls = %d/%d, want %d", g.dataCalls.Load(), st.APICalls, tt.wantCalls)
			}
			if st.Retries != tt.wantRetries || st.RateLimitWaits != tt.wantRLWaits {
				t.Errorf("retries=%d rl waits=%d, want %d/%d", st.Retries, st.RateLimitWaits, tt.wantRetries, tt.wantRLWaits)
			}
			if elapsed < tt.minWait || st.WaitTime < tt.minWait {
				t.Errorf("waited %s (counted %s), want ≥ %s", elapsed, st.WaitTime, tt.minWait)
			}
			if elapsed > time.Second {
				t.Errorf("took %s", elapsed)
			}
			if hooked.Load() != tt.wantCalls+1 { // + the /auth call
				t.Errorf("OnRequest called %d times", hooked.Load())
			}
			if err != nil {
				assertNoSecrets(t, g, "error", err.Error())
			}
			assertNoSecrets(t, g, "log", logs.String())
		})
	}
}

func TestDefaultPolicyDecide(t *testing.T) {
	p := DefaultPolicy{MaxRetries: 3, Backoff: BackoffConfig{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond}}
	resp := func(status int, h ...string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	timeoutErr := &net.OpError{Op: "read", Err: &timeoutError{}}
	tests := []struct {
		name     string
		attempt  int
		resp     *http.Response
		err      error
		retry    bool
		exact    time.Duration // when not 0, the wait must equal it
		maxWait  time.Duration // else the wait must be ≤ this
		reasonIn string
	}{
		{"429 ToWait", 1, resp(429, "X-RateLimit-ToWait-Sec", "30"), nil, true, 30 * time.Second, 0, "rate limited"},
		{"429 lower-case header", 1, resp(429, "x-ratelimit-towait-sec", "7"), nil, true, 7 * time.Second, 0, "rate limited"},
		{"429 ToWait wins over Retry-After", 1, resp(429, "X-RateLimit-ToWait-Sec", "5", "Retry-After", "9"), nil, true, 5 * time.Second, 0, ""},
		{"409 Retry-After", 1, resp(409, "Retry-After", "12"), nil, true, 12 * time.Second, 0, "HTTP 409"},
		{"429 no advice backs off", 3, resp(429), nil, true, 0, 40 * time.Millisecond, ""},
		{"520 backs off", 1, resp(520), nil, true, 0, 10 * time.Millisecond, "server error"},
		{"503 exhausted", 4, resp(503), nil, false, 0, 0, "retries exhausted"},
		{"400", 1, resp(400), nil, false, 0, 0, "not retryable"},
		{"401 left to the transport", 1, resp(401), nil, false, 0, 0, ""},
		{"403", 1, resp(403), nil, false, 0, 0, ""},
		{"404", 1, resp(404), nil, false, 0, 0, ""},
		{"416", 1, resp(416), nil, false, 0, 0, ""},
		{"connection reset", 1, nil, &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true, 0, 10 * time.Millisecond, "reset"},
		{"unexpected EOF", 2, nil, io.ErrUnexpectedEOF, true, 0, 20 * time.Millisecond, "EOF"},
		{"timeout", 1, nil, timeoutErr, true, 0, 10 * time.Millisecond, "timeout"},
		{"client timeout", 1, nil, fmt.Errorf("Client.Timeout: %w", context.DeadlineExceeded), true, 0, 10 * time.Millisecond, "timeout"},
		{"canceled", 1, nil, context.Canceled, false, 0, 0, "canceled"},
		{"refused is not transient", 1, nil, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false, 0, 0, ""},
		{"timeout exhausted", 4, nil, timeoutErr, false, 0, 0, "retries exhausted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 { // jitter: every draw must be in range
				retry, wait, reason := p.Decide(tt.attempt, tt.resp, tt.err)
				if retry != tt.retry {
					t.Fatalf("retry = %v (%s)", retry, reason)
				}
				if tt.exact != 0 && wait != tt.exact {
					t.Fatalf("wait = %s, want %s", wait, tt.exact)
				}
				if tt.exact == 0 && (wait < 0 || wait > tt.maxWait) {
					t.Fatalf("wait = %s, want ≤ %s", wait, tt.maxWait)
				}
				if !strings.Contains(reason, tt.reasonIn) {
					t.Fatalf("reason %q does not mention %q", reason, tt.reasonIn)
				}
			}
		})
	}
}

type timeoutError struct{}

func (*timeoutError) Error() string   { return "i/o timeout" }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }

func TestBackoffDelayBounds(t *testing.T) {
	b := BackoffConfig{Base: 500 * time.Millisecond, Max: 60 * time.Second}
	for attempt, ceil := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 5: 8 * time.Second, 8: 60 * time.Second, 200: 60 * time.Second} {
		for range 50 {
			if d := b.Delay(attempt); d < 0 || d > ceil {
				t.Fatalf("attempt %d: %s > %s", attempt, d, ceil)
			}
		}
	}
	if d := (BackoffConfig{}).Delay(1); d > defaultBackoffBase {
		t.Errorf("zero config should use defaults, got %s", d)
	}
}

// A custom policy replaces the default one entirely.
type countingPolicy struct{ calls atomic.Int64 }

func (p *countingPolicy) Decide(attempt int, resp *http.Response, err error) (bool, time.Duration, string) {
	p.calls.Add(1)
	return attempt < 3, 0, "custom"
}

func TestCustomPolicy(t *testing.T) {
	h, _ := script(step{404, nil, ""}, step{404, nil, ""})
	g := newGateway(t, h)
	p := &countingPolicy{}
	c, _ := newClient(t, g, func(c *Config) { c.Policy = p })
	if _, err := c.Count(testCtx(t), AssetQuery{}); err != nil {
		t.Fatal(err)
	}
	if p.calls.Load() != 2 || g.dataCalls.Load() != 3 {
		t.Errorf("policy calls=%d data calls=%d", p.calls.Load(), g.dataCalls.Load())
	}
}

// Connection-level failures (no HTTP answer) are retried: the server
// resets the first connection.
func TestRetryConnectionReset(t *testing.T) {
	var n atomic.Int64
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
			return
		}
		writeJSON(w, 200, countOK)
	})
	c, _ := newClient(t, g)
	got, err := c.Count(testCtx(t), AssetQuery{Tags: []string{"Prod"}})
	if err != nil || got != 42 {
		t.Fatalf("got=%d err=%v", got, err)
	}
	// The body was sent again in full on the second attempt.
	reqs := g.dataRequests()
	if len(reqs) != 2 || reqs[0].Body != reqs[1].Body || !strings.Contains(reqs[1].Body, "Prod") {
		t.Errorf("requests = %+v", reqs)
	}
	if c.Stats().Retries != 1 {
		t.Errorf("retries = %d", c.Stats().Retries)
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	steps := make([]step, 50)
	for i := range steps {
		steps[i] = step{503, nil, ""}
	}
	h, _ := script(steps...)
	g := newGateway(t, h)
	c, _ := newClient(t, g, func(c *Config) { c.Backoff = BackoffConfig{Base: time.Second, Max: time.Second} })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Count(ctx, AssetQuery{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("err=%v after %s", err, time.Since(start))
	}
}
