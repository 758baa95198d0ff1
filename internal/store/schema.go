package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the SQLite schema steps, in order: migrations[i] brings the
// schema to version i+1. Append new steps; never edit a released one.
var migrations = []string{
	// 1: the inventory and the run log.
	`
CREATE TABLE hosts (
	uid                  TEXT PRIMARY KEY,
	name                 TEXT NOT NULL DEFAULT '',
	hostname             TEXT NOT NULL DEFAULT '',
	description          TEXT NOT NULL DEFAULT '',
	operating_system     TEXT NOT NULL DEFAULT '',
	status               TEXT NOT NULL DEFAULT '',
	first_seen           TEXT,
	last_seen            TEXT,
	last_scanned         TEXT,
	last_started         TEXT,
	source_created_date  TEXT,
	source_last_modified TEXT,
	instance_id          TEXT NOT NULL DEFAULT '',
	retired_at           TEXT,
	last_run_id          INTEGER, -- the last run that wrote the host, changed or not
	doc                  TEXT NOT NULL,
	content_hash         INTEGER NOT NULL,
	updated_at           TEXT NOT NULL
);

CREATE TABLE packages (
	uid           TEXT PRIMARY KEY,
	name          TEXT NOT NULL DEFAULT '',
	publisher     TEXT NOT NULL DEFAULT '',
	revision      TEXT NOT NULL DEFAULT '',
	doc           TEXT NOT NULL,
	first_written TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);

CREATE TABLE installed_packages (
	uid          TEXT PRIMARY KEY,
	host_uid     TEXT NOT NULL REFERENCES hosts(uid),
	package_uid  TEXT NOT NULL REFERENCES packages(uid),
	install_path TEXT NOT NULL DEFAULT '',
	install_date TEXT,
	status       TEXT NOT NULL CHECK (status IN ('present', 'removed')),
	removed_at   TEXT,
	doc          TEXT NOT NULL,
	content_hash INTEGER NOT NULL
);
-- Covers the per-host "what is installed" read of WritePage.
CREATE INDEX installed_packages_host ON installed_packages(host_uid);

CREATE TABLE sync_runs (
	id                INTEGER PRIMARY KEY,
	connector         TEXT NOT NULL DEFAULT '',
	mode              TEXT NOT NULL DEFAULT '',
	resume_key        TEXT NOT NULL DEFAULT '',
	started           TEXT NOT NULL,
	ended             TEXT,
	outcome           TEXT NOT NULL,
	error             TEXT NOT NULL DEFAULT '',
	pages             INTEGER NOT NULL DEFAULT 0,
	assets            INTEGER NOT NULL DEFAULT 0,
	api_calls         INTEGER NOT NULL DEFAULT 0,
	retries           INTEGER NOT NULL DEFAULT 0,
	hosts_written     INTEGER NOT NULL DEFAULT 0,
	packages_written  INTEGER NOT NULL DEFAULT 0,
	installed_written INTEGER NOT NULL DEFAULT 0,
	hosts_added       INTEGER NOT NULL DEFAULT 0,
	hosts_updated     INTEGER NOT NULL DEFAULT 0,
	hosts_retired     INTEGER NOT NULL DEFAULT 0,
	installed_removed INTEGER NOT NULL DEFAULT 0,
	skipped           INTEGER NOT NULL DEFAULT 0,
	checkpoint        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_resume_key ON sync_runs(resume_key);
CREATE INDEX sync_runs_connector ON sync_runs(connector);
`,
	// 2: connector profiles and cross-process run locks.
	`
CREATE TABLE connectors (
	name       TEXT PRIMARY KEY,
	doc        TEXT NOT NULL,
	state      TEXT NOT NULL,
	state_note TEXT NOT NULL DEFAULT '',
	created    TEXT NOT NULL,
	updated    TEXT NOT NULL
);
CREATE TABLE run_locks (
	key     TEXT PRIMARY KEY,
	owner   TEXT NOT NULL,
	expires TEXT NOT NULL
);
CREATE INDEX hosts_last_run ON hosts(last_run_id);
`,
	// 3: package dates kept as the earliest install / latest update over all hosts.
	`
ALTER TABLE packages ADD COLUMN source_created TEXT;
ALTER TABLE packages ADD COLUMN source_modified TEXT;
`,
}

// SchemaVersion is the schema version this build creates and understands.
var SchemaVersion = len(migrations)

// migrate applies the missing migration steps, each in its own write
// transaction. The version is re-read inside the transaction, so two
// processes opening a new file at once apply every step exactly once.
func migrate(ctx context.Context, db *sql.DB) error {
	for i, step := range migrations {
		version := i + 1
		if err := migrateStep(ctx, db, version, step); err != nil {
			return fmt.Errorf("schema migration %d: %w", version, err)
		}
	}
	return nil
}

func migrateStep(ctx context.Context, db *sql.DB, version int, step string) error {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see _txlock)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if current > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this program supports (%d)", current, len(migrations))
	}
	if current >= version {
		return tx.Commit()
	}
	if current != version-1 {
		return fmt.Errorf("database schema version %d, expected %d", current, version-1)
	}
	if _, err := tx.ExecContext(ctx, step); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`,
		version, formatTime(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}
