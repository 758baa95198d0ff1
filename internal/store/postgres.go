package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/csamsync/csamsync/internal/model"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the PostgreSQL Store and Lifecycle: the tables of the SQLite
// side with the same meaning, in the first schema of the connection's
// search_path, shareable by any number of processes.
type Postgres struct {
	pool *pgxpool.Pool
	// schema is current_schema() of the pool's sessions: it scopes the run
	// lock keys, so that stores in two schemas of one database do not
	// share locks.
	schema string

	mu     sync.Mutex
	locks  map[*pgLock]struct{} // held run locks, released by Close
	closed bool
}

var (
	_ Store     = (*Postgres)(nil)
	_ Lifecycle = (*Postgres)(nil)
)

// OpenPostgres connects to the database a DSN names (a postgres:// or
// postgresql:// URL or a key=value string, anything pgx accepts, including
// pool_max_conns and run-time parameters such as search_path) and brings its
// schema up to date. The database must be UTF8 (or SQL_ASCII).
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(dsn) // its errors redact the password
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	p := &Postgres{pool: pool, locks: make(map[*pgLock]struct{})}
	if err := p.init(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: postgres %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return p, nil
}

func (p *Postgres) init(ctx context.Context) error {
	var enc string
	if err := p.pool.QueryRow(ctx, `SHOW server_encoding`).Scan(&enc); err != nil {
		return err
	}
	if enc != "UTF8" && enc != "SQL_ASCII" {
		return fmt.Errorf("database encoding is %s, want UTF8", enc)
	}
	if err := pgMigrate(ctx, p.pool); err != nil {
		return err
	}
	var schema *string
	if err := p.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if schema == nil {
		return errors.New("no schema of the search_path exists")
	}
	p.schema = *schema
	return nil
}

// Close releases the run locks still held and closes the pool.
func (p *Postgres) Close() error {
	p.mu.Lock()
	p.closed = true
	locks := slices.Collect(maps.Keys(p.locks))
	clear(p.locks)
	p.mu.Unlock()
	for _, l := range locks {
		l.release()
	}
	p.pool.Close()
	return nil
}

// pgText makes s storable in a text column: PostgreSQL refuses the NUL and
// invalid UTF-8 that SQLite stores, so both become U+FFFD, as the JSON codec
// does in the docs.
func pgText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// pgNullTime is the column value of an optional time.
func pgNullTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

// StartRun inserts a sync_runs row in state running.
func (p *Postgres) StartRun(ctx context.Context, rs RunStart) (Run, error) {
	started := rs.Started
	if started.IsZero() {
		started = time.Now()
	}
	r, err := scanRun(p.pool.QueryRow(ctx, `INSERT INTO sync_runs(connector, mode, resume_key, started, outcome)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+runColumns,
		pgText(rs.Connector), pgText(rs.Mode), rs.ResumeKey, formatTime(started), OutcomeRunning))
	if err != nil {
		return Run{}, fmt.Errorf("store: start run: %w", err)
	}
	return r, nil
}

// UnfinishedRun returns the newest run with this resume key that did not
// succeed and committed a checkpoint, or ErrNotFound. Runs older than the
// newest successful run with the key are stale and never returned.
func (p *Postgres) UnfinishedRun(ctx context.Context, resumeKey string) (Run, error) {
	r, err := scanRun(p.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE resume_key = $1 AND outcome <> $2 AND checkpoint <> ''
		  AND id > COALESCE((SELECT MAX(id) FROM sync_runs WHERE resume_key = $1 AND outcome = $2), 0)
		ORDER BY id DESC LIMIT 1`, resumeKey, OutcomeSuccess))
	if errors.Is(err, pgx.ErrNoRows) {
		return Run{}, ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("store: unfinished run: %w", err)
	}
	return r, nil
}

// FinishRun records the end of a run.
func (p *Postgres) FinishRun(ctx context.Context, runID int64, outcome, errText string, st RunStats, ended time.Time) error {
	tag, err := p.pool.Exec(ctx, `UPDATE sync_runs SET ended = $1, outcome = $2, error = $3,
		pages = $4, assets = $5, api_calls = $6, retries = $7, hosts_written = $8, packages_written = $9,
		installed_written = $10, hosts_added = $11, hosts_updated = $12, hosts_retired = $13,
		installed_removed = $14, skipped = $15
		WHERE id = $16`,
		formatTime(ended), pgText(outcome), pgText(errText),
		st.Pages, st.Assets, st.APICalls, st.Retries, st.HostsWritten, st.PackagesWritten,
		st.InstalledWritten, st.HostsAdded, st.HostsUpdated, st.HostsRetired,
		st.InstalledRemoved, st.Skipped, runID)
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", runID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: finish run %d: %w", runID, ErrNotFound)
	}
	return nil
}

// Runs lists runs newest first, of one connector unless connector is "",
// at most limit of them unless limit <= 0.
func (p *Postgres) Runs(ctx context.Context, connector string, limit int) ([]Run, error) {
	q := `SELECT ` + runColumns + ` FROM sync_runs`
	var args []any
	if connector != "" {
		args = append(args, pgText(connector))
		q += fmt.Sprintf(` WHERE connector = $%d`, len(args))
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		args = append(args, limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	rows, err := p.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: runs: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	return runs, nil
}

// Counts returns the number of rows of each kind (installed packages
// include removed ones).
func (p *Postgres) Counts(ctx context.Context) (map[Kind]int64, error) {
	var h, pk, i int64
	err := p.pool.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM hosts),
		(SELECT COUNT(*) FROM packages),
		(SELECT COUNT(*) FROM installed_packages)`).Scan(&h, &pk, &i)
	if err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	return map[Kind]int64{KindHosts: h, KindPackages: pk, KindInstalledPackages: i}, nil
}

// Export streams every object of a kind in uid order (byte order, as in
// SQLite) to fn, decoding the stored doc with the codec of the SQLite side,
// so that both export the same bytes. The rows stream from the server as fn
// consumes them.
func (p *Postgres) Export(ctx context.Context, kind Kind, fn func(v any) error) error {
	q, err := exportQuery(kind)
	if err != nil {
		return err
	}
	rows, err := p.pool.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("store: export %s: %w", kind, err)
	}
	defer rows.Close()
	return exportRows(kind, rows, fn)
}

// pgRetryable tells the errors after which a whole page transaction can be
// run again: a deadlock with another writer, a serialisation failure.
func pgRetryable(err error) bool {
	return pgCode(err) == "40P01" || pgCode(err) == "40001"
}

// pgCode returns the SQLSTATE of a server error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// WritePage upserts one page of records in one transaction, with the
// semantics of the SQLite side (see SQLite.WritePage): unchanged rows are
// not rewritten, an unchanged host only gets last_run_id, installed
// packages of a host that its record no longer lists are marked removed
// unless the software list was excluded, and the run's counters and
// checkpoint are stored in the same transaction.
//
// It takes a fixed number of round trips whatever the page size:
//
//  1. BEGIN;
//  2. one pipeline that stores the run progress (an unknown run fails the
//     page) and reads the content hashes of the page's hosts (locking
//     them, so that two writers of one host take turns) and the state of
//     their installed packages; from these, the page's effect is worked
//     out as the SQLite side's statements would have it;
//  3. one pipeline of INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO
//     UPDATE for the hosts and packages that changed, the last_run_id
//     stamp of the unchanged hosts and the date spans of PackageDates;
//  4. COPY of the installed packages new to the database straight into
//     installed_packages, and of those that changed into a staging table;
//  5. one pipeline of INSERT ... SELECT from the staging table ON CONFLICT
//     DO UPDATE, the check of the installed packages' references and the
//     marking of removed ones;
//  6. COMMIT.
//
// Rows are written in uid order, the lock order of every writer.
func (p *Postgres) WritePage(ctx context.Context, runID int64, recs []model.HostRecord, stats RunStats, checkpoint string, now time.Time) (PageResult, error) {
	pg, err := PreparePage(recs)
	if err != nil {
		return PageResult{}, err
	}
	return p.WritePrepared(ctx, runID, pg, stats, checkpoint, now)
}

// WritePrepared is WritePage for a page already prepared.
func (p *Postgres) WritePrepared(ctx context.Context, runID int64, pg *Page, stats RunStats, checkpoint string, now time.Time) (PageResult, error) {
	hosts, pkgs, dates := pg.hosts, pg.pkgs, pg.dates
	copyNew := true
	for attempt := 1; ; attempt++ {
		res, err := p.writePage(ctx, runID, hosts, pkgs, dates, stats, checkpoint, formatTime(now), copyNew)
		if err != nil && attempt < 4 && ctx.Err() == nil {
			switch {
			case copyNew && pgCode(err) == "23505":
				// An installed package thought new exists after all (on a
				// host outside the page, or written meanwhile by another
				// writer): again, upserting every row.
				copyNew = false
				continue
			case pgRetryable(err):
				continue
			}
		}
		if err != nil {
			return PageResult{}, fmt.Errorf("store: write page: %w", err)
		}
		return res, nil
	}
}

const (
	pgRunProgress = `UPDATE sync_runs SET pages = $1, assets = $2, api_calls = $3, retries = $4,
		hosts_written = $5, packages_written = $6, installed_written = $7, hosts_added = $8,
		hosts_updated = $9, hosts_retired = $10, installed_removed = $11, skipped = $12, checkpoint = $13
	WHERE id = $14`
	pgHostHashes = `SELECT uid, content_hash FROM hosts WHERE uid = ANY($1::text[])
	ORDER BY uid FOR NO KEY UPDATE`
	pgInstalledOfHosts = `SELECT uid, host_uid, status, content_hash FROM installed_packages
	WHERE host_uid = ANY($1::text[])`
	pgHostUpsert = `INSERT INTO hosts(uid, name, hostname, description, operating_system, status,
		first_seen, last_seen, last_scanned, last_started, source_created_date, source_last_modified,
		instance_id, retired_at, last_run_id, doc, content_hash, updated_at)
	SELECT u.uid, u.name, u.hostname, u.description, u.operating_system, u.status,
		u.first_seen, u.last_seen, u.last_scanned, u.last_started, u.source_created_date, u.source_last_modified,
		u.instance_id, u.retired_at, $17::bigint, u.doc, u.content_hash, $18::text
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
		$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
		$13::text[], $14::text[], $15::text[], $16::bigint[])
		AS u(uid, name, hostname, description, operating_system, status,
		first_seen, last_seen, last_scanned, last_started, source_created_date, source_last_modified,
		instance_id, retired_at, doc, content_hash)
	ON CONFLICT(uid) DO UPDATE SET name = excluded.name, hostname = excluded.hostname,
		description = excluded.description, operating_system = excluded.operating_system,
		status = excluded.status, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
		last_scanned = excluded.last_scanned, last_started = excluded.last_started,
		source_created_date = excluded.source_created_date,
		source_last_modified = excluded.source_last_modified, instance_id = excluded.instance_id,
		retired_at = excluded.retired_at, last_run_id = excluded.last_run_id, doc = excluded.doc,
		content_hash = excluded.content_hash, updated_at = excluded.updated_at`
	pgHostSeen = `UPDATE hosts SET last_run_id = $1
	WHERE uid = ANY($2::text[]) AND last_run_id IS DISTINCT FROM $1`
	// LEAST / GREATEST skip NULLs: the earliest / latest over every host,
	// as the CASE of the SQLite statement.
	pgPackageUpsert = `INSERT INTO packages AS p(uid, name, publisher, revision, doc, first_written, updated_at,
		source_created, source_modified)
	SELECT u.uid, u.name, u.publisher, u.revision, u.doc, $8::text, $8::text, u.source_created, u.source_modified
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
		AS u(uid, name, publisher, revision, doc, source_created, source_modified)
	ON CONFLICT(uid) DO UPDATE SET name = excluded.name, publisher = excluded.publisher,
		revision = excluded.revision, doc = excluded.doc, updated_at = excluded.updated_at,
		source_created = LEAST(p.source_created, excluded.source_created),
		source_modified = GREATEST(p.source_modified, excluded.source_modified)
	WHERE p.doc IS DISTINCT FROM excluded.doc
		OR excluded.source_created < p.source_created OR (p.source_created IS NULL AND excluded.source_created IS NOT NULL)
		OR excluded.source_modified > p.source_modified OR (p.source_modified IS NULL AND excluded.source_modified IS NOT NULL)`
	// pgPackageWiden folds hosts' dates into stored packages (the page's
	// PackageDates, one row per package).
	pgPackageWiden = `UPDATE packages AS p SET
		source_created = LEAST(p.source_created, u.source_created),
		source_modified = GREATEST(p.source_modified, u.source_modified)
	FROM unnest($1::text[], $2::text[], $3::text[]) AS u(uid, source_created, source_modified)
	WHERE p.uid = u.uid
		AND (u.source_created < p.source_created OR (p.source_created IS NULL AND u.source_created IS NOT NULL)
		OR u.source_modified > p.source_modified OR (p.source_modified IS NULL AND u.source_modified IS NOT NULL))`
	// Installed packages that changed go through a staging table filled by
	// COPY: at tens of thousands of rows, COPY then INSERT ... SELECT from a
	// table takes half the time of unnest over arrays. One per session,
	// emptied at commit.
	pgStageCreate = `CREATE TEMP TABLE IF NOT EXISTS csamsync_installed_stage (
		uid text, host_uid text, package_uid text, install_path text, install_date text,
		status text, removed_at text, doc text, content_hash bigint) ON COMMIT DELETE ROWS`
	pgInstalledUpsert = `INSERT INTO installed_packages(uid, host_uid, package_uid, install_path,
		install_date, status, removed_at, doc, content_hash)
	SELECT uid, host_uid, package_uid, install_path, install_date, status, removed_at, doc, content_hash
	FROM pg_temp.csamsync_installed_stage ORDER BY uid COLLATE "C"
	ON CONFLICT(uid) DO UPDATE SET host_uid = excluded.host_uid, package_uid = excluded.package_uid,
		install_path = excluded.install_path, install_date = excluded.install_date,
		status = excluded.status, removed_at = excluded.removed_at, doc = excluded.doc,
		content_hash = excluded.content_hash`
	// The references of installed_packages, checked once per page: the
	// hosts are the page's (preparePage checked the targets), the packages
	// must be the page's or stored ones.
	pgMissingPackage = `SELECT u.uid FROM unnest($1::text[]) AS u(uid)
	WHERE NOT EXISTS (SELECT FROM packages p WHERE p.uid = u.uid) LIMIT 1`
	pgInstalledRemove = `UPDATE installed_packages SET status = 'removed', removed_at = $1
	WHERE uid = ANY($2::text[]) AND status = 'present'`
)

// pgInstalledCols are the columns an installed package row is copied with.
var pgInstalledCols = []string{"uid", "host_uid", "package_uid", "install_path", "install_date",
	"status", "removed_at", "doc", "content_hash"}

// pgInstalled is the state of one installed package row while a page is
// worked out: as read, then as the page's statements leave it.
type pgInstalled struct {
	host    string
	status  string
	hash    int64
	stored  bool          // the row existed before the page
	row     *installedRow // the version the page upserts, if any
	removed bool          // marked removed by the page
}

func (p *Postgres) writePage(ctx context.Context, runID int64, hosts []hostRow, pkgs []packageRow, dates []model.PackageDates, stats RunStats, checkpoint, now string, copyNew bool) (res PageResult, err error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			// With a context of its own: after a cancel, the rollback still
			// runs (or the connection is closed, which rolls back too).
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			tx.Rollback(rctx)
			cancel()
		}
	}()
	send := func(b *pgx.Batch) error {
		if b.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, b).Close() // runs every statement, returns the first error
	}

	// The page's host uids, distinct, as stored.
	uids := make([]string, 0, len(hosts))
	for i := range hosts {
		uids = append(uids, pgText(hosts[i].h.UID))
	}
	slices.Sort(uids)
	uids = slices.Compact(uids)

	// The run first (an unknown run fails the page), and what the page's
	// hosts hold.
	hostHash := make(map[string]int64, len(uids))
	inst := make(map[string]*pgInstalled)
	byHost := make(map[string][]string, len(uids)) // host -> installed uids ever on it in the page
	st := &stats
	b := &pgx.Batch{}
	b.Queue(pgStageCreate)
	b.Queue(pgRunProgress, st.Pages, st.Assets, st.APICalls, st.Retries, st.HostsWritten, st.PackagesWritten,
		st.InstalledWritten, st.HostsAdded, st.HostsUpdated, st.HostsRetired, st.InstalledRemoved,
		st.Skipped, checkpoint, runID).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("run %d: %w", runID, ErrNotFound)
		}
		return nil
	})
	b.Queue(pgHostHashes, uids).Query(func(rows pgx.Rows) error {
		var uid string
		var hash int64
		_, err := pgx.ForEachRow(rows, []any{&uid, &hash}, func() error {
			hostHash[uid] = hash
			return nil
		})
		return err
	})
	b.Queue(pgInstalledOfHosts, uids).Query(func(rows pgx.Rows) error {
		var uid, host, status string
		var hash int64
		_, err := pgx.ForEachRow(rows, []any{&uid, &host, &status, &hash}, func() error {
			inst[uid] = &pgInstalled{host: host, status: status, hash: hash, stored: true}
			byHost[host] = append(byHost[host], uid)
			return nil
		})
		return err
	})
	if err = send(b); err != nil {
		return res, err
	}

	// Work out, record by record in page order, what the SQLite side's
	// statements would do, and keep the last state of every row.
	hostWrite := make(map[string]*hostRow) // uid -> version to upsert
	for i := range hosts {
		hr := &hosts[i]
		uid := pgText(hr.h.UID)
		old, ok := hostHash[uid]
		switch {
		case !ok:
			res.HostsAdded++
		case old == hr.hash: // unchanged
			continue
		default:
			res.HostsUpdated++
		}
		hostHash[uid] = hr.hash
		hostWrite[uid] = hr
	}
	res.PackagesWritten = int64(len(pkgs))

	have := make(map[string]*pgInstalled)
	for i := range hosts {
		hr := &hosts[i]
		host := pgText(hr.h.UID)
		clear(have)
		for _, uid := range byHost[host] {
			if e := inst[uid]; e.host == host {
				have[uid] = e
			}
		}
		for j := range hr.installed {
			ir := &hr.installed[j]
			uid := pgText(ir.ip.UID)
			res.InstalledWritten++
			e, ok := have[uid]
			if ok {
				delete(have, uid) // listed: not to be removed
				if e.status == model.InstalledPresent && e.hash == ir.hash {
					continue // unchanged
				}
			}
			e = inst[uid]
			if e == nil {
				e = &pgInstalled{}
				inst[uid] = e
			}
			if e.host != host {
				byHost[host] = append(byHost[host], uid)
			}
			*e = pgInstalled{host: host, status: model.InstalledPresent, hash: ir.hash, stored: e.stored, row: ir}
		}
		if hr.excluded {
			continue
		}
		for _, e := range have {
			if e.status == model.InstalledPresent {
				e.status, e.removed = model.InstalledRemoved, true
				res.InstalledRemoved++
			}
		}
	}

	// Hosts and packages.
	b = &pgx.Batch{}
	if len(hostWrite) > 0 {
		n := len(hostWrite)
		var (
			uid, name, hostname, descr, osName, status, instanceID, doc = make([]string, 0, n), make([]string, 0, n),
				make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
			firstSeen, lastSeen, lastScanned, lastStarted, created, modified, retired = make([]*string, 0, n), make([]*string, 0, n),
				make([]*string, 0, n), make([]*string, 0, n), make([]*string, 0, n), make([]*string, 0, n), make([]*string, 0, n)
			hash = make([]int64, 0, n)
		)
		for _, u := range slices.Sorted(maps.Keys(hostWrite)) {
			hr := hostWrite[u]
			h := hr.h
			uid, name, hostname, descr = append(uid, u), append(name, pgText(h.Name)), append(hostname, pgText(h.Hostname)), append(descr, pgText(h.Description))
			osName, status, instanceID, doc = append(osName, pgText(h.OperatingSystem)), append(status, pgText(h.Status)), append(instanceID, pgText(h.InstanceID)), append(doc, hr.doc)
			firstSeen, lastSeen, lastScanned = append(firstSeen, pgNullTime(h.FirstSeen)), append(lastSeen, pgNullTime(h.LastSeen)), append(lastScanned, pgNullTime(h.LastScanned))
			lastStarted, created, modified = append(lastStarted, pgNullTime(h.LastStarted)), append(created, pgNullTime(h.SourceCreatedDate)), append(modified, pgNullTime(h.SourceLastModified))
			retired, hash = append(retired, pgNullTime(h.RetiredAt)), append(hash, hr.hash)
		}
		b.Queue(pgHostUpsert, uid, name, hostname, descr, osName, status,
			firstSeen, lastSeen, lastScanned, lastStarted, created, modified,
			instanceID, retired, doc, hash, runID, now)
	}
	if len(hostWrite) < len(uids) {
		seen := make([]string, 0, len(uids)-len(hostWrite))
		for _, u := range uids {
			if hostWrite[u] == nil {
				seen = append(seen, u)
			}
		}
		b.Queue(pgHostSeen, runID, seen)
	}
	if len(pkgs) > 0 {
		n := len(pkgs)
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		key := make([]string, n)
		for i := range pkgs {
			key[i] = pgText(pkgs[i].p.UID)
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(key[a], key[b]) })
		uid, name, publisher, revision, doc := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		created, modified := make([]*string, 0, n), make([]*string, 0, n)
		for j, i := range order {
			if j > 0 && key[i] == uid[len(uid)-1] {
				continue // one row per stored uid
			}
			pk := pkgs[i].p
			uid, name, publisher, revision, doc = append(uid, key[i]), append(name, pgText(pk.Name)),
				append(publisher, pgText(pk.Publisher)), append(revision, pgText(pk.Revision)), append(doc, pkgs[i].doc)
			created, modified = append(created, pgNullTime(pk.SourceCreatedDate)), append(modified, pgNullTime(pk.SourceLastModified))
		}
		b.Queue(pgPackageUpsert, uid, name, publisher, revision, doc, created, modified, now)
	}
	if len(dates) > 0 {
		slices.SortFunc(dates, func(a, b model.PackageDates) int { return strings.Compare(a.UID, b.UID) })
		n := len(dates)
		uid, created, modified := make([]string, n), make([]*string, n), make([]*string, n)
		for i, d := range dates {
			uid[i], created[i], modified[i] = pgText(d.UID), pgNullTime(d.SourceCreatedDate), pgNullTime(d.SourceLastModified)
		}
		b.Queue(pgPackageWiden, uid, created, modified)
	}
	if err = send(b); err != nil {
		return res, err
	}

	// Installed packages: the new ones straight into the table, the
	// changed ones through the staging table.
	var fresh, changed, removes []string
	refs := make(map[string]struct{})
	for uid, e := range inst {
		switch {
		case e.row != nil && copyNew && !e.stored:
			fresh = append(fresh, uid)
		case e.row != nil:
			changed = append(changed, uid)
		case e.removed:
			removes = append(removes, uid)
		}
		if e.row != nil {
			refs[pgText(e.row.ip.Type)] = struct{}{}
		}
	}
	copyRows := func(table pgx.Identifier, uids []string) error {
		if len(uids) == 0 {
			return nil
		}
		slices.Sort(uids)
		row := make([]any, len(pgInstalledCols))
		_, err := tx.CopyFrom(ctx, table, pgInstalledCols, pgx.CopyFromSlice(len(uids), func(i int) ([]any, error) {
			e := inst[uids[i]]
			ip := e.row.ip
			var removedAt *string
			if e.removed {
				removedAt = &now
			}
			row[0], row[1], row[2], row[3], row[4] = uids[i], e.host, pgText(ip.Type), pgText(ip.InstallPath), pgNullTime(ip.InstallDate)
			row[5], row[6], row[7], row[8] = e.status, removedAt, e.row.doc, e.row.hash
			return row, nil
		}))
		return err
	}
	if err = copyRows(pgx.Identifier{"installed_packages"}, fresh); err != nil {
		return res, fmt.Errorf("installed packages: %w", err)
	}
	if err = copyRows(pgx.Identifier{"pg_temp", "csamsync_installed_stage"}, changed); err != nil {
		return res, fmt.Errorf("installed packages: %w", err)
	}
	b = &pgx.Batch{}
	if len(changed) > 0 {
		b.Queue(pgInstalledUpsert)
	}
	if len(refs) > 0 {
		b.Queue(pgMissingPackage, slices.Sorted(maps.Keys(refs))).QueryRow(func(row pgx.Row) error {
			var missing string
			switch err := row.Scan(&missing); {
			case errors.Is(err, pgx.ErrNoRows):
				return nil
			case err != nil:
				return err
			}
			return fmt.Errorf("installed packages: unknown package %q (foreign key)", missing)
		})
	}
	if len(removes) > 0 {
		slices.Sort(removes)
		b.Queue(pgInstalledRemove, now, removes)
	}
	if err = send(b); err != nil {
		return res, err
	}
	if err = tx.Commit(ctx); err != nil {
		return res, err
	}
	return res, nil
}
