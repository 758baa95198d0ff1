package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/csamsync/csamsync/internal/model"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// SoftwareExcludedAttr is a Host.Attributes key that, set to true, has the
// same effect as HostRecord.SoftwareExcluded: the software list was not
// requested, so WritePage leaves the host's installed packages as they are.
const SoftwareExcludedAttr = "csamsync.softwareExcluded"

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// Open opens the store a DSN names: a file path, "sqlite:PATH",
// "sqlite://PATH" or a "file:" URI open SQLite; a postgres:// or
// postgresql:// URL opens PostgreSQL (OpenPostgres).
func Open(ctx context.Context, dsn string) (Store, error) {
	switch {
	case dsn == "":
		return nil, errors.New("store: empty database DSN")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("store: no file path in DSN %q", dsn)
		}
		return OpenSQLite(ctx, path)
	case strings.HasPrefix(dsn, "file:"):
		return OpenSQLite(ctx, dsn)
	case schemeRE.MatchString(dsn):
		return nil, fmt.Errorf("store: unsupported database DSN scheme in %q (want a file path, sqlite:, file: or postgres://)", dsn)
	}
	return OpenSQLite(ctx, dsn)
}

// SQLite is the embedded Store: one database file in WAL mode, shareable by
// several processes (writers wait up to busy_timeout for each other).
type SQLite struct {
	db *sql.DB
}

var _ Store = (*SQLite)(nil)

// sqliteParams are the driver parameters of every connection: write
// transactions begin IMMEDIATE so that two writers queue on busy_timeout
// instead of failing on a lock upgrade.
var sqliteParams = []string{
	"_pragma=busy_timeout(10000)",
	"_pragma=journal_mode(WAL)",
	"_pragma=synchronous(NORMAL)",
	"_pragma=foreign_keys(1)",
	"_pragma=temp_store(MEMORY)",       // statement journals of upserts stay in memory
	"_pragma=cache_size(-8192)",        // 8 MiB per connection
	"_pragma=wal_autocheckpoint(8192)", // checkpoint (and fsync) every 32 MiB of WAL, not 4
	"_txlock=immediate",
}

// OpenSQLite opens (creating if needed) the SQLite database at path, a file
// path or a "file:" URI, and brings its schema up to date.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	if strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory") {
		// Every pooled connection would get its own empty database.
		return nil, errors.New("store: in-memory SQLite is not supported, use a file")
	}
	var dsn string
	if strings.HasPrefix(path, "file:") {
		dsn = path
	} else {
		// As a URI, so that '?' and '#' in a file name stay in the name.
		dsn = "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + strings.Join(sqliteParams, "&")

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return &SQLite{db: db}, nil
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

const runColumns = `id, connector, mode, resume_key, started, ended, outcome, error,
	pages, assets, api_calls, retries, hosts_written, packages_written, installed_written,
	hosts_added, hosts_updated, hosts_retired, installed_removed, skipped, checkpoint`

// scanRun reads a sync_runs row of runColumns (database/sql and pgx rows alike).
func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var (
		r       Run
		started string
		ended   *string
		st      = &r.Stats
	)
	if err := sc.Scan(&r.ID, &r.Connector, &r.Mode, &r.ResumeKey, &started, &ended, &r.Outcome, &r.Error,
		&st.Pages, &st.Assets, &st.APICalls, &st.Retries, &st.HostsWritten, &st.PackagesWritten, &st.InstalledWritten,
		&st.HostsAdded, &st.HostsUpdated, &st.HostsRetired, &st.InstalledRemoved, &st.Skipped, &r.Checkpoint); err != nil {
		return Run{}, err
	}
	var err error
	if r.Started, err = parseTime(started); err != nil {
		return Run{}, fmt.Errorf("run %d: started: %w", r.ID, err)
	}
	if r.Ended, err = parseNullTime(ended); err != nil {
		return Run{}, fmt.Errorf("run %d: ended: %w", r.ID, err)
	}
	return r, nil
}

// StartRun inserts a sync_runs row in state running.
func (s *SQLite) StartRun(ctx context.Context, rs RunStart) (Run, error) {
	started := rs.Started
	if started.IsZero() {
		started = time.Now()
	}
	row := s.db.QueryRowContext(ctx, `INSERT INTO sync_runs(connector, mode, resume_key, started, outcome)
		VALUES (?, ?, ?, ?, ?) RETURNING `+runColumns,
		rs.Connector, rs.Mode, rs.ResumeKey, formatTime(started), OutcomeRunning)
	r, err := scanRun(row)
	if err != nil {
		return Run{}, fmt.Errorf("store: start run: %w", err)
	}
	return r, nil
}

// UnfinishedRun returns the newest run with this resume key that did not
// succeed and committed a checkpoint, or ErrNotFound. Runs older than the
// newest successful run with the key are stale and never returned.
func (s *SQLite) UnfinishedRun(ctx context.Context, resumeKey string) (Run, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE resume_key = ?1 AND outcome <> ?2 AND checkpoint <> ''
		  AND id > COALESCE((SELECT MAX(id) FROM sync_runs WHERE resume_key = ?1 AND outcome = ?2), 0)
		ORDER BY id DESC LIMIT 1`, resumeKey, OutcomeSuccess)
	r, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("store: unfinished run: %w", err)
	}
	return r, nil
}

// FinishRun records the end of a run.
func (s *SQLite) FinishRun(ctx context.Context, runID int64, outcome, errText string, st RunStats, ended time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE sync_runs SET ended = ?, outcome = ?, error = ?,
		pages = ?, assets = ?, api_calls = ?, retries = ?, hosts_written = ?, packages_written = ?,
		installed_written = ?, hosts_added = ?, hosts_updated = ?, hosts_retired = ?,
		installed_removed = ?, skipped = ?
		WHERE id = ?`,
		formatTime(ended), outcome, errText,
		st.Pages, st.Assets, st.APICalls, st.Retries, st.HostsWritten, st.PackagesWritten,
		st.InstalledWritten, st.HostsAdded, st.HostsUpdated, st.HostsRetired,
		st.InstalledRemoved, st.Skipped, runID)
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", runID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: finish run %d: %w", runID, err)
	} else if n == 0 {
		return fmt.Errorf("store: finish run %d: %w", runID, ErrNotFound)
	}
	return nil
}

// Runs lists runs newest first, of one connector unless connector is "",
// at most limit of them unless limit <= 0.
func (s *SQLite) Runs(ctx context.Context, connector string, limit int) ([]Run, error) {
	q := `SELECT ` + runColumns + ` FROM sync_runs`
	var args []any
	if connector != "" {
		q += ` WHERE connector = ?`
		args = append(args, connector)
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
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
func (s *SQLite) Counts(ctx context.Context) (map[Kind]int64, error) {
	var h, p, i int64
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM hosts),
		(SELECT COUNT(*) FROM packages),
		(SELECT COUNT(*) FROM installed_packages)`).Scan(&h, &p, &i)
	if err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	return map[Kind]int64{KindHosts: h, KindPackages: p, KindInstalledPackages: i}, nil
}

// Export streams every object of a kind in uid order to fn, as a value
// (model.Host, model.Package or model.InstalledPackage). For installed
// packages the status and removedAt come from the row, not the doc.
func (s *SQLite) Export(ctx context.Context, kind Kind, fn func(v any) error) error {
	q, err := exportQuery(kind)
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("store: export %s: %w", kind, err)
	}
	defer rows.Close()
	return exportRows(kind, rows, fn)
}

// Prepared page content, encoded before the write transaction starts.
type (
	hostRow struct {
		h         *model.Host
		doc       string
		hash      int64
		excluded  bool
		installed []installedRow
	}
	packageRow struct {
		p   *model.Package
		doc string
	}
	installedRow struct {
		ip   *model.InstalledPackage
		doc  string
		hash int64
	}
)

// preparePage validates the records and encodes their docs, on all CPUs.
// A package listed by several records of the page is written once (the
// last record's version).
func preparePage(recs []model.HostRecord) ([]hostRow, []packageRow, error) {
	hosts := make([]hostRow, len(recs))
	errs := make([]error, len(recs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(recs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(recs) {
					return
				}
				hosts[i], errs[i] = prepareHost(i, &recs[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}

	var pkgs []packageRow
	pkgIndex := make(map[string]int)
	for i := range recs {
		for j := range recs[i].Packages {
			p := &recs[i].Packages[j]
			if p.UID == "" {
				return nil, nil, fmt.Errorf("host %s: package %d has no uid", recs[i].Host.UID, j)
			}
			if k, ok := pkgIndex[p.UID]; ok {
				merged := *p
				merged.SourceCreatedDate = earliest(pkgs[k].p.SourceCreatedDate, p.SourceCreatedDate)
				merged.SourceLastModified = latest(pkgs[k].p.SourceLastModified, p.SourceLastModified)
				pkgs[k].p = &merged
				continue
			}
			pkgIndex[p.UID] = len(pkgs)
			pkgs = append(pkgs, packageRow{p: p})
		}
	}
	for k := range pkgs {
		var err error
		if pkgs[k].doc, _, err = marshalDoc(pkgs[k].p); err != nil {
			return nil, nil, fmt.Errorf("package %s: %w", pkgs[k].p.UID, err)
		}
	}
	return hosts, pkgs, nil
}

// prepareHost validates and encodes record i but for its packages.
func prepareHost(i int, rec *model.HostRecord) (hostRow, error) {
	h := &rec.Host
	if h.UID == "" {
		return hostRow{}, fmt.Errorf("record %d: host has no uid", i)
	}
	doc, hash, err := marshalDoc(h)
	if err != nil {
		return hostRow{}, fmt.Errorf("host %s: %w", h.UID, err)
	}
	excluded, _ := h.Attributes[SoftwareExcludedAttr].(bool)
	excluded = excluded || rec.SoftwareExcluded
	hr := hostRow{h: h, doc: doc, hash: hash, excluded: excluded, installed: make([]installedRow, len(rec.Installed))}
	ips := make([]model.InstalledPackage, len(rec.Installed))
	for j := range rec.Installed {
		// A copy: the doc is normalised (targets filled, present) and the
		// caller's record is left alone.
		ip := &ips[j]
		*ip = rec.Installed[j]
		switch {
		case ip.UID == "":
			return hostRow{}, fmt.Errorf("host %s: installed package %d has no uid", h.UID, j)
		case ip.Type == "":
			return hostRow{}, fmt.Errorf("installed package %s: no package uid (type)", ip.UID)
		case ip.Targets == "":
			ip.Targets = h.UID
		case ip.Targets != h.UID:
			return hostRow{}, fmt.Errorf("installed package %s: targets %q, not its host %q", ip.UID, ip.Targets, h.UID)
		}
		ip.Status, ip.RemovedAt = model.InstalledPresent, nil
		doc, hash, err := marshalDoc(ip)
		if err != nil {
			return hostRow{}, fmt.Errorf("installed package %s: %w", ip.UID, err)
		}
		hr.installed[j] = installedRow{ip: ip, doc: doc, hash: hash}
	}
	return hr, nil
}

const (
	sqlHostHash   = `SELECT content_hash FROM hosts WHERE uid = ?`
	sqlHostUpsert = `INSERT INTO hosts(uid, name, hostname, description, operating_system, status,
		first_seen, last_seen, last_scanned, last_started, source_created_date, source_last_modified,
		instance_id, retired_at, last_run_id, doc, content_hash, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(uid) DO UPDATE SET name = excluded.name, hostname = excluded.hostname,
		description = excluded.description, operating_system = excluded.operating_system,
		status = excluded.status, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
		last_scanned = excluded.last_scanned, last_started = excluded.last_started,
		source_created_date = excluded.source_created_date,
		source_last_modified = excluded.source_last_modified, instance_id = excluded.instance_id,
		retired_at = excluded.retired_at, last_run_id = excluded.last_run_id, doc = excluded.doc,
		content_hash = excluded.content_hash, updated_at = excluded.updated_at`
	sqlHostSeen = `UPDATE hosts SET last_run_id = ? WHERE uid = ? AND last_run_id IS NOT ?`
	// A package's sourceCreatedDate / sourceLastModified come from one
	// host's install (seed 000 maps software.installDate and lastUpdated):
	// the store keeps the earliest and the latest over every host, so the
	// result does not depend on which host was written first.
	sqlPackageUpsert = `INSERT INTO packages(uid, name, publisher, revision, doc, first_written, updated_at,
		source_created, source_modified)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(uid) DO UPDATE SET name = excluded.name, publisher = excluded.publisher,
		revision = excluded.revision, doc = excluded.doc, updated_at = excluded.updated_at,
		source_created = CASE WHEN packages.source_created IS NULL OR excluded.source_created < packages.source_created
			THEN COALESCE(excluded.source_created, packages.source_created) ELSE packages.source_created END,
		source_modified = CASE WHEN packages.source_modified IS NULL OR excluded.source_modified > packages.source_modified
			THEN COALESCE(excluded.source_modified, packages.source_modified) ELSE packages.source_modified END
	WHERE packages.doc IS NOT excluded.doc
		OR COALESCE(excluded.source_created < packages.source_created, packages.source_created IS NULL AND excluded.source_created IS NOT NULL)
		OR COALESCE(excluded.source_modified > packages.source_modified, packages.source_modified IS NULL AND excluded.source_modified IS NOT NULL)`
	// sqlPackageWiden folds one host's dates into a stored package.
	sqlPackageWiden = `UPDATE packages SET
		source_created = CASE WHEN source_created IS NULL OR ?1 < source_created THEN COALESCE(?2, source_created) ELSE source_created END,
		source_modified = CASE WHEN source_modified IS NULL OR ?3 > source_modified THEN COALESCE(?4, source_modified) ELSE source_modified END
	WHERE uid = ?5`
	sqlInstalledOfHost = `SELECT uid, status, content_hash FROM installed_packages WHERE host_uid = ?`
	// sqlInstalledUpsert is completed by installedUpsertSQL with one row of
	// values per installed package.
	sqlInstalledUpsert = `INSERT INTO installed_packages(uid, host_uid, package_uid, install_path,
		install_date, status, removed_at, doc, content_hash) VALUES `
	sqlInstalledUpsertRow      = `(?, ?, ?, ?, ?, 'present', NULL, ?, ?)`
	sqlInstalledUpsertConflict = `
	ON CONFLICT(uid) DO UPDATE SET host_uid = excluded.host_uid, package_uid = excluded.package_uid,
		install_path = excluded.install_path, install_date = excluded.install_date,
		status = 'present', removed_at = NULL, doc = excluded.doc,
		content_hash = excluded.content_hash`
	sqlInstalledRemove = `UPDATE installed_packages SET status = 'removed', removed_at = ?
	WHERE status = 'present' AND uid IN (`
	sqlRunProgress = `UPDATE sync_runs SET pages = ?, assets = ?, api_calls = ?, retries = ?,
		hosts_written = ?, packages_written = ?, installed_written = ?, hosts_added = ?,
		hosts_updated = ?, hosts_retired = ?, installed_removed = ?, skipped = ?, checkpoint = ?
	WHERE id = ?`
)

// installedCols is the number of bound values of an installed package row;
// batchRows the most rows of one multi-row statement.
const (
	installedCols = 7
	batchRows     = 64
)

// batchStmt is a statement over n rows: prefix, n times row separated by
// commas, suffix; prepared once per n met in the transaction.
type batchStmt struct {
	tx                  *sql.Tx
	prefix, row, suffix string
	stmts               map[int]*sql.Stmt
}

func (b *batchStmt) exec(ctx context.Context, n int, args []any) error {
	st := b.stmts[n]
	if st == nil {
		q := b.prefix + strings.Repeat(b.row+",", n-1) + b.row + b.suffix
		var err error
		if st, err = b.tx.PrepareContext(ctx, q); err != nil {
			return err
		}
		if b.stmts == nil {
			b.stmts = make(map[int]*sql.Stmt)
		}
		b.stmts[n] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

// WritePage upserts one page of records in one transaction.
//
// Rows whose content is unchanged are not rewritten (updated_at is when the
// content last changed): rewriting the same records changes nothing but
// hosts.last_run_id, the last run that wrote each host, changed or not.
// A host counts as added when its uid is new and as updated when its
// content changed. PackagesWritten counts the page's distinct packages,
// InstalledWritten its installed packages, InstalledRemoved the present
// rows of the page's hosts that their records no longer list (never for
// records with SoftwareExcluded or SoftwareExcludedAttr). stats, the run's
// cumulative counters, and checkpoint are stored as given.
func (s *SQLite) WritePage(ctx context.Context, runID int64, recs []model.HostRecord, stats RunStats, checkpoint string, now time.Time) (PageResult, error) {
	pg, err := PreparePage(recs)
	if err != nil {
		return PageResult{}, err
	}
	return s.WritePrepared(ctx, runID, pg, stats, checkpoint, now)
}

// WritePrepared is WritePage for a page already prepared.
func (s *SQLite) WritePrepared(ctx context.Context, runID int64, pg *Page, stats RunStats, checkpoint string, now time.Time) (PageResult, error) {
	res, err := s.writePage(ctx, runID, pg.hosts, pg.pkgs, pg.dates, stats, checkpoint, formatTime(now))
	if err != nil {
		return PageResult{}, fmt.Errorf("store: write page: %w", err)
	}
	return res, nil
}

func (s *SQLite) writePage(ctx context.Context, runID int64, hosts []hostRow, pkgs []packageRow, dates []model.PackageDates, stats RunStats, checkpoint, now string) (res PageResult, err error) {
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()

	// The run first: an unknown run fails the page before any work.
	st := &stats
	r, err := tx.ExecContext(ctx, sqlRunProgress,
		st.Pages, st.Assets, st.APICalls, st.Retries, st.HostsWritten, st.PackagesWritten,
		st.InstalledWritten, st.HostsAdded, st.HostsUpdated, st.HostsRetired, st.InstalledRemoved,
		st.Skipped, checkpoint, runID)
	if err != nil {
		return res, fmt.Errorf("run %d: %w", runID, err)
	}
	if n, err := r.RowsAffected(); err != nil {
		return res, err
	} else if n == 0 {
		return res, fmt.Errorf("run %d: %w", runID, ErrNotFound)
	}

	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var stmt *sql.Stmt
		stmt, err = tx.PrepareContext(ctx, q)
		return stmt
	}
	hostHash, hostUpsert, hostSeen := prep(sqlHostHash), prep(sqlHostUpsert), prep(sqlHostSeen)
	pkgUpsert := prep(sqlPackageUpsert)
	instOfHost := prep(sqlInstalledOfHost)
	if err != nil {
		return res, err
	}
	// Statements prepared on a Tx are closed with it.
	instUpsert := &batchStmt{tx: tx, prefix: sqlInstalledUpsert, row: sqlInstalledUpsertRow, suffix: sqlInstalledUpsertConflict}
	instRemove := &batchStmt{tx: tx, prefix: sqlInstalledRemove, row: "?", suffix: ")"}
	var upserts, gone, args []any

	// Hosts first, then packages, then installed packages (foreign keys).
	for i := range hosts {
		hr := &hosts[i]
		h := hr.h
		var old int64
		switch err = hostHash.QueryRowContext(ctx, h.UID).Scan(&old); {
		case errors.Is(err, sql.ErrNoRows):
			res.HostsAdded++
		case err != nil:
			return res, fmt.Errorf("host %s: %w", h.UID, err)
		case old == hr.hash: // unchanged
			if _, err = hostSeen.ExecContext(ctx, runID, h.UID, runID); err != nil {
				return res, fmt.Errorf("host %s: %w", h.UID, err)
			}
			continue
		default:
			res.HostsUpdated++
		}
		if _, err = hostUpsert.ExecContext(ctx, h.UID, h.Name, h.Hostname, h.Description,
			h.OperatingSystem, h.Status, nullTime(h.FirstSeen), nullTime(h.LastSeen),
			nullTime(h.LastScanned), nullTime(h.LastStarted), nullTime(h.SourceCreatedDate),
			nullTime(h.SourceLastModified), h.InstanceID, nullTime(h.RetiredAt), runID,
			hr.doc, hr.hash, now); err != nil {
			return res, fmt.Errorf("host %s: %w", h.UID, err)
		}
	}

	for _, pr := range pkgs {
		p := pr.p
		if _, err = pkgUpsert.ExecContext(ctx, p.UID, p.Name, p.Publisher, p.Revision, pr.doc, now, now,
			nullTime(p.SourceCreatedDate), nullTime(p.SourceLastModified)); err != nil {
			return res, fmt.Errorf("package %s: %w", p.UID, err)
		}
	}
	res.PackagesWritten = int64(len(pkgs))
	if len(dates) > 0 {
		widen := prep(sqlPackageWiden)
		if err != nil {
			return res, err
		}
		for _, d := range dates {
			c, m := nullTime(d.SourceCreatedDate), nullTime(d.SourceLastModified)
			if _, err = widen.ExecContext(ctx, c, c, m, m, d.UID); err != nil {
				return res, fmt.Errorf("package %s dates: %w", d.UID, err)
			}
		}
	}

	type existing struct {
		status string
		hash   int64
	}
	have := make(map[string]existing)
	for i := range hosts {
		hr := &hosts[i]
		clear(have)
		if err = func() error {
			rows, err := instOfHost.QueryContext(ctx, hr.h.UID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var uid string
				var e existing
				if err := rows.Scan(&uid, &e.status, &e.hash); err != nil {
					return err
				}
				have[uid] = e
			}
			return rows.Err()
		}(); err != nil {
			return res, fmt.Errorf("host %s: installed packages: %w", hr.h.UID, err)
		}

		for _, ir := range hr.installed {
			ip := ir.ip
			res.InstalledWritten++
			e, ok := have[ip.UID]
			if ok {
				delete(have, ip.UID) // listed: not to be removed
				if e.status == model.InstalledPresent && e.hash == ir.hash {
					continue // unchanged
				}
			}
			upserts = append(upserts, ip.UID, ip.Targets, ip.Type, ip.InstallPath,
				nullTime(ip.InstallDate), ir.doc, ir.hash)
			if len(upserts) == batchRows*installedCols {
				if err = instUpsert.exec(ctx, batchRows, upserts); err != nil {
					return res, fmt.Errorf("host %s: installed packages: %w", hr.h.UID, err)
				}
				upserts = upserts[:0]
			}
		}
		if len(upserts) > 0 {
			if err = instUpsert.exec(ctx, len(upserts)/installedCols, upserts); err != nil {
				return res, fmt.Errorf("host %s: installed packages: %w", hr.h.UID, err)
			}
			upserts = upserts[:0]
		}
		if hr.excluded {
			continue
		}

		gone = gone[:0]
		for uid, e := range have {
			if e.status == model.InstalledPresent {
				gone = append(gone, uid)
			}
		}
		for len(gone) > 0 {
			n := min(len(gone), batchRows)
			args = append(append(args[:0], now), gone[:n]...)
			if err = instRemove.exec(ctx, n, args); err != nil {
				return res, fmt.Errorf("host %s: removed packages: %w", hr.h.UID, err)
			}
			res.InstalledRemoved += int64(n)
			gone = gone[n:]
		}
	}

	if err = tx.Commit(); err != nil {
		return res, err
	}
	return res, nil
}
