package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPasswordAuthRequest(t *testing.T) {
	g := newGateway(t, nil)
	c, logs := newClient(t, g)
	if err := c.Authenticate(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	reqs := g.recorded()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/auth" || r.RawQuery != "" || r.Header.Get("Authorization") != "" {
		t.Errorf("auth request = %+v", r)
	}
	// Cached: no second /auth.
	if err := c.Ping(testCtx(t)); err != nil || g.authCalls.Load() != 1 {
		t.Errorf("ping: err=%v auth calls=%d", err, g.authCalls.Load())
	}
	// /auth is not rate-limited and must not feed the limiter or the data counters.
	if st := c.Stats(); st.AuthCalls != 1 || st.APICalls != 0 || st.BytesRead != 0 || st.RateLimit.Limit != -1 {
		t.Errorf("stats = %+v", st)
	}
	assertNoSecrets(t, g, "log", logs.String())
}

func TestAuthTokenBodyVariants(t *testing.T) {
	jwt := makeJWT(time.Now(), time.Now().Add(time.Hour), 1)
	tests := []struct {
		name, body string
		status     int
		want       string
		wantErr    bool
	}{
		{"bare 201", jwt, 201, jwt, false},
		{"200 accepted", jwt, 200, jwt, false},
		{"quoted with newline", "\"" + jwt + "\"\n", 201, jwt, false},
		{"empty", "", 201, "", true},
		{"json object is not a token", `{"token":"` + jwt + `"}`, 201, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, nil)
			g.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			c, _ := newClient(t, g)
			tok, err := c.auth.Token(testCtx(t))
			if (err != nil) != tt.wantErr || tok != tt.want {
				t.Fatalf("tok=%q err=%v", tok, err)
			}
			if err != nil && strings.Contains(err.Error(), jwt) {
				t.Errorf("error echoes the body: %v", err)
			}
		})
	}
}

func TestAuthFailureMessages(t *testing.T) {
	t.Run("bad password", func(t *testing.T) {
		g := newGateway(t, nil)
		c, logs := newClient(t, g, func(c *Config) { c.Password = "wrong-Passw0rd" })
		err := c.Authenticate(testCtx(t))
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "authentication failed: check username/password (a new Qualys user must log in once to reset its password)") {
			t.Fatalf("err = %v", err)
		}
		if g.authCalls.Load() != 1 {
			t.Errorf("401 on /auth must not be retried (%d calls)", g.authCalls.Load())
		}
		for _, s := range []string{"wrong-Passw0rd", testPassword} {
			if strings.Contains(err.Error(), s) || strings.Contains(logs.String(), s) {
				t.Errorf("password leaked")
			}
		}
	})
	t.Run("auth 503 is retried", func(t *testing.T) {
		g := newGateway(t, nil)
		var n atomic.Int64
		inner := g.srv.Config.Handler
		g.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/auth" && n.Add(1) <= 2 {
				w.WriteHeader(503)
				return
			}
			inner.ServeHTTP(w, r)
		})
		c, _ := newClient(t, g)
		if err := c.Authenticate(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if st := c.Stats(); st.AuthCalls != 3 || st.Retries != 2 {
			t.Errorf("stats = %+v", st)
		}
	})
	t.Run("data 401 after auth never loops", func(t *testing.T) {
		g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
			writeFile(w, 401, "error_401.json")
		})
		c, _ := newClient(t, g)
		_, err := c.Count(testCtx(t), AssetQuery{})
		if !errors.Is(err, ErrUnauthorized) || g.dataCalls.Load() != 2 {
			t.Fatalf("err=%v data calls=%d", err, g.dataCalls.Load())
		}
	})
}

func TestOAuth(t *testing.T) {
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		// CSAM refuses client-credential tokens (csam-api.md §2.3).
		writeJSON(w, 400, `{"responseMessage":"Error validating customer from token - Invalid Subscription Id","responseCode":"FAILED"}`)
	})
	oauth := func(c *Config) {
		c.Auth, c.Username, c.Password = AuthOAuth, "", ""
		c.ClientID, c.ClientSecret = testClientID, testSecret
	}
	c, logs := newClient(t, g, oauth)
	_, err := c.Count(testCtx(t), AssetQuery{})
	if !errors.Is(err, ErrInvalidSubscription) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range []string{"Invalid Subscription Id", "reject client-credential", "username/password"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if g.oauthCalls.Load() != 1 || g.dataCalls.Load() != 1 {
		t.Errorf("oauth=%d data=%d: a 400 must not be retried", g.oauthCalls.Load(), g.dataCalls.Load())
	}
	r := g.recorded()[0]
	if r.Path != "/auth/oauth" || r.Body != "" || r.Header.Get("Content-Type") != formContentType || r.RawQuery != "" {
		t.Errorf("oauth request = %+v", r)
	}
	assertNoSecrets(t, g, "error", err.Error())
	assertNoSecrets(t, g, "log", logs.String())

	c2, _ := newClient(t, g, oauth, func(c *Config) { c.ClientSecret = "nope-wrong-secret" })
	err = c2.Authenticate(testCtx(t))
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "client id/secret") || strings.Contains(err.Error(), "nope-wrong-secret") {
		t.Errorf("bad secret: %v", err)
	}
}

func TestTokenSingleFlight(t *testing.T) {
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"count":1,"responseCode":"SUCCESS"}`)
	})
	g.authDelay = 50 * time.Millisecond
	c, _ := newClient(t, g, func(c *Config) { c.Parallel = 10 })
	ctx := testCtx(t)
	var wg sync.WaitGroup
	tokens := make([]string, 10)
	for i := range 10 {
		wg.Go(func() {
			tok, err := c.auth.Token(ctx)
			if err != nil {
				t.Error(err)
			}
			tokens[i] = tok
		})
	}
	wg.Wait()
	if n := g.authCalls.Load(); n != 1 {
		t.Fatalf("/auth calls = %d, want 1", n)
	}
	for _, tok := range tokens {
		if tok != tokens[0] || tok == "" {
			t.Fatal("waiters did not reuse the new token")
		}
	}

	// All tokens expire: 10 concurrent data calls get 401 and re-auth once.
	g.expireTokens()
	for range 10 {
		wg.Go(func() {
			if _, err := c.Count(ctx, AssetQuery{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := g.authCalls.Load(); n != 2 {
		t.Errorf("/auth calls after expiry = %d, want 2", n)
	}
}

func TestTokenRefreshTiming(t *testing.T) {
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		token string
		want  time.Time
	}{
		{"4h jwt", makeJWT(base, base.Add(4*time.Hour), 1), base.Add(4*time.Hour - 5*time.Minute)},
		{"lifetime from iat despite clock skew", makeJWT(base.Add(-time.Hour), base.Add(3*time.Hour), 1), base.Add(4*time.Hour - 5*time.Minute)},
		{"short test token keeps a quarter margin", makeJWT(base, base.Add(8*time.Second), 1), base.Add(6 * time.Second)},
		{"not a jwt assumes 4h", "opaque-token", base.Add(4*time.Hour - 5*time.Minute)},
		{"garbage payload assumes 4h", "a.!!!.c", base.Add(4*time.Hour - 5*time.Minute)},
	}
	for _, tt := range tests {
		if got := refreshTime(tt.token, base); !got.Equal(tt.want) {
			t.Errorf("%s: refresh at %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestTokenRefreshesNearExpiry(t *testing.T) {
	now := time.Now()
	var fetches int
	tc := newTokenCache(func(context.Context) (string, error) {
		fetches++
		return makeJWT(now, now.Add(4*time.Hour), fetches), nil
	})
	tc.now = func() time.Time { return now }
	ctx := testCtx(t)
	t1, _ := tc.Token(ctx)
	now = now.Add(3*time.Hour + 54*time.Minute)
	if t2, _ := tc.Token(ctx); t2 != t1 || fetches != 1 {
		t.Fatalf("refreshed too early")
	}
	now = now.Add(2 * time.Minute) // 3h56m: inside the 5-minute margin
	if t3, _ := tc.Token(ctx); t3 == t1 || fetches != 2 {
		t.Fatalf("did not refresh inside the margin")
	}
	// Invalidate only drops the current token.
	cur, _ := tc.Token(ctx)
	tc.Invalidate(t1)
	if again, _ := tc.Token(ctx); again != cur || fetches != 2 {
		t.Errorf("stale Invalidate dropped the fresh token")
	}
	tc.Invalidate(cur)
	if _, _ = tc.Token(ctx); fetches != 3 {
		t.Errorf("Invalidate(current) did not force a refresh")
	}
}

func TestTokenWaiterHonoursContext(t *testing.T) {
	release := make(chan struct{})
	tc := newTokenCache(func(ctx context.Context) (string, error) {
		<-release
		return "tok-1234", nil
	})
	go tc.Token(context.Background())
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := tc.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	close(release)
}
