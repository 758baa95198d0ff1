package testconn_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/emulator"
	"github.com/csamsync/csamsync/internal/testconn"
)

func startEmulator(t *testing.T) (*emulator.Server, string) {
	t.Helper()
	emu := emulator.New(emulator.Config{Assets: 5, Seed: 3, Username: "u", Password: "right-password"})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu, url
}

func cfg(url, password string) client.Config {
	return client.Config{BaseURL: url, Username: "u", Password: password, MaxRetries: -1, MaxWait: time.Second}
}

// outcome is "PPPPP"-style: P pass, F fail, S skipped, in check order.
func outcome(rs []testconn.Result) string {
	var b strings.Builder
	for _, r := range rs {
		switch {
		case r.Passed:
			b.WriteByte('P')
		case r.Skipped:
			b.WriteByte('S')
		default:
			b.WriteByte('F')
		}
	}
	return b.String()
}

func TestChecks(t *testing.T) {
	emu, url := startEmulator(t)

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String()
	ln.Close()

	// A TLS server with a self-signed certificate, not trusted.
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()

	tests := []struct {
		name     string
		cfg      client.Config
		before   func()
		want     string
		failName string
		hint     string
	}{
		{"emulator", cfg(url, "right-password"), nil, "PPPPP", "", ""},
		{"closed port", cfg(closedURL, "x"), nil, "FSSSS", testconn.CheckNetwork, "firewall"},
		{"self-signed TLS", cfg(tlsSrv.URL, "x"), nil, "PFSSS", testconn.CheckTLS, "unknown authority"},
		{"wrong credentials", cfg(url, "wrong-password"), nil, "PPFSS", testconn.CheckAuth, "password"},
		{"no asset access", cfg(url, "right-password"), func() {
			emu.Faults().Enable(emulator.FaultSpec{Name: emulator.FaultForbidden403, Count: 1})
		}, "PPPFS", testconn.CheckAuthz, "API access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			rs, ok := testconn.Run(context.Background(), testconn.Options{Config: tt.cfg, Timeout: 5 * time.Second})
			if got := outcome(rs); got != tt.want || ok != (tt.want == "PPPPP") {
				t.Fatalf("checks %s (all passed %v), want %s: %+v", got, ok, tt.want, rs)
			}
			names := []string{testconn.CheckNetwork, testconn.CheckTLS, testconn.CheckAuth, testconn.CheckAuthz, testconn.CheckDataFetch}
			for i, r := range rs {
				if r.Name != names[i] {
					t.Fatalf("check %d is %s, want %s", i, r.Name, names[i])
				}
				if r.Passed && r.Duration <= 0 {
					t.Fatalf("%s: no duration", r.Name)
				}
				if strings.Contains(r.Detail, "right-password") || strings.Contains(r.Detail, "wrong-password") {
					t.Fatalf("%s leaks the password: %s", r.Name, r.Detail)
				}
				if !r.Passed && !r.Skipped {
					if r.Name != tt.failName || !strings.Contains(r.Hint, tt.hint) {
						t.Fatalf("failed %s with hint %q, want %s with a hint about %q", r.Name, r.Hint, tt.failName, tt.hint)
					}
				}
			}
		})
	}
}
