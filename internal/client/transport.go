package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// request is everything needed to (re)build one HTTP request: the body is
// bytes so every attempt sends it again from the start.
type request struct {
	op          string
	method      string
	path        string // below the base URL, without query
	query       url.Values
	body        []byte
	contentType string
	header      http.Header // extra headers, keys sent as written
	public      bool        // /auth: no bearer token, no rate limiter
}

// transport sends requests with auth, rate limiting and retries. It returns
// a 2xx response with an open body (the caller closes it, which frees the
// concurrency slot) or an error.
type transport struct {
	base      *url.URL
	hc        *http.Client
	auth      Authenticator
	limiter   *Limiter
	policy    RetryPolicy
	maxWait   time.Duration
	log       *slog.Logger
	onRequest func(method, path string, status int, dur time.Duration)
	secrets   []string // redacted from anything that reaches an error
	userAgent string
	stats     counters
}

// counters are the atomic counters behind Client.Stats.
type counters struct {
	calls, authCalls, retries, reauths, rateWaits, waitNanos, bytes atomic.Int64
}

func (t *transport) do(ctx context.Context, r *request) (*http.Response, error) {
	reauthed := false
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		release := func() {}
		var token string
		if !r.public {
			if d := t.limiter.Delay(); d > 0 {
				if err := t.wait(ctx, r, d, "rate limit exhausted (X-RateLimit-ToWait-Sec)", true, nil); err != nil {
					return nil, err
				}
			}
			rel, err := t.limiter.Acquire(ctx)
			if err != nil {
				return nil, err
			}
			release = rel
			if token, err = t.auth.Token(ctx); err != nil {
				release()
				return nil, err
			}
		}
		req, err := t.build(ctx, r, token)
		if err != nil {
			release()
			return nil, err
		}

		start := time.Now()
		resp, err := t.hc.Do(req)
		dur := time.Since(start)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if r.public {
			t.stats.authCalls.Add(1)
		} else {
			t.stats.calls.Add(1)
			if resp != nil {
				t.limiter.Observe(resp.Header)
			}
		}
		if t.onRequest != nil {
			t.onRequest(r.method, r.path, status, dur)
		}
		t.log.LogAttrs(ctx, slog.LevelDebug, "csam request",
			slog.String("op", r.op), slog.String("method", r.method), slog.String("path", r.path),
			slog.Int("status", status), slog.Int("attempt", failures+1), slog.Duration("duration", dur))

		if err == nil && status >= 200 && status < 300 {
			tb := &trackedBody{rc: resp.Body, release: release}
			if !r.public {
				tb.bytes = &t.stats.bytes
			}
			resp.Body = tb
			return resp, nil
		}

		var failure error
		if err != nil {
			release()
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			failure = t.netError(r, err)
		} else {
			ae := t.apiError(r, resp, token)
			release()
			if status == http.StatusUnauthorized && !r.public && !reauthed {
				// Tokens expire mid-run (4 h); every real client refreshes once
				// and retries the same request once (csam-api.md §2.2).
				reauthed = true
				t.auth.Invalidate(token)
				t.stats.reauths.Add(1)
				t.log.LogAttrs(ctx, slog.LevelInfo, "csam token refused, re-authenticating",
					slog.String("op", r.op), slog.String("path", r.path))
				continue
			}
			failure = ae
		}

		failures++
		retry, wait, reason := t.policy.Decide(failures, resp, err)
		if !retry {
			if failures > 1 {
				return nil, fmt.Errorf("%w (gave up after %d attempts: %s)", failure, failures, reason)
			}
			return nil, failure
		}
		rateLimited := status == http.StatusTooManyRequests || status == http.StatusConflict
		if err := t.wait(ctx, r, wait, reason, rateLimited, failure); err != nil {
			return nil, err
		}
		t.stats.retries.Add(1)
	}
}

// wait sleeps d unless it is above the ceiling, in which case the call ends
// with a WaitTooLongError so the caller can checkpoint and stop.
func (t *transport) wait(ctx context.Context, r *request, d time.Duration, reason string, rateLimit bool, cause error) error {
	if d > t.maxWait {
		t.log.LogAttrs(ctx, slog.LevelWarn, "csam wait above ceiling, stopping",
			slog.String("op", r.op), slog.String("path", r.path), slog.String("reason", reason),
			slog.Duration("wait", d), slog.Duration("max_wait", t.maxWait))
		return &WaitTooLongError{Op: r.op, Wait: d, Max: t.maxWait, Err: cause}
	}
	t.log.LogAttrs(ctx, slog.LevelWarn, "csam waiting before retry",
		slog.String("op", r.op), slog.String("method", r.method), slog.String("path", r.path),
		slog.String("reason", reason), slog.Duration("wait", d))
	if rateLimit {
		t.stats.rateWaits.Add(1)
	}
	if d <= 0 {
		return nil
	}
	t.stats.waitNanos.Add(int64(d))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *transport) build(ctx context.Context, r *request, token string) (*http.Request, error) {
	u := *t.base
	u.Path = strings.TrimSuffix(t.base.Path, "/") + r.path
	u.RawPath = ""
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("csam %s: building request for %s: %w", r.op, r.path, err)
	}
	if r.body != nil {
		b := r.body
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", t.userAgent)
	for k, v := range r.header {
		req.Header[k] = v // as written: the gateway documents clientId / clientSecret
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// apiError reads (a bounded amount of) an error response and closes it.
func (t *transport) apiError(r *request, resp *http.Response, token string) *APIError {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	e := newAPIError(r.op, r.method, r.path, resp.StatusCode, b)
	if d, ok := serverWait(resp.Header); ok {
		e.RetryAfter = d
	}
	e.Message = t.redact(e.Message, token)
	e.Body = t.redact(e.Body, token)
	return e
}

// netError drops the *url.Error wrapper, whose text carries the full URL
// with its query, and names the call instead.
func (t *transport) netError(r *request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &netErr{op: r.op, method: r.method, path: r.path, err: err}
}

type netErr struct {
	op, method, path string
	err              error
}

func (e *netErr) Error() string {
	return fmt.Sprintf("csam %s: %s %s: %v", e.op, e.method, e.path, e.err)
}
func (e *netErr) Unwrap() error { return e.err }

// redact removes credentials from text that came from the server, in case
// an error page echoes them.
func (t *transport) redact(s, token string) string {
	if s == "" {
		return s
	}
	for _, sec := range append(t.secrets, token) {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

// trackedBody counts the bytes read (data calls only) and frees the concurrency slot once
// the caller is done with the response.
type trackedBody struct {
	rc      io.ReadCloser
	release func()
	bytes   *atomic.Int64
	once    sync.Once
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if b.bytes != nil {
		b.bytes.Add(int64(n))
	}
	return n, err
}

func (b *trackedBody) Close() error {
	err := b.rc.Close()
	b.once.Do(b.release)
	return err
}
