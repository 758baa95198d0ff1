package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/csamsync/csamsync/internal/model"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/jackc/pgx/v5"
)

// PutConnector inserts or replaces a connector profile. A new connector
// starts in the given state; an updated one keeps its state.
func (p *Postgres) PutConnector(ctx context.Context, name string, doc []byte, state string) (bool, error) {
	now := formatTime(time.Now())
	var created bool
	// xmax is 0 on a row this statement inserted.
	err := p.pool.QueryRow(ctx, `INSERT INTO connectors(name, doc, state, created, updated) VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT(name) DO UPDATE SET doc = excluded.doc, updated = excluded.updated
		RETURNING xmax = 0`, name, string(doc), state, now).Scan(&created)
	if err != nil {
		return false, fmt.Errorf("store: put connector %s: %w", name, err)
	}
	return created, nil
}

func scanPgConnector(sc pgx.Row) (ConnectorRow, error) {
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
func (p *Postgres) GetConnector(ctx context.Context, name string) (ConnectorRow, error) {
	r, err := scanPgConnector(p.pool.QueryRow(ctx, `SELECT `+connectorCols+` FROM connectors WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// ListConnectors returns every connector by name (byte order).
func (p *Postgres) ListConnectors(ctx context.Context) ([]ConnectorRow, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+connectorCols+` FROM connectors ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConnectorRow
	for rows.Next() {
		r, err := scanPgConnector(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteConnector removes a profile; its runs and hosts stay.
func (p *Postgres) DeleteConnector(ctx context.Context, name string) error {
	tag, err := p.pool.Exec(ctx, `DELETE FROM connectors WHERE name = $1`, name)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// SetConnectorState records a state change.
func (p *Postgres) SetConnectorState(ctx context.Context, name, state, note string) error {
	tag, err := p.pool.Exec(ctx, `UPDATE connectors SET state = $1, state_note = $2, updated = $3 WHERE name = $4`,
		state, pgText(note), formatTime(time.Now()), name)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// pgLockPing is how often a held run lock's connection is used, so that
// idle-session timeouts and middleboxes do not end the session.
const pgLockPing = time.Minute

// pgLock is a held run lock: a session advisory lock on a connection of
// its own, outside the pool.
type pgLock struct {
	conn *pgx.Conn
	id   int64
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// lockID is the 64-bit advisory lock key of a run lock key, scoped by the
// store's schema.
func (p *Postgres) lockID(key string) int64 {
	sum := sha256.Sum256([]byte("csamsync run lock\x00" + p.schema + "\x00" + key))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// TryLock takes the session advisory lock of key on a dedicated
// connection, held until the returned function releases it or the store
// is closed. A crashed holder's session ends and the lock with it.
func (p *Postgres) TryLock(ctx context.Context, key string) (func(), error) {
	conn, err := pgx.ConnectConfig(ctx, p.pool.Config().ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", key, err)
	}
	l := &pgLock{conn: conn, id: p.lockID(key), stop: make(chan struct{})}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, l.id).Scan(&ok); err != nil || !ok {
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, fmt.Errorf("store: lock %s: %w", key, err)
		}
		return nil, fmt.Errorf("%s: %w", key, ErrLocked)
	}
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.locks[l] = struct{}{}
	}
	p.mu.Unlock()
	if closed {
		conn.Close(context.WithoutCancel(ctx)) // the session's end releases the lock
		return nil, fmt.Errorf("store: lock %s: store closed", key)
	}
	l.wg.Go(func() {
		t := time.NewTicker(pgLockPing)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				l.conn.Ping(ctx)
				cancel()
			}
		}
	})
	return func() {
		l.release()
		p.mu.Lock()
		delete(p.locks, l)
		p.mu.Unlock()
	}, nil
}

// release unlocks and closes the lock's connection (closing alone would
// release it; the unlock makes it explicit). The pinger has stopped before
// the connection is used.
func (l *pgLock) release() {
	l.once.Do(func() {
		close(l.stop)
		l.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.id)
		l.conn.Close(ctx)
	})
}

// pgDocChunk is how many hosts MarkSeen and RetireUnseen read and rewrite
// at a time.
const pgDocChunk = 1000

// setHostState rewrites host docs with a new status and retiredAt as
// SQLite's json_set does: those two top-level members are replaced in
// place (appended if absent), every other byte of the doc is kept.
func setHostState(docs []string, status string, retiredAt *time.Time) ([]string, error) {
	statusJSON, _ := jsontext.AppendQuote(nil, status)
	retiredJSON := []byte("null")
	if retiredAt != nil {
		retiredJSON, _ = jsontext.AppendQuote(nil, retiredAt.UTC().Format(time.RFC3339Nano))
	}
	set := []struct {
		name  string
		value []byte
	}{{"status", statusJSON}, {"retiredAt", retiredJSON}}
	out := make([]string, len(docs))
	var buf []byte
	for i, doc := range docs {
		dec := jsontext.NewDecoder(strings.NewReader(doc), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
			return nil, fmt.Errorf("host doc is not a JSON object (%v)", err)
		}
		buf = append(buf[:0], '{')
		var done [2]bool
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return nil, fmt.Errorf("host doc: %w", err)
			}
			name := tok.String()
			val, err := dec.ReadValue()
			if err != nil {
				return nil, fmt.Errorf("host doc: %w", err)
			}
			for k := range set {
				if name == set[k].name {
					val, done[k] = set[k].value, true
				}
			}
			if len(buf) > 1 {
				buf = append(buf, ',')
			}
			buf, _ = jsontext.AppendQuote(buf, name)
			buf = append(append(buf, ':'), val...)
		}
		for k := range set {
			if !done[k] {
				if len(buf) > 1 {
					buf = append(buf, ',')
				}
				buf, _ = jsontext.AppendQuote(buf, set[k].name)
				buf = append(append(buf, ':'), set[k].value...)
			}
		}
		out[i] = string(append(buf, '}'))
	}
	return out, nil
}

// MarkSeen stamps the hosts with the run and reactivates retired ones.
// The doc is edited too, since exports read it; content_hash is reset so
// the next full write of the host rewrites it whole.
func (p *Postgres) MarkSeen(ctx context.Context, runID int64, uids []string, now time.Time) (int64, error) {
	if len(uids) == 0 {
		return 0, nil
	}
	keys := make([]string, len(uids))
	for i, u := range uids {
		keys[i] = pgText(u)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var reactivated int64
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		for chunk := range slices.Chunk(keys, pgDocChunk) {
			rows, err := tx.Query(ctx, `SELECT uid, doc FROM hosts WHERE uid = ANY($1::text[]) AND status = 'inactive'
				ORDER BY uid FOR NO KEY UPDATE`, chunk)
			if err != nil {
				return err
			}
			var back, docs []string
			var uid, doc string
			if _, err := pgx.ForEachRow(rows, []any{&uid, &doc}, func() error {
				back, docs = append(back, uid), append(docs, doc)
				return nil
			}); err != nil {
				return err
			}
			if len(back) > 0 {
				if docs, err = setHostState(docs, model.StatusActive, nil); err != nil {
					return err
				}
				tag, err := tx.Exec(ctx, `UPDATE hosts AS h SET status = 'active', retired_at = NULL, content_hash = 0,
					doc = u.doc, last_run_id = $1
					FROM unnest($2::text[], $3::text[]) AS u(uid, doc) WHERE h.uid = u.uid`, runID, back, docs)
				if err != nil {
					return err
				}
				reactivated += tag.RowsAffected()
			}
			if _, err := tx.Exec(ctx, `UPDATE hosts SET last_run_id = $1
				WHERE uid = ANY($2::text[]) AND last_run_id IS DISTINCT FROM $1`, runID, chunk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: mark seen: %w", err)
	}
	return reactivated, nil
}

// RetireUnseen marks inactive the active hosts last written by the same
// connector as this run but not by this run, and adds them to the run's
// hosts_retired, in one transaction.
func (p *Postgres) RetireUnseen(ctx context.Context, runID int64, now time.Time) (int64, error) {
	at := now.UTC()
	var retired int64
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		after := ""
		for {
			rows, err := tx.Query(ctx, `SELECT uid, doc FROM hosts
				WHERE status = 'active' AND last_run_id IS DISTINCT FROM $1
				AND last_run_id IN (SELECT id FROM sync_runs WHERE connector = (SELECT connector FROM sync_runs WHERE id = $1))
				AND uid > $2
				ORDER BY uid LIMIT $3 FOR NO KEY UPDATE`, runID, after, pgDocChunk)
			if err != nil {
				return err
			}
			var gone, docs []string
			var uid, doc string
			if _, err := pgx.ForEachRow(rows, []any{&uid, &doc}, func() error {
				gone, docs = append(gone, uid), append(docs, doc)
				return nil
			}); err != nil {
				return err
			}
			if len(gone) == 0 {
				break
			}
			if docs, err = setHostState(docs, model.StatusInactive, &at); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `UPDATE hosts AS h SET status = 'inactive', retired_at = $1, content_hash = 0, doc = u.doc
				FROM unnest($2::text[], $3::text[]) AS u(uid, doc) WHERE h.uid = u.uid`, formatTime(at), gone, docs)
			if err != nil {
				return err
			}
			retired += tag.RowsAffected()
			after = gone[len(gone)-1]
		}
		_, err := tx.Exec(ctx, `UPDATE sync_runs SET hosts_retired = hosts_retired + $1 WHERE id = $2`, retired, runID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: retire hosts: %w", err)
	}
	return retired, nil
}

// HostStates counts hosts by status.
func (p *Postgres) HostStates(ctx context.Context) (map[string]int64, error) {
	rows, err := p.pool.Query(ctx, `SELECT status, count(*) FROM hosts GROUP BY status`)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var st string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&st, &n}, func() error {
		out[st] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
