package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
)

// Authenticator supplies the bearer token of data calls. Invalidate is
// called with the token a data call was refused with (401); implementations
// drop it only if it is still the current one, so a late 401 cannot throw
// away a token another goroutine has just fetched.
type Authenticator interface {
	Token(ctx context.Context) (string, error)
	Invalidate(token string)
}

// Token lifetime (csam-api.md §2.1: JWTs live 4 h, there is no refresh
// grant, a new one is fetched from /auth).
const (
	defaultTokenLifetime = 4 * time.Hour
	tokenRefreshMargin   = 5 * time.Minute
	maxTokenBody         = 64 << 10
	formContentType      = "application/x-www-form-urlencoded"
)

// tokenCache holds one token and single-flights its refresh: one fetch at a
// time however many goroutines ask, and those that waited reuse its result.
type tokenCache struct {
	fetch func(ctx context.Context) (string, error)
	now   func() time.Time

	lock chan struct{} // a mutex that a context can give up on

	mu        sync.Mutex
	token     string
	refreshAt time.Time
}

func newTokenCache(fetch func(context.Context) (string, error)) *tokenCache {
	return &tokenCache{fetch: fetch, now: time.Now, lock: make(chan struct{}, 1)}
}

func (c *tokenCache) current() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.refreshAt) {
		return c.token, true
	}
	return "", false
}

// Token returns the cached token, fetching a new one when it is missing or
// within the refresh margin of its expiry.
func (c *tokenCache) Token(ctx context.Context) (string, error) {
	if t, ok := c.current(); ok {
		return t, nil
	}
	select {
	case c.lock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.lock }()
	if t, ok := c.current(); ok { // refreshed while we waited
		return t, nil
	}
	obtained := c.now()
	tok, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.token, c.refreshAt = tok, refreshTime(tok, obtained)
	c.mu.Unlock()
	return tok, nil
}

// Invalidate forgets token if it is still the cached one.
func (c *tokenCache) Invalidate(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

// refreshTime decides when a token obtained at obtained must be replaced.
// The lifetime is exp−iat from the JWT when both parse (so a skewed local
// clock does not matter), exp−obtained with only exp, else 4 h. The margin
// is 5 min, shrunk to a quarter of the lifetime for short-lived test tokens
// so that they are not refreshed on every call.
func refreshTime(token string, obtained time.Time) time.Time {
	life := defaultTokenLifetime
	if exp, iat, ok := jwtTimes(token); ok {
		switch {
		case !iat.IsZero() && exp.After(iat):
			life = exp.Sub(iat)
		case exp.After(obtained):
			life = exp.Sub(obtained)
		}
	}
	return obtained.Add(life - min(tokenRefreshMargin, life/4))
}

// jwtTimes reads exp and iat from a JWT payload without checking the
// signature: the client only needs to know when to ask for a new one.
func jwtTimes(token string) (exp, iat time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return exp, iat, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return exp, iat, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
		Iat *float64 `json:"iat"`
	}
	if json.Unmarshal(raw, &claims) != nil || claims.Exp == nil || *claims.Exp <= 0 {
		return exp, iat, false
	}
	exp = time.Unix(int64(*claims.Exp), 0)
	if claims.Iat != nil && *claims.Iat > 0 {
		iat = time.Unix(int64(*claims.Iat), 0)
	}
	return exp, iat, true
}

// readTokenBody reads the bare JWT /auth answers with (201, plain text;
// some clients strip quotes defensively, so do we).
func readTokenBody(op string, resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody))
	if err != nil {
		return "", fmt.Errorf("csam %s: reading token: %w", op, err)
	}
	tok := strings.Trim(strings.TrimSpace(string(b)), `"`)
	tok = strings.TrimSpace(tok)
	if tok == "" || strings.ContainsAny(tok, " \t\r\n{}<>") {
		// Never echo the body: it may be a token in an unexpected wrapper.
		return "", fmt.Errorf("csam %s: HTTP %d without a bare token in the body (%d bytes)", op, resp.StatusCode, len(b))
	}
	return tok, nil
}

// PasswordAuth exchanges a username and password for a JWT at POST
// {base}/auth (csam-api.md §2.1). It is the default and the only mode the
// asset APIs are known to accept.
type PasswordAuth struct {
	*tokenCache
	do                 doFunc
	username, password string
}

// OAuthAuth gets a JWT from POST {base}/auth/oauth with clientId and
// clientSecret headers (csam-api.md §2.3). The gateway issues it, but the
// asset APIs have been seen refusing it (ErrInvalidSubscription).
type OAuthAuth struct {
	*tokenCache
	do                     doFunc
	clientID, clientSecret string
}

// doFunc sends a request through the transport.
type doFunc func(ctx context.Context, r *request) (*http.Response, error)

func newPasswordAuth(do doFunc, username, password string) *PasswordAuth {
	a := &PasswordAuth{do: do, username: username, password: password}
	a.tokenCache = newTokenCache(a.fetch)
	return a
}

func newOAuthAuth(do doFunc, clientID, clientSecret string) *OAuthAuth {
	a := &OAuthAuth{do: do, clientID: clientID, clientSecret: clientSecret}
	a.tokenCache = newTokenCache(a.fetch)
	return a
}

func (a *PasswordAuth) fetch(ctx context.Context) (string, error) {
	form := url.Values{"username": {a.username}, "password": {a.password}, "token": {"true"}}
	resp, err := a.do(ctx, &request{
		op: "auth", method: http.MethodPost, path: "/auth",
		body: []byte(form.Encode()), contentType: formContentType, public: true,
	})
	if err != nil {
		if StatusCode(err) == http.StatusUnauthorized {
			return "", fmt.Errorf("authentication failed: check username/password (a new Qualys user must log in once to reset its password): %w", err)
		}
		return "", err
	}
	return readTokenBody("auth", resp)
}

func (a *OAuthAuth) fetch(ctx context.Context) (string, error) {
	resp, err := a.do(ctx, &request{
		op: "auth", method: http.MethodPost, path: "/auth/oauth",
		contentType: formContentType, public: true,
		header: http.Header{"clientId": {a.clientID}, "clientSecret": {a.clientSecret}},
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusBadRequest) {
			return "", fmt.Errorf("authentication failed: check the OAuth client id/secret (the client needs the CyberSecurity Asset Management toggle): %w", err)
		}
		return "", err
	}
	return readTokenBody("auth", resp)
}
