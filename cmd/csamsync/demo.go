package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/csamsync/csamsync/internal/emulator"
)

// cmdDemo starts the emulator on a loopback port and syncs it into SQLite:
// the whole product on one machine with nothing to configure.
func cmdDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	assets := fs.Int("assets", 2000, "number of emulated assets")
	seed := fs.Int64("seed", 1, "emulator data seed")
	var f syncFlags
	f.register(fs, false)
	fs.StringVar(&f.db, "db", "csamsync-demo.db", "SQLite file to sync into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *assets < 1 {
		return usagef("--assets must be at least 1")
	}
	const user, pass = "demo", "demo-password"
	emu := emulator.New(emulator.Config{
		Assets:   *assets,
		Seed:     *seed,
		Username: user,
		Password: pass,
		Logger:   slog.New(slog.DiscardHandler),
	})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer emu.Close()
	fmt.Fprintf(os.Stderr, "emulator: %d assets at %s\n", *assets, url)

	f.url, f.username, f.password, f.authMode = url, user, pass, "password"
	if _, err := runSync(ctx, &f, os.Stderr); err != nil {
		return err
	}
	fmt.Printf(`
Try:
  go run ./cmd/csamsync export --db %[1]s --kind hosts --format jsonl | head -n 1
  go run ./cmd/csamsync export --db %[1]s --kind installed-packages --format csv --out installed.csv
  go run ./cmd/csamsync runs --db %[1]s
  sqlite3 %[1]s "SELECT operating_system, count(*) FROM hosts GROUP BY 1 ORDER BY 2 DESC"
  sqlite3 %[1]s "SELECT p.name, count(*) FROM installed_packages i JOIN packages p ON p.uid = i.package_uid GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
`, f.db)
	return nil
}
