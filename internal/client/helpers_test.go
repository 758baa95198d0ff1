package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/csamapi"
)

// Credentials used by every test; none of them may ever show up in an
// error, a log line or a URL.
const (
	testUser     = "apiuser"
	testPassword = "pw-S3cret!xyz"
	testClientID = "client-123"
	testSecret   = "cs-TopSecret-42"
)

// recorded is one request the fake gateway received.
type recorded struct {
	Method, Path string
	Query        url.Values
	RawQuery     string
	Body         string
	Header       http.Header
}

// gateway is a minimal CSAM gateway: /auth and /auth/oauth issue JWTs and
// data paths check them before calling the test's handler.
type gateway struct {
	srv *httptest.Server

	authCalls  atomic.Int64
	oauthCalls atomic.Int64
	dataCalls  atomic.Int64

	mu       sync.Mutex
	requests []recorded
	tokens   map[string]bool
	seq      int

	tokenTTL  time.Duration
	authDelay time.Duration
	authFail  int // answer /auth with this status when not 0

	data http.HandlerFunc
}

func newGateway(t testing.TB, data http.HandlerFunc) *gateway {
	t.Helper()
	g := &gateway{tokens: map[string]bool{}, tokenTTL: 4 * time.Hour, data: data}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	g.requests = append(g.requests, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		RawQuery: r.URL.RawQuery, Body: string(body), Header: r.Header.Clone()})
	g.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))

	switch r.URL.Path {
	case "/auth":
		g.authCalls.Add(1)
		time.Sleep(g.authDelay)
		if g.authFail != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(g.authFail)
			fmt.Fprintf(w, `{"status":%d,"message":"authenticationFailure.InvalidCredentialsException"}`, g.authFail)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("username") != testUser ||
			r.PostForm.Get("password") != testPassword || r.PostForm.Get("token") != "true" ||
			r.Header.Get("Content-Type") != formContentType {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"status":401,"message":"authenticationFailure.InvalidCredentialsException"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, g.issue())
	case "/auth/oauth":
		g.oauthCalls.Add(1)
		if r.Header.Get("clientId") != testClientID || r.Header.Get("clientSecret") != testSecret {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"Invalid Client ID"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, g.issue())
	default:
		g.dataCalls.Add(1)
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		g.mu.Lock()
		ok := g.tokens[tok]
		g.mu.Unlock()
		if !ok {
			writeFile(w, http.StatusUnauthorized, "error_401.json")
			return
		}
		g.data(w, r)
	}
}

// issue mints a distinct JWT (header.payload.signature, unsigned).
func (g *gateway) issue() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	now := time.Now()
	tok := makeJWT(now, now.Add(g.tokenTTL), g.seq)
	g.tokens[tok] = true
	return tok
}

// expireTokens makes every issued token invalid, as after 4 hours.
func (g *gateway) expireTokens() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.tokens)
}

func (g *gateway) recorded() []recorded {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slicesClone(g.requests)
}

// dataRequests returns the requests to data paths only.
func (g *gateway) dataRequests() []recorded {
	var out []recorded
	for _, r := range g.recorded() {
		if !strings.HasPrefix(r.Path, "/auth") {
			out = append(out, r)
		}
	}
	return out
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

func makeJWT(iat, exp time.Time, jti int) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS512"}`))
	p := enc.EncodeToString(fmt.Appendf(nil,
		`{"sub":"apiuser","iss":"qas","aud":"qas","jti":%d,"iat":%d,"exp":%d}`, jti, iat.Unix(), exp.Unix()))
	return h + "." + p + ".c2lnbmF0dXJl"
}

// logBuffer collects every log line at debug level.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newClient builds a client for g with fast backoff and a captured log.
func newClient(t testing.TB, g *gateway, mods ...func(*Config)) (*Client, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg := Config{
		BaseURL:  g.srv.URL,
		Username: testUser,
		Password: testPassword,
		Backoff:  BackoffConfig{Base: time.Millisecond, Max: 4 * time.Millisecond},
		MaxWait:  2 * time.Second,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, logs
}

// assertNoSecrets fails if any credential or issued token appears in s.
func assertNoSecrets(t testing.TB, g *gateway, what, s string) {
	t.Helper()
	secrets := []string{testPassword, testSecret}
	if g != nil {
		g.mu.Lock()
		for tok := range g.tokens {
			secrets = append(secrets, tok)
		}
		g.mu.Unlock()
		for _, r := range g.recorded() {
			if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && tok != "" {
				secrets = append(secrets, tok)
			}
		}
	}
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s contains a secret (%.6s…): %s", what, sec, s)
		}
	}
}

// ---- page builders ----

// asset returns a small asset object.
func asset(id int64) string {
	return fmt.Sprintf(`{"assetId":%d,"assetName":"host-%d","lastModifiedDate":"2025-08-20T11:32:15.000Z"}`, id, id)
}

// page builds an envelope; nil pointers omit the key.
func page(hasMore *int, lastSeen *int64, ids ...int64) string {
	var parts []string
	parts = append(parts, `"responseMessage":"Valid API Access"`, `"responseCode":"SUCCESS"`,
		fmt.Sprintf(`"count":%d`, len(ids)))
	if lastSeen != nil {
		parts = append(parts, fmt.Sprintf(`"lastSeenAssetId":%d`, *lastSeen))
	}
	if hasMore != nil {
		parts = append(parts, fmt.Sprintf(`"hasMore":%d`, *hasMore))
	}
	as := make([]string, len(ids))
	for i, id := range ids {
		as[i] = asset(id)
	}
	parts = append(parts, `"assetListData":{"asset":[`+strings.Join(as, ",")+`]}`)
	return "{" + strings.Join(parts, ",") + "}"
}

func ip(v int) *int      { return &v }
func i64(v int64) *int64 { return &v }
func last(ids []int64) *int64 {
	if len(ids) == 0 {
		return nil
	}
	return &ids[len(ids)-1]
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func writeFile(w http.ResponseWriter, status int, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// collect drains a Scan.
func collect(seq iter.Seq2[Item, error]) (assets []*csamapi.Asset, pages []PageInfo, err error) {
	for it, e := range seq {
		if e != nil {
			return assets, pages, e
		}
		if it.Asset != nil {
			assets = append(assets, it.Asset)
		}
		if it.Page != nil {
			pages = append(pages, *it.Page)
		}
	}
	return assets, pages, nil
}

func ids(as []*csamapi.Asset) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.AssetID
	}
	return out
}

func cursorOf(r *http.Request) int64 {
	var n int64
	fmt.Sscan(r.URL.Query().Get("lastSeenAssetId"), &n)
	return n
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
