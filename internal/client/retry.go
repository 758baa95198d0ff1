package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RetryPolicy decides whether a failed attempt is tried again and after how
// long. attempt counts the failures so far (1 after the first). resp is nil
// when no HTTP answer arrived (then err is set); when it is not nil its body
// has already been read and closed. The transport handles 401 itself
// (re-authenticate once) and refuses any wait above Config.MaxWait, so a
// policy only encodes which failures are transient.
type RetryPolicy interface {
	Decide(attempt int, resp *http.Response, err error) (retry bool, wait time.Duration, reason string)
}

// BackoffConfig shapes exponential backoff with full jitter: attempt n waits
// a random time in [0, min(Max, Base·2^(n-1))].
type BackoffConfig struct {
	Base time.Duration // default 500ms
	Max  time.Duration // default 60s
}

const (
	defaultBackoffBase = 500 * time.Millisecond
	defaultBackoffMax  = 60 * time.Second
)

func (b BackoffConfig) withDefaults() BackoffConfig {
	if b.Base <= 0 {
		b.Base = defaultBackoffBase
	}
	if b.Max <= 0 {
		b.Max = defaultBackoffMax
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	return b
}

// Delay returns the jittered delay for the given attempt (1-based).
func (b BackoffConfig) Delay(attempt int) time.Duration {
	b = b.withDefaults()
	ceil := b.Max
	if shift := attempt - 1; shift < 32 {
		if d := b.Base << shift; d > 0 && d < ceil {
			ceil = d
		}
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// DefaultPolicy is what real clients converged on (csam-api.md §4.3): 409
// and 429 wait what the server says (X-RateLimit-ToWait-Sec, else
// Retry-After, else backoff); 5xx (including Cloudflare's 520), connection
// resets, timeouts and truncated responses back off exponentially; other
// 4xx are never retried because sending the same request again cannot help.
type DefaultPolicy struct {
	MaxRetries int // retries after the first attempt; 0 means none
	Backoff    BackoffConfig
}

// Decide implements RetryPolicy.
func (p DefaultPolicy) Decide(attempt int, resp *http.Response, err error) (bool, time.Duration, string) {
	if resp == nil {
		transient, why := transientError(err)
		if !transient {
			return false, 0, "not retryable: " + why
		}
		if attempt > p.MaxRetries {
			return false, 0, why + ", retries exhausted"
		}
		return true, p.Backoff.Delay(attempt), why
	}
	status := resp.StatusCode
	var why string
	switch {
	case status == http.StatusConflict || status == http.StatusTooManyRequests:
		why = fmt.Sprintf("rate limited (HTTP %d)", status)
	case status >= 500:
		why = fmt.Sprintf("server error (HTTP %d)", status)
	default:
		return false, 0, fmt.Sprintf("HTTP %d is not retryable", status)
	}
	if attempt > p.MaxRetries {
		return false, 0, why + ", retries exhausted"
	}
	if w, ok := serverWait(resp.Header); ok {
		return true, w, why
	}
	return true, p.Backoff.Delay(attempt), why
}

// serverWait reads X-RateLimit-ToWait-Sec, then Retry-After (seconds or an
// HTTP date). A zero ToWait is "no advice", not "retry at once".
func serverWait(h http.Header) (time.Duration, bool) {
	if d, ok := seconds(h.Get("X-RateLimit-ToWait-Sec")); ok && d > 0 {
		return d, true
	}
	ra := strings.TrimSpace(h.Get("Retry-After"))
	if ra == "" {
		return 0, false
	}
	if d, ok := seconds(ra); ok {
		return d, true
	}
	if t, err := http.ParseTime(ra); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// seconds parses a header holding seconds. Fractions are accepted (the
// gateway sends integers; tests use fractions to stay fast).
func seconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e7 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// transientError reports whether a failure without an HTTP answer is worth
// another attempt. The caller's own context is checked by the transport
// before this is asked, so a deadline seen here is the HTTP client's timeout.
func transientError(err error) (bool, string) {
	var ne net.Error
	switch {
	case err == nil:
		return false, "no error"
	case errors.Is(err, context.Canceled):
		return false, "canceled"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true, "connection closed early (unexpected EOF)"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true, "connection reset"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return true, "timeout"
	}
	return false, err.Error()
}
