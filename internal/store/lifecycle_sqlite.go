package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

var _ Lifecycle = (*SQLite)(nil)

// PutConnector inserts or replaces a connector profile. A new connector
// starts in the given state; an updated one keeps its state.
func (s *SQLite) PutConnector(ctx context.Context, name string, doc []byte, state string) (bool, error) {
	now := formatTime(time.Now())
	res, err := s.db.ExecContext(ctx, `INSERT INTO connectors(name, doc, state, created, updated) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(name) DO NOTHING`, name, string(doc), state, now, now)
	if err != nil {
		return false, fmt.Errorf("store: put connector %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE connectors SET doc = ?, updated = ? WHERE name = ?`, string(doc), now, name); err != nil {
		return false, fmt.Errorf("store: put connector %s: %w", name, err)
	}
	return false, nil
}

const connectorCols = `name, doc, state, state_note, created, updated`

func scanConnector(sc interface{ Scan(...any) error }) (ConnectorRow, error) {
	var (
		r             ConnectorRow
		doc, cre, upd string
	)
	if err := sc.Scan(&r.Name, &doc, &r.State, &r.StateNote, &cre, &upd); err != nil {
		return r, err
	}
	r.Doc = []byte(doc)
	r.Created, _ = parseTime(cre)
	r.Updated, _ = parseTime(upd)
	return r, nil
}

// GetConnector returns one connector or ErrNotFound.
func (s *SQLite) GetConnector(ctx context.Context, name string) (ConnectorRow, error) {
	r, err := scanConnector(s.db.QueryRowContext(ctx, `SELECT `+connectorCols+` FROM connectors WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// ListConnectors returns every connector by name.
func (s *SQLite) ListConnectors(ctx context.Context) ([]ConnectorRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+connectorCols+` FROM connectors ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConnectorRow
	for rows.Next() {
		r, err := scanConnector(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteConnector removes a profile; its runs and hosts stay.
func (s *SQLite) DeleteConnector(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM connectors WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetConnectorState records a state change.
func (s *SQLite) SetConnectorState(ctx context.Context, name, state, note string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE connectors SET state = ?, state_note = ?, updated = ? WHERE name = ?`,
		state, note, formatTime(time.Now()), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Lock timing: a holder renews every lockRenew; a lock whose holder stopped
// renewing (killed process) is free after lockTTL.
const (
	lockTTL   = 45 * time.Second
	lockRenew = 15 * time.Second
)

// TryLock takes a lease in run_locks. SQLite has no session locks that a
// crash releases, so the lease expires unless its holder renews it; a
// lease held by a process of this host that no longer exists (kill -9) is
// taken over at once.
func (s *SQLite) TryLock(ctx context.Context, key string) (func(), error) {
	nonce := make([]byte, 8)
	rand.Read(nonce)
	me := lockOwner(os.Getpid(), hex.EncodeToString(nonce))
	now := time.Now()
	// One statement: take the row when it is absent or its lease lapsed.
	res, err := s.db.ExecContext(ctx, `INSERT INTO run_locks(key, owner, expires) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
		WHERE run_locks.expires < ?`, key, me, formatTime(now.Add(lockTTL)), formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var holder string
		if err := s.db.QueryRowContext(ctx, `SELECT owner FROM run_locks WHERE key = ?`, key).Scan(&holder); err != nil || !ownerDead(holder) {
			return nil, fmt.Errorf("%s: %w", key, ErrLocked)
		}
		res, err = s.db.ExecContext(ctx, `UPDATE run_locks SET owner = ?, expires = ? WHERE key = ? AND owner = ?`,
			me, formatTime(now.Add(lockTTL)), key, holder)
		if err != nil {
			return nil, fmt.Errorf("store: lock %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, fmt.Errorf("%s: %w", key, ErrLocked)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(lockRenew)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.db.Exec(`UPDATE run_locks SET expires = ? WHERE key = ? AND owner = ?`,
					formatTime(time.Now().Add(lockTTL)), key, me)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
			s.db.Exec(`DELETE FROM run_locks WHERE key = ? AND owner = ?`, key, me)
		})
	}, nil
}

// MarkSeen stamps the hosts with the run and reactivates retired ones.
// The doc is edited too, since exports read it; content_hash is reset so
// the next full write of the host rewrites it whole.
func (s *SQLite) MarkSeen(ctx context.Context, runID int64, uids []string, now time.Time) (int64, error) {
	if len(uids) == 0 {
		return 0, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	reactivate, err := tx.PrepareContext(ctx, `UPDATE hosts SET status = 'active', retired_at = NULL, content_hash = 0,
		doc = json_set(doc, '$.status', 'active', '$.retiredAt', json('null')), last_run_id = ?
		WHERE uid = ? AND status = 'inactive'`)
	if err != nil {
		return 0, err
	}
	stamp, err := tx.PrepareContext(ctx, `UPDATE hosts SET last_run_id = ? WHERE uid = ?`)
	if err != nil {
		return 0, err
	}
	var reactivated int64
	for _, uid := range uids {
		res, err := reactivate.ExecContext(ctx, runID, uid)
		if err != nil {
			return 0, fmt.Errorf("store: mark seen %s: %w", uid, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			reactivated += n
			continue
		}
		if _, err := stamp.ExecContext(ctx, runID, uid); err != nil {
			return 0, fmt.Errorf("store: mark seen %s: %w", uid, err)
		}
	}
	return reactivated, tx.Commit()
}

// RetireUnseen marks inactive the active hosts last written by the same
// connector as this run but not by this run.
func (s *SQLite) RetireUnseen(ctx context.Context, runID int64, now time.Time) (int64, error) {
	at := formatTime(now)
	res, err := s.db.ExecContext(ctx, `UPDATE hosts SET status = 'inactive', retired_at = ?, content_hash = 0,
		doc = json_set(doc, '$.status', 'inactive', '$.retiredAt', ?)
		WHERE status = 'active' AND last_run_id IS NOT ?
		AND last_run_id IN (SELECT id FROM sync_runs WHERE connector = (SELECT connector FROM sync_runs WHERE id = ?))`,
		at, now.UTC().Format(time.RFC3339Nano), runID, runID)
	if err != nil {
		return 0, fmt.Errorf("store: retire hosts: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.ExecContext(ctx, `UPDATE sync_runs SET hosts_retired = hosts_retired + ? WHERE id = ?`, n, runID); err != nil {
		return n, err
	}
	return n, nil
}

// HostStates counts hosts by status.
func (s *SQLite) HostStates(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM hosts GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// lockOwner names a lease holder: host, process id and a nonce.
func lockOwner(pid int, nonce string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, pid, nonce)
}

// ownerDead reports whether a lease holder is a process of this host that
// no longer exists.
func ownerDead(owner string) bool {
	parts := strings.Split(owner, "/")
	if len(parts) != 3 {
		return false
	}
	host, _ := os.Hostname()
	pid, err := strconv.Atoi(parts[1])
	if parts[0] != host || err != nil || pid <= 0 {
		return false
	}
	return !processAlive(pid)
}
