package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/csamsync/csamsync/internal/emulator"
)

// cmdEmulator runs the CSAM gateway emulator until ctx is cancelled: a
// sandbox to point csamsync (or any CSAM client) at.
func cmdEmulator(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	var (
		listen       = fs.String("listen", "127.0.0.1:9080", "address to listen on")
		assets       = fs.Int("assets", 2000, "number of synthetic assets")
		seed         = fs.Int64("seed", 1, "data seed (same seed, same data)")
		username     = fs.String("username", "admin", "username accepted by /auth")
		password     = fs.String("password", "admin", "password accepted by /auth")
		clientID     = fs.String("client-id", "", "client id accepted by /auth/oauth and /auth/oidc (empty: disabled)")
		clientSecret = fs.String("client-secret", "", "client secret for --client-id")
		tokenTTL     = fs.Duration("token-ttl", 4*time.Hour, "JWT lifetime")
		rateLimit    = fs.Int("rate-limit", 300, "calls per rate window (negative: unlimited)")
		rateWindow   = fs.Duration("rate-window", time.Hour, "rolling rate-limit window")
		concurrency  = fs.Int("concurrency-limit", 2, "data requests allowed in flight (negative: unlimited)")
		logLevel     = fs.String("log-level", "info", "log level: debug, info, warn, error")
		importDelay  = fs.Duration("import-delay", 200*time.Millisecond, "delay before an accepted third-party import is processed")
		reportDelay  = fs.Duration("report-delay", 200*time.Millisecond, "delay before a requested report is produced")
		faults       []emulator.FaultSpec
		connectors   []emulator.Connector
	)
	fs.Func("fault", "switch a fault on: name[:count] (repeatable; no count = always). Names: "+fmt.Sprint(emulator.FaultNames()), func(v string) error {
		spec, err := emulator.ParseFault(v)
		if err != nil {
			return err
		}
		faults = append(faults, spec)
		return nil
	})
	fs.Func("connector", "accept third-party imports from a connector: UUID=SOURCE[:TAG,TAG] (repeatable; tags are applied to all its assets)", func(v string) error {
		c, err := emulator.ParseConnector(v)
		if err != nil {
			return err
		}
		connectors = append(connectors, c)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("emulator: unexpected arguments %q", fs.Args())
	}
	if *clientID != "" && *clientSecret == "" {
		return errors.New("emulator: --client-id needs --client-secret")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("emulator: --log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	srv := emulator.New(emulator.Config{
		Assets: *assets, Seed: *seed,
		Username: *username, Password: *password,
		ClientID: *clientID, ClientSecret: *clientSecret,
		TokenTTL:  *tokenTTL,
		RateLimit: *rateLimit, RateWindow: *rateWindow,
		ConcurrencyLimit: *concurrency,
		Connectors:       connectors,
		ImportDelay:      *importDelay,
		ReportDelay:      *reportDelay,
		Logger:           log,
	})
	for _, f := range faults {
		if err := srv.Faults().Enable(f); err != nil {
			return err
		}
	}
	base, err := srv.Start(*listen)
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	fmt.Printf("CSAM emulator listening on %s\n", base)
	fmt.Printf("  %d assets, seed %d, reference time %s\n", *assets, *seed, srv.ReferenceTime().Format(time.RFC3339))
	fmt.Printf("  credentials: username %q, password as set by --password\n", *username)
	if *clientID != "" {
		fmt.Printf("  client credentials: clientId %q and the secret given by --client-secret\n", *clientID)
	}
	for _, c := range connectors {
		fmt.Printf("  connector %s: source %s, tags %v\n", c.UUID, c.Source, c.Tags)
	}
	fmt.Printf("  faults: POST %s/__emulator/faults {\"fault\":\"rate429\",\"count\":3}; stats: GET %s/__emulator/stats\n", base, base)
	fmt.Printf("  changes: POST %s/__emulator/changes {\"seed\":1,\"update\":10,\"add\":2,\"delete\":1}; connectors: POST %s/__emulator/connectors\n", base, base)
	fmt.Printf("  reports: GET %s/__emulator/reports/{fileUuid}; imports: GET %s/__emulator/imports\n", base, base)

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return srv.Close()
	}
	return nil
}
