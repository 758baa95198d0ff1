package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The SQLite-only tests: pragmas and file DSNs.

func TestOpenMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "inv.db")
	for i := range 3 { // create, then reopen twice: migrations are idempotent
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n, v int
		if err := s.db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		if n != SchemaVersion || v != SchemaVersion {
			t.Fatalf("open %d: %d migrations, version %d; want %d", i, n, v, SchemaVersion)
		}
		for _, tc := range []struct{ pragma, want string }{
			{"journal_mode", "wal"},
			{"synchronous", "1"},
			{"busy_timeout", "10000"},
			{"foreign_keys", "1"},
		} {
			var got string
			if err := s.db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
			}
		}
		for _, table := range []string{"hosts", "packages", "installed_packages", "sync_runs"} {
			if _, err := s.db.Exec("SELECT * FROM " + table + " LIMIT 0"); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// A database from a newer program is refused.
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO schema_migrations VALUES (?, '')`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenSQLite(ctx, path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer schema: %v", err)
	}
}

func TestOpenDSN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		dsn     string
		wantErr string // "" = opens
	}{
		{dsn: filepath.Join(dir, "plain.db")},
		{dsn: filepath.Join(dir, "odd?name#.db")},
		{dsn: "sqlite:" + filepath.Join(dir, "a.db")},
		{dsn: "sqlite://" + filepath.Join(dir, "b.db")},
		{dsn: "file:" + filepath.Join(dir, "c.db")},
		{dsn: "file:" + filepath.Join(dir, "d.db") + "?cache=private"},
		{dsn: "", wantErr: "empty"},
		{dsn: "sqlite:", wantErr: "no file path"},
		// PostgreSQL URLs go to OpenPostgres: nothing listens on port 1.
		{dsn: "postgres://u@127.0.0.1:1/inv?connect_timeout=5", wantErr: "store: postgres"},
		{dsn: "postgresql://u@127.0.0.1:1/inv?connect_timeout=5", wantErr: "store: postgres"},
		{dsn: "postgres://u:secret@127.0.0.1:1/inv?connect_timeout=5", wantErr: "store: postgres"},
		{dsn: "mysql://localhost/inv", wantErr: "unsupported"},
		{dsn: ":memory:", wantErr: "in-memory"},
		{dsn: filepath.Join(dir, "missing", "dir", "x.db"), wantErr: "open"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			st, err := Open(ctx, tc.dsn)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open(%q) = %v, want error containing %q", tc.dsn, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Counts(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := Open(ctx, "postgres://u:secret@127.0.0.1:1/inv?connect_timeout=5"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("postgres error %v: want an error without the password", err)
	}
	if os.Getenv(pgDSNEnv) != "" {
		_, dsn := openPostgresTest(t)
		st, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, ok := st.(*Postgres); !ok {
			t.Fatalf("Open(%q) = %T, want *Postgres", dsn, st)
		}
	}
}
