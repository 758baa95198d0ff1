package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The shared store suite: the tests that say what a Store and Lifecycle do
// run against every backend, SQLite always and PostgreSQL when
// CSAMSYNC_TEST_POSTGRES_DSN names a database to create test schemas in,
// for example
//
//	CSAMSYNC_TEST_POSTGRES_DSN='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// Every PostgreSQL test store is a schema of its own, dropped when the test
// ends, so the tests run in parallel and leave nothing behind.

const pgDSNEnv = "CSAMSYNC_TEST_POSTGRES_DSN"

// testStore is what each backend implements.
type testStore interface {
	Store
	Lifecycle
}

// opener returns a new, empty store and a DSN that Open opens another
// handle of the same store with (as another process would).
type opener func(tb testing.TB) (testStore, string)

// backends are the stores of the shared suite.
var backends = []struct {
	name string
	open opener
}{
	{"sqlite", openSQLiteStore},
	{"postgres", openPostgresStore},
}

// eachBackend runs test as a parallel subtest per backend.
func eachBackend(t *testing.T, test func(t *testing.T, open opener)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b.open)
		})
	}
}

func openSQLiteStore(tb testing.TB) (testStore, string) {
	tb.Helper()
	s, path := openTest(tb)
	return s, path
}

// pgTestDSN returns the DSN of the test server or skips the test.
func pgTestDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(pgDSNEnv)
	if dsn == "" {
		tb.Skip(pgDSNEnv + " not set: PostgreSQL store tests skipped")
	}
	return dsn
}

// pgTestSchema creates a schema of its own for a test, dropped (with
// everything in it) when the test ends, and returns a DSN whose sessions
// use it.
func pgTestSchema(tb testing.TB) string {
	tb.Helper()
	dsn := pgTestDSN(tb)
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "csamsync_test_" + hex.EncodeToString(b)
	admin := func(sql string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		if err := admin(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return withSearchPath(tb, dsn, schema)
}

// withSearchPath sets the search_path run-time parameter of a DSN.
func withSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	if !strings.Contains(dsn, "://") { // key=value form
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", pgDSNEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openPostgresTest opens a store in a new test schema.
func openPostgresTest(tb testing.TB) (*Postgres, string) {
	tb.Helper()
	dsn := pgTestSchema(tb)
	p, err := OpenPostgres(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() }) // before the schema is dropped
	return p, dsn
}

func openPostgresStore(tb testing.TB) (testStore, string) {
	tb.Helper()
	return openPostgresTest(tb)
}

// reopen opens another handle of a test store, closed when the test ends.
func reopen(tb testing.TB, dsn string) testStore {
	tb.Helper()
	st, err := Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st.(testStore)
}

// dumpTables returns every row of the inventory tables as text, without
// updated_at and last_run_id.
func dumpTables(t *testing.T, st testStore) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"hosts", "packages", "installed_packages"} {
		q := "SELECT * FROM " + table + " ORDER BY uid"
		switch s := st.(type) {
		case *SQLite:
			rows, err := s.db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				dumpRow(&b, table, cols, vals)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
		case *Postgres:
			rows, err := s.pool.Query(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, f := range rows.FieldDescriptions() {
				cols = append(cols, f.Name)
			}
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				dumpRow(&b, table, cols, vals)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("dumpTables: %T", st)
		}
	}
	return b.String()
}

func dumpRow(b *strings.Builder, table string, cols []string, vals []any) {
	for i, c := range cols {
		if c != "updated_at" && c != "last_run_id" {
			fmt.Fprintf(b, "%s.%s=%v ", table, c, vals[i])
		}
	}
	b.WriteString("\n")
}

// hostsNotStampedBy counts the hosts whose last_run_id is not runID.
func hostsNotStampedBy(t *testing.T, st testStore, runID int64) int {
	t.Helper()
	var n int
	var err error
	switch s := st.(type) {
	case *SQLite:
		err = s.db.QueryRow(`SELECT COUNT(*) FROM hosts WHERE last_run_id IS NOT ?`, runID).Scan(&n)
	case *Postgres:
		err = s.pool.QueryRow(context.Background(), `SELECT COUNT(*) FROM hosts WHERE last_run_id IS DISTINCT FROM $1`, runID).Scan(&n)
	default:
		t.Fatalf("hostsNotStampedBy: %T", st)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSuiteBackends says whether the PostgreSQL half of the suite runs and
// checks that each backend's opener gives a working store.
func TestSuiteBackends(t *testing.T) {
	if os.Getenv(pgDSNEnv) == "" {
		t.Logf("%s not set: PostgreSQL store tests skipped", pgDSNEnv)
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st, dsn := b.open(t)
			if _, err := st.Counts(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st2 := reopen(t, dsn); fmt.Sprintf("%T", st2) != fmt.Sprintf("%T", st) {
				t.Errorf("reopen(%q) = %T, want %T", dsn, st2, st)
			}
		})
	}
}
