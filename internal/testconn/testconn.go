// Package testconn runs the five Test Connection checks of the Qualys ETM
// CSAM connector (seed 001) in order: network reachability, TLS handshake,
// authentication, authorization scope and data fetch. Each check reports
// pass or fail, its duration and, on failure, a hint saying what to fix.
//
// It knows the client's public API and errors; nothing of storage or the
// sync engine.
package testconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/csamsync/csamsync/internal/client"
)

// Check names, in the order they run.
const (
	CheckNetwork   = "network-reachability"
	CheckTLS       = "tls-handshake"
	CheckAuth      = "authentication"
	CheckAuthz     = "authorization-scope"
	CheckDataFetch = "data-fetch"
)

// Result is the outcome of one check.
type Result struct {
	Name     string        `json:"name"`
	Passed   bool          `json:"passed"`
	Skipped  bool          `json:"skipped,omitempty"`
	Duration time.Duration `json:"-"`
	Millis   int64         `json:"durationMs"`
	Detail   string        `json:"detail,omitempty"`
	Hint     string        `json:"hint,omitempty"`
}

// Options configure a run of the checks.
type Options struct {
	Config  client.Config // the connection to test
	Timeout time.Duration // per check; default 15 s
	// TLSConfig is used for the handshake check (tests inject roots).
	TLSConfig *tls.Config
}

// Run runs the checks in order. A failed check skips the ones after it,
// since they cannot pass. It returns every result and whether all passed.
func Run(ctx context.Context, o Options) ([]Result, bool) {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	u, err := url.Parse(o.Config.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return []Result{{Name: CheckNetwork, Detail: fmt.Sprintf("bad gateway URL %q", o.Config.BaseURL),
			Hint: "use the API gateway URL of your platform, e.g. https://gateway.qg1.apps.qualys.com"}}, false
	}
	host := u.Host
	if u.Port() == "" {
		if u.Scheme == "https" {
			host = net.JoinHostPort(u.Hostname(), "443")
		} else {
			host = net.JoinHostPort(u.Hostname(), "80")
		}
	}

	var cl *client.Client
	checks := []struct {
		name string
		fn   func(ctx context.Context) (string, error)
		hint func(err error) string
	}{
		{CheckNetwork, func(ctx context.Context) (string, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", host)
			if err != nil {
				return "", err
			}
			defer c.Close()
			return "TCP connection to " + host, nil
		}, func(err error) string {
			return "check the gateway host name and port, DNS, proxies and firewalls; the gateway differs per platform (gateway.qg1.apps.qualys.com, gateway.qg2..., .eu, .in ...)"
		}},
		{CheckTLS, func(ctx context.Context) (string, error) {
			if u.Scheme != "https" {
				return "plain HTTP: no TLS to check (acceptable only for a local emulator)", nil
			}
			cfg := o.TLSConfig
			if cfg == nil {
				cfg = &tls.Config{}
			}
			cfg = cfg.Clone()
			cfg.ServerName = u.Hostname()
			d := tls.Dialer{Config: cfg}
			c, err := d.DialContext(ctx, "tcp", host)
			if err != nil {
				return "", err
			}
			defer c.Close()
			st := c.(*tls.Conn).ConnectionState()
			return fmt.Sprintf("%s, certificate for %s verified", tls.VersionName(st.Version), st.PeerCertificates[0].Subject.CommonName), nil
		}, tlsHint},
		{CheckAuth, func(ctx context.Context) (string, error) {
			var err error
			cl, err = client.New(o.Config)
			if err != nil {
				return "", err
			}
			if err := cl.Authenticate(ctx); err != nil {
				return "", err
			}
			return "token obtained from /auth", nil
		}, authHint},
		{CheckAuthz, func(ctx context.Context) (string, error) {
			n, err := cl.Count(ctx, client.AssetQuery{})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("asset API answered: %d assets visible", n), nil
		}, authzHint},
		{CheckDataFetch, func(ctx context.Context) (string, error) {
			for item, err := range cl.Scan(ctx, client.AssetQuery{PageSize: 1}) {
				if err != nil {
					return "", err
				}
				if item.Asset != nil {
					return fmt.Sprintf("fetched asset %d", item.Asset.AssetID), nil
				}
				if item.Page != nil {
					break
				}
			}
			return "no asset visible to this user (the request itself succeeded)", nil
		}, func(err error) string {
			return "the asset search failed after authorization passed: retry later; if it persists, check the connector's include/exclude fields and filters"
		}},
	}

	results := make([]Result, 0, len(checks))
	ok := true
	for _, c := range checks {
		if !ok {
			results = append(results, Result{Name: c.name, Skipped: true, Detail: "skipped: an earlier check failed"})
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, o.Timeout)
		start := time.Now()
		detail, err := c.fn(cctx)
		cancel()
		took := time.Since(start)
		r := Result{Name: c.name, Passed: err == nil, Duration: took, Millis: took.Milliseconds(), Detail: detail}
		if err != nil {
			r.Detail = err.Error()
			r.Hint = c.hint(err)
			ok = false
		}
		results = append(results, r)
	}
	return results, ok
}

func tlsHint(err error) string {
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return "the certificate is signed by an unknown authority (self-signed, or a TLS-inspecting proxy): add the proxy's CA to the system roots"
	case errors.As(err, &hostErr):
		return "the certificate does not match the host name: check the gateway URL"
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return "the certificate has expired or the local clock is wrong"
		}
		return "the certificate is invalid: " + invalid.Error()
	}
	return "the TLS handshake failed: check that the URL is the HTTPS API gateway and that no proxy interferes"
}

func authHint(err error) string {
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		return "wrong username or password, or a password reset is pending: log in to the Qualys UI once with this user to reset it; SSO users cannot use the API"
	case errors.Is(err, client.ErrForbidden):
		return "the user lacks API access: enable \"API\" access for the user (Administration > Users > user > GUI and API)"
	}
	var ae *client.APIError
	if errors.As(err, &ae) && ae.Status == 404 {
		return "no /auth endpoint at this URL: use the API gateway (gateway.qgN.apps.qualys.com), not qualysapi.* or the UI host"
	}
	return "authentication failed: check the gateway URL for your platform and the credentials"
}

func authzHint(err error) string {
	switch {
	case errors.Is(err, client.ErrInvalidSubscription):
		return "CSAM rejects OAuth client-credential tokens (\"Invalid Subscription Id\"): use username/password, or a client created with the CyberSecurity Asset Management toggle"
	case errors.Is(err, client.ErrForbidden):
		msg := strings.ToLower(err.Error())
		if strings.Contains(msg, "api access") {
			return "API access is not enabled for this user: enable \"API\" access in the user's role (Administration > Users), and the CSAM module's API permission"
		}
		if strings.Contains(msg, "licen") || strings.Contains(msg, "subscription") || strings.Contains(msg, "module") {
			return "CSAM is not licensed or not activated for this subscription: contact your Qualys TAM"
		}
		return "API access is not enabled for this user or CSAM is not licensed: enable API access for the user's role and check the CSAM subscription"
	case errors.Is(err, client.ErrUnauthorized):
		return "the token was refused by the asset API: the user may lack the Asset Management module role"
	}
	return "the asset API did not answer as expected: check that CSAM/Global AssetView is enabled on this subscription"
}
