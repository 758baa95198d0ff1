// Package client talks to the Qualys CSAM gateway: transport,
// authentication, retry, rate limiting, the typed asset calls and paging.
// It speaks csamapi wire types and must not know about storage, the
// emulator or the sync engine; it never imports the emulator, so its only
// contract is the real API's behaviour (csam-api.md).
//
// The layers are small and separate: Authenticator (auth.go) gets tokens,
// Limiter (ratelimit.go) follows the server's limit headers, RetryPolicy
// (retry.go) says which failures are transient, the transport
// (transport.go) combines them per request, and Scan (pager.go) walks the
// keyset cursor while decode.go streams one asset at a time.
package client

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AuthMode selects the built-in Authenticator.
type AuthMode string

const (
	AuthPassword AuthMode = "password" // POST /auth with username/password (default)
	AuthOAuth    AuthMode = "oauth"    // POST /auth/oauth with client id/secret
)

// Defaults, from what Brinqa and ETM ship (csam-api.md §4.3) and the
// gateway's default concurrency limit of 2.
const (
	DefaultParallel   = 2
	DefaultMaxRetries = 5
	DefaultMaxWait    = 5 * time.Minute
	DefaultTimeout    = 180 * time.Second
	DefaultPageSize   = 300
	MinPageSize       = 10
)

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	BaseURL string // the gateway, e.g. https://gateway.qg1.apps.qualys.com
	Auth    AuthMode

	Username, Password     string // AuthPassword
	ClientID, ClientSecret string // AuthOAuth

	// Authenticator, when set, replaces Auth and the credentials.
	Authenticator Authenticator

	// HTTPClient defaults to one with a 180 s timeout. The timeout covers
	// reading the whole page body, which Scan streams while the caller
	// consumes assets, so slow consumers need a larger one.
	HTTPClient *http.Client
	Parallel   int           // concurrent data calls, capped by the server's advertised limit
	MaxRetries int           // retries per request; negative means none
	MaxWait    time.Duration // longest single wait before failing with ErrWaitTooLong
	Backoff    BackoffConfig
	Policy     RetryPolicy // defaults to DefaultPolicy{MaxRetries, Backoff}
	Logger     *slog.Logger

	// OnRequest is called after every HTTP request (status 0 when no
	// response arrived), for metrics.
	OnRequest func(method, path string, status int, dur time.Duration)
}

// Client is safe for concurrent use.
type Client struct {
	t    *transport
	auth Authenticator
	log  *slog.Logger
}

// New validates cfg and builds a client. It sends nothing.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Parallel < 0 {
		return nil, fmt.Errorf("%w: Parallel must not be negative (got %d)", ErrInvalidConfig, cfg.Parallel)
	}
	if cfg.MaxWait < 0 {
		return nil, fmt.Errorf("%w: MaxWait must not be negative (got %s)", ErrInvalidConfig, cfg.MaxWait)
	}
	if cfg.Backoff.Base < 0 || cfg.Backoff.Max < 0 {
		return nil, fmt.Errorf("%w: backoff durations must not be negative", ErrInvalidConfig)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	policy := cfg.Policy
	if policy == nil {
		retries := cfg.MaxRetries
		switch {
		case retries == 0:
			retries = DefaultMaxRetries
		case retries < 0:
			retries = 0
		}
		policy = DefaultPolicy{MaxRetries: retries, Backoff: cfg.Backoff.withDefaults()}
	}
	maxWait := cfg.MaxWait
	if maxWait == 0 {
		maxWait = DefaultMaxWait
	}
	t := &transport{
		base:      base,
		hc:        hc,
		limiter:   NewLimiter(cfg.Parallel),
		policy:    policy,
		maxWait:   maxWait,
		log:       log,
		onRequest: cfg.OnRequest,
		userAgent: "csamsync",
	}
	auth := cfg.Authenticator
	if auth == nil {
		switch cfg.Auth {
		case "", AuthPassword:
			if cfg.Username == "" || cfg.Password == "" {
				return nil, fmt.Errorf("%w: password auth needs Username and Password", ErrInvalidConfig)
			}
			auth = newPasswordAuth(t.do, cfg.Username, cfg.Password)
			t.secrets = []string{cfg.Password}
		case AuthOAuth:
			if cfg.ClientID == "" || cfg.ClientSecret == "" {
				return nil, fmt.Errorf("%w: oauth auth needs ClientID and ClientSecret", ErrInvalidConfig)
			}
			auth = newOAuthAuth(t.do, cfg.ClientID, cfg.ClientSecret)
			t.secrets = []string{cfg.ClientSecret}
		default:
			return nil, fmt.Errorf("%w: unknown auth mode %q (want %q or %q)", ErrInvalidConfig, cfg.Auth, AuthPassword, AuthOAuth)
		}
	}
	t.auth = auth
	return &Client{t: t, auth: auth, log: log}, nil
}

// parseBaseURL accepts http(s)://host[:port][/prefix] and nothing that
// would leak into every request (credentials, query, fragment).
func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%w: BaseURL is empty (want the gateway URL, e.g. https://gateway.qg1.apps.qualys.com)", ErrInvalidConfig)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: BaseURL does not parse: %v", ErrInvalidConfig, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: BaseURL scheme must be http or https (got %q)", ErrInvalidConfig, u.Scheme)
	case u.Host == "":
		return nil, fmt.Errorf("%w: BaseURL has no host", ErrInvalidConfig)
	case u.User != nil:
		return nil, fmt.Errorf("%w: BaseURL must not contain credentials; use Username/Password", ErrInvalidConfig)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%w: BaseURL must not have a query or fragment", ErrInvalidConfig)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Authenticate gets a token (from cache or /auth) and nothing else: a cheap
// credentials check that costs no rate-limited call.
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.auth.Token(ctx)
	return err
}

// Ping is Authenticate.
func (c *Client) Ping(ctx context.Context) error { return c.Authenticate(ctx) }

// Stats is a snapshot of the client's counters since New.
type Stats struct {
	APICalls       int64 // data requests sent, retries included
	AuthCalls      int64 // requests to /auth
	Retries        int64 // requests sent again after a transient failure
	ReAuths        int64 // tokens refused with 401 and replaced
	RateLimitWaits int64 // waits ordered by the server (409/429, ToWait)
	WaitTime       time.Duration
	BytesRead      int64 // response body bytes of data calls
	RateLimit      LimitState
}

// Stats returns the current counters.
func (c *Client) Stats() Stats {
	s := &c.t.stats
	return Stats{
		APICalls:       s.calls.Load(),
		AuthCalls:      s.authCalls.Load(),
		Retries:        s.retries.Load(),
		ReAuths:        s.reauths.Load(),
		RateLimitWaits: s.rateWaits.Load(),
		WaitTime:       time.Duration(s.waitNanos.Load()),
		BytesRead:      s.bytes.Load(),
		RateLimit:      c.t.limiter.State(),
	}
}
