package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// postgresDSN returns a DSN on a fresh schema of the test server, dropped
// when the test ends, or skips when CSAMSYNC_TEST_POSTGRES_DSN is unset.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("CSAMSYNC_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CSAMSYNC_TEST_POSTGRES_DSN not set: PostgreSQL end-to-end test skipped")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "csamsync_e2e_" + hex.EncodeToString(b)
	exec := func(sql string) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	t.Cleanup(func() { exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestSQLiteAndPostgresExportsIdentical: the same emulator data synced into
// both backends exports byte for byte the same.
func TestSQLiteAndPostgresExportsIdentical(t *testing.T) {
	pg := postgresDSN(t)
	_, url := startEmulator(t, 250)
	lite := filepath.Join(t.TempDir(), "inv.db")
	for _, db := range []string{lite, pg} {
		if _, errs, code := runCLI(t, syncEnv(url, db), "sync", "--page-size", "60", "--progress", "none"); code != 0 {
			t.Fatalf("sync into %s: %s", db, errs)
		}
	}
	for _, format := range []string{"jsonl", "csv"} {
		for _, kind := range []string{"hosts", "packages", "installed-packages"} {
			a, _, _ := runCLI(t, nil, "export", "--db", lite, "--kind", kind, "--format", format)
			b, errs, code := runCLI(t, nil, "export", "--db", pg, "--kind", kind, "--format", format)
			if code != 0 {
				t.Fatalf("export from PostgreSQL: %s", errs)
			}
			if a != b || len(a) < 100 {
				t.Fatalf("%s %s: SQLite and PostgreSQL exports differ (%d vs %d bytes)", kind, format, len(a), len(b))
			}
		}
	}
}
