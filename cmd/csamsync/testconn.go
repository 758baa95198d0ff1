package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/testconn"
)

// errChecksFailed makes the exit code non-zero after the checks printed
// their own lines.
var errChecksFailed = errors.New("connection test failed")

func cmdTestConnection(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("test-connection", flag.ContinueOnError)
	var f syncFlags
	f.register(fs, true)
	asJSON := fs.Bool("json", false, "print JSON")
	timeout := fs.Duration("timeout", 15*time.Second, "time limit per check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.password == "" {
		f.password = os.Getenv("CSAMSYNC_PASSWORD")
	}
	if f.clientSecret == "" {
		f.clientSecret = os.Getenv("CSAMSYNC_CLIENT_SECRET")
	}
	if f.url == "" {
		return usagef("--url (or CSAMSYNC_URL) is required")
	}
	cfg := client.Config{
		BaseURL: f.url, Auth: client.AuthMode(f.authMode), Username: f.username, Password: f.password,
		ClientID: f.clientID, ClientSecret: f.clientSecret, MaxRetries: 1, MaxWait: *timeout,
	}
	return printChecks(ctx, os.Stdout, testconn.Options{Config: cfg, Timeout: *timeout}, *asJSON)
}

// printChecks runs the checks and prints one line per check, starting with
// the check's name.
func printChecks(ctx context.Context, w io.Writer, o testconn.Options, asJSON bool) error {
	results, ok := testconn.Run(ctx, o)
	if asJSON {
		if err := json.MarshalWrite(w, map[string]any{"passed": ok, "checks": results}); err != nil {
			return err
		}
		fmt.Fprintln(w)
	} else {
		for _, r := range results {
			status := "FAIL"
			switch {
			case r.Passed:
				status = "PASS"
			case r.Skipped:
				status = "SKIP"
			}
			fmt.Fprintf(w, "%-21s %s  %6dms  %s\n", r.Name, status, r.Duration.Milliseconds(), r.Detail)
			if r.Hint != "" {
				fmt.Fprintf(w, "%-21s hint: %s\n", "", r.Hint)
			}
		}
	}
	if !ok {
		return errChecksFailed
	}
	return nil
}
