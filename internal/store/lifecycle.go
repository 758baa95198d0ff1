package store

import (
	"context"
	"errors"
	"time"
)

// ConnectorRow is a stored connector profile: the profile itself is an
// opaque document owned by the connector package (secrets already sealed).
type ConnectorRow struct {
	Name      string
	Doc       []byte
	State     string
	StateNote string // the error of an Errored connector
	Created   time.Time
	Updated   time.Time
}

// ErrLocked is returned by TryLock when another run holds the lock.
var ErrLocked = errors.New("locked by another run")

// Lifecycle is what connectors need beyond page writes: profiles, states,
// run locks across processes, and the reconciliation of hosts that CSAM no
// longer returns. Both backends implement it next to Store.
type Lifecycle interface {
	PutConnector(ctx context.Context, name string, doc []byte, state string) (created bool, err error)
	GetConnector(ctx context.Context, name string) (ConnectorRow, error)
	ListConnectors(ctx context.Context) ([]ConnectorRow, error)
	DeleteConnector(ctx context.Context, name string) error
	SetConnectorState(ctx context.Context, name, state, note string) error

	// TryLock takes the run lock of a connector (or of an ad-hoc resume
	// key) across processes sharing the database. It fails with ErrLocked
	// while another live holder has it; a crashed holder's lock is released
	// (PostgreSQL: with its session; SQLite: when its heartbeat lapses).
	// The returned function releases it.
	TryLock(ctx context.Context, key string) (unlock func(), err error)

	// MarkSeen records that these host uids were returned by the run (an
	// ids-only reconciliation scan) and reactivates any that were inactive.
	MarkSeen(ctx context.Context, runID int64, uids []string, now time.Time) (reactivated int64, err error)
	// RetireUnseen marks active hosts of the run's connector that the run
	// did not see (neither written nor marked) as inactive, with retiredAt =
	// now; their lastSeen is kept as CSAM last reported it.
	RetireUnseen(ctx context.Context, runID int64, now time.Time) (retired int64, err error)
	// HostStates counts hosts by status (active, inactive).
	HostStates(ctx context.Context) (map[string]int64, error)
}
