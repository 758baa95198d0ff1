package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewAPIErrorMessage(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		message  string
		code     string
		bodyKept string
		kind     error
	}{
		{"spring 401", 401, string(readTestdata(t, "error_401.json")), "Unauthorized", "Failure", "", ErrUnauthorized},
		{"details object", 403, `{"responseErrorDetails":{"errorMessage":"Module not in subscription"},"responseMessage":"x"}`, "Module not in subscription", "", "", ErrForbidden},
		{"responseMessage", 400, `{"responseMessage":"Invalid operator","responseCode":"FAILED"}`, "Invalid operator", "FAILED", "", nil},
		{"blank details fall through", 400, `{"responseErrorDetails":" ","message":"bad"}`, "bad", "", "", nil},
		{"auth 401", 401, `{"status":401,"message":"authenticationFailure.InvalidCredentialsException"}`, "authenticationFailure.InvalidCredentialsException", "", "", ErrUnauthorized},
		{"error only", 500, `{"error":"Internal Server Error"}`, "Internal Server Error", "", "", nil},
		{"invalid subscription", 400, `{"responseMessage":"Error validating customer from token - Invalid Subscription Id"}`, "Error validating customer from token - Invalid Subscription Id", "", "", ErrInvalidSubscription},
		{"xml", 409, `<SIMPLE_RETURN><CODE>1965</CODE></SIMPLE_RETURN>`, "", "", `<SIMPLE_RETURN><CODE>1965</CODE></SIMPLE_RETURN>`, ErrRateLimited},
		{"json without message keeps body", 502, `{"foo":1}`, "", "", `{"foo":1}`, nil},
		{"long html cut to 500", 503, "<html>" + strings.Repeat("é", 400) + "</html>", "", "", "", nil},
		{"empty", 404, "", "", "", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAPIError("search", "POST", pathSearch, tt.status, []byte(tt.body))
			if e.Message != tt.message || e.ResponseCode != tt.code {
				t.Errorf("message=%q code=%q", e.Message, e.ResponseCode)
			}
			if tt.bodyKept != "" && e.Body != tt.bodyKept {
				t.Errorf("body = %q", e.Body)
			}
			if len(e.Body) > maxBodySnippet || !strings.Contains(e.Error(), fmt.Sprint(tt.status)) {
				t.Errorf("body %d bytes, error %q", len(e.Body), e.Error())
			}
			if tt.kind != nil && !errors.Is(e, tt.kind) {
				t.Errorf("%v is not %v", e, tt.kind)
			}
			if tt.kind == nil && e.Unwrap() != nil {
				t.Errorf("unexpected sentinel %v", e.Unwrap())
			}
		})
	}
}

func TestErrorTextsNameTheCall(t *testing.T) {
	e := newAPIError("search", "POST", pathSearch, 429, []byte(`{"responseMessage":"slow down"}`))
	e.RetryAfter = 30 * time.Second
	want := "csam search: POST /rest/2.0/search/am/asset: HTTP 429: slow down (server asked to wait 30s)"
	if e.Error() != want {
		t.Errorf("got  %q\nwant %q", e.Error(), want)
	}
	pe := &PageError{Page: 3, Cursor: 1234, Err: &DecodeError{Index: 7, AssetID: 99, LastAssetID: 98, Err: errors.New("boom")}}
	want = "csam scan: page 3 (requested with lastSeenAssetId=1234): malformed page: decoding asset[7] (assetId 99), after assetId 98: boom"
	if pe.Error() != want {
		t.Errorf("got  %q\nwant %q", pe.Error(), want)
	}
	if StatusCode(fmt.Errorf("wrapped: %w", e)) != 429 || StatusCode(errors.New("x")) != 0 {
		t.Error("StatusCode")
	}
}

func TestNewValidatesConfig(t *testing.T) {
	ok := Config{BaseURL: "https://gateway.qg1.apps.qualys.com", Username: "u", Password: "p"}
	tests := []struct {
		name   string
		mod    func(*Config)
		errHas string
	}{
		{"ok", func(*Config) {}, ""},
		{"ok with path prefix and slash", func(c *Config) { c.BaseURL = "http://localhost:8080/proxy/" }, ""},
		{"empty url", func(c *Config) { c.BaseURL = "" }, "BaseURL is empty"},
		{"ftp", func(c *Config) { c.BaseURL = "ftp://x" }, "http or https"},
		{"no scheme", func(c *Config) { c.BaseURL = "gateway.qg1.apps.qualys.com" }, "http or https"},
		{"no host", func(c *Config) { c.BaseURL = "https://" }, "no host"},
		{"credentials in url", func(c *Config) { c.BaseURL = "https://u:" + testPassword + "@gw" }, "must not contain credentials"},
		{"query", func(c *Config) { c.BaseURL = "https://gw?x=1" }, "query"},
		{"no password", func(c *Config) { c.Password = "" }, "Username and Password"},
		{"oauth no secret", func(c *Config) { c.Auth = AuthOAuth; c.ClientID = "id" }, "ClientID and ClientSecret"},
		{"oauth ok", func(c *Config) { c.Auth = AuthOAuth; c.ClientID, c.ClientSecret = "id", "s" }, ""},
		{"unknown mode", func(c *Config) { c.Auth = "basic" }, "unknown auth mode"},
		{"negative parallel", func(c *Config) { c.Parallel = -1 }, "Parallel"},
		{"negative wait", func(c *Config) { c.MaxWait = -time.Second }, "MaxWait"},
		{"custom authenticator needs no credentials", func(c *Config) {
			c.Username, c.Password = "", ""
			c.Authenticator = newTokenCache(nil)
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mod(&cfg)
			c, err := New(cfg)
			if tt.errHas == "" {
				if err != nil || c == nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v, want %q", err, tt.errHas)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestBaseURLPrefixIsKept(t *testing.T) {
	g := newGateway(t, nil)
	var paths []string
	inner := g.srv.Config.Handler
	g.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/gw")
		inner.ServeHTTP(w, r)
	})
	c, _ := newClient(t, g, func(c *Config) { c.BaseURL = g.srv.URL + "/gw/" })
	if err := c.Authenticate(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != "/gw/auth" {
		t.Errorf("paths = %v", paths)
	}
}

// Secrets never reach a URL, an error or a log line, whatever fails.
func TestSecretsNeverLeak(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		// A hostile error page that echoes what it received.
		writeJSON(w, 500, fmt.Sprintf(`{"message":"bad request from %s"}`, r.Header.Get("Authorization")))
	}
	g := newGateway(t, echo)
	c, logs := newClient(t, g, func(c *Config) { c.MaxRetries = 1 })
	ctx := testCtx(t)
	var errs []error
	_, err := c.Count(ctx, AssetQuery{})
	errs = append(errs, err)
	_, _, err = collect(c.Scan(ctx, AssetQuery{Tags: []string{"x"}}))
	errs = append(errs, err)
	_, err = c.GetAsset(ctx, 5)
	errs = append(errs, err)

	bad, badLogs := newClient(t, g, func(c *Config) { c.Password = testPassword + "-nope" })
	errs = append(errs, bad.Authenticate(ctx))

	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		assertNoSecrets(t, g, "error", err.Error())
		assertNoSecrets(t, g, "error", fmt.Sprintf("%+v %#v", err, err))
	}
	for _, r := range g.recorded() {
		assertNoSecrets(t, g, "url", r.Path+"?"+r.RawQuery)
	}
	if !strings.Contains(errs[0].Error(), "[REDACTED]") {
		t.Errorf("echoed token not redacted: %v", errs[0])
	}
	assertNoSecrets(t, g, "log", logs.String())
	assertNoSecrets(t, g, "log", badLogs.String())
}
