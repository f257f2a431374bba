package effects

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// State is where an effect is in its life.
type State string

const (
	// StateAvailable: waiting to run, now or at RunAt.
	StateAvailable State = "available"
	// StateRunning: leased by a worker until its lease expires.
	StateRunning State = "running"
	// StateSucceeded: a worker finished it.
	StateSucceeded State = "succeeded"
	// StateDead: in the dead-letter queue, after its last attempt failed
	// or its worker canceled it. Retry brings it back.
	StateDead State = "dead"
)

// Job is an effect as a backend stores it: what was enqueued, its state
// and the history of its attempts.
type Job struct {
	ID    string          `json:"id"`
	Kind  string          `json:"kind"`
	Queue string          `json:"queue"`
	Args  json.RawMessage `json:"args"`
	// Priority orders available jobs of a queue: 1 runs first, 4 last.
	Priority int   `json:"priority"`
	State    State `json:"state"`
	// Attempt counts the attempts started, the current one included.
	Attempt     int           `json:"attempt"`
	MaxAttempts int           `json:"max_attempts"`
	RunAt       time.Time     `json:"run_at"`
	Timeout     time.Duration `json:"timeout,omitempty"`
	// UniqueKey, when set, makes a second enqueue of the same kind and
	// key before UniqueUntil return this job instead of a new one.
	UniqueKey   string         `json:"unique_key,omitempty"`
	UniqueUntil time.Time      `json:"unique_until,omitzero"`
	CreatedAt   time.Time      `json:"created_at"`
	FinishedAt  time.Time      `json:"finished_at,omitzero"`
	Errors      []AttemptError `json:"errors,omitempty"`
	// TraceID and RequestID name the request that enqueued it.
	TraceID   string `json:"trace_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// LeaseUntil is when a running attempt's lease expires.
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Lease identifies the current attempt to the backend (set by
	// Fetch): an outcome or extension with an older lease is ignored.
	Lease string `json:"-"`
}

// AttemptError records why one attempt failed.
type AttemptError struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	// Reason classifies the failure: "error", "panic", "timeout",
	// "canceled", "lease_expired" (the worker died or stalled) or
	// "interrupted" (the app shut down mid-attempt).
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

// Result is what an attempt decided.
type Result int

const (
	// ResultSucceeded finishes the job.
	ResultSucceeded Result = iota + 1
	// ResultRetry makes the job available again at RunAt, the attempt counted.
	ResultRetry
	// ResultDead moves the job to the dead-letter queue.
	ResultDead
	// ResultSnooze makes the job available again at RunAt, the attempt not
	// counted.
	ResultSnooze
	// ResultRelease hands the job back at once, the attempt not counted: the
	// worker stopped before it could finish.
	ResultRelease
)

// Outcome is the end of one attempt, as the runtime reports it to the
// backend.
type Outcome struct {
	ID     string
	Lease  string
	Result Result
	// RunAt is when a ResultRetry or ResultSnooze makes the job available again.
	RunAt time.Time
	// Error is recorded in the job's history (ResultRetry, ResultDead, and ResultRelease
	// when an attempt was interrupted).
	Error *AttemptError
}

// Leased names one running attempt, for Extend.
type Leased struct{ ID, Lease string }

// Inserted reports one enqueued job: its id, and whether an earlier job
// with the same unique key was returned instead of a new one.
type Inserted struct {
	ID        string
	Duplicate bool
}

// DeadQuery selects dead-letter entries, newest first.
type DeadQuery struct {
	Kind  string // empty: every kind
	Queue string // empty: every queue
	Limit int    // zero: 100
	// Before continues a listing: only entries that died before this
	// job (an ID from a previous page).
	Before string
}

// QueueStats counts a queue's jobs by state. Available counts jobs whose
// RunAt has passed; Scheduled those still waiting for it.
type QueueStats struct {
	Queue     string `json:"queue"`
	Available int64  `json:"available"`
	Scheduled int64  `json:"scheduled"`
	Running   int64  `json:"running"`
	Dead      int64  `json:"dead"`
}

// Capabilities declares what a backend honours, so the runtime rejects
// an enqueue option it would silently ignore.
type Capabilities struct {
	Priority     bool // Job.Priority orders a queue
	Unique       bool // UniqueKey and UniqueUntil
	Transactions bool // the backend implements TxBackend
	// MaxDelay is the longest a job can wait for its RunAt (zero: no
	// limit). Longer delays are refused at enqueue.
	MaxDelay time.Duration
	// ExactAttempts: Attempt is exact, not an at-least estimate from a
	// delivery count.
	ExactAttempts bool
	// Lookup: Get finds a job in any state and Stats counts exactly, as a
	// database can. A queue service finds only dead jobs (in its
	// dead-letter queue) and counts approximately.
	Lookup bool
	// NoLiveCounts: Stats counts dead jobs only. Google Cloud Pub/Sub's
	// API cannot count a subscription's backlog (Cloud Monitoring does),
	// so Available, Scheduled and Running read zero, and the runtime
	// exports only the dead queue-depth gauge.
	NoLiveCounts bool
}

// Backend stores effects and leases them to workers. Every method is safe
// for concurrent use. The contract, checked by effectstest.RunBackend:
//
//   - Enqueue writes all the jobs or none.
//   - Fetch leases up to limit available jobs of one queue whose RunAt has
//     passed, in priority then RunAt order where the backend orders; each
//     comes back running, with Attempt incremented and a fresh Lease. A
//     running job whose lease expired is available again, with a
//     "lease_expired" error recorded, or dead when that was its last
//     attempt. No job is leased twice at once.
//   - Complete applies outcomes whose lease is current and ignores the
//     rest: a worker that lost its lease cannot overwrite a newer attempt.
//   - Extend pushes the leases of running attempts forward.
type Backend interface {
	// Name identifies the backend in logs, metrics and errors.
	Name() string
	Capabilities() Capabilities
	Enqueue(ctx context.Context, jobs []*Job) ([]Inserted, error)
	Fetch(ctx context.Context, queue string, limit int, lease time.Duration) ([]*Job, error)
	Complete(ctx context.Context, outcomes []Outcome) error
	Extend(ctx context.Context, leases []Leased, lease time.Duration) error

	// Get returns one job, or ErrNotFound: in any state when the backend
	// has Lookup, else at least the dead ones.
	Get(ctx context.Context, id string) (*Job, error)
	// Dead lists the dead-letter queue.
	Dead(ctx context.Context, q DeadQuery) ([]*Job, error)
	// RetryDead makes a dead job available now with its attempts reset,
	// keeping its error history; ErrNotFound if no dead job has the id.
	RetryDead(ctx context.Context, id string) error
	// DiscardDead deletes a dead job; ErrNotFound if no dead job has the id.
	DiscardDead(ctx context.Context, id string) error
	Stats(ctx context.Context) ([]QueueStats, error)

	// Close releases the backend's resources.
	Close() error
}

// TxBackend is a Backend that can enqueue inside the app's own database
// transaction, so the effect exists exactly when the transaction commits.
// Which transaction types it accepts (*sql.Tx, pgx.Tx) is its own; others
// are refused with an error.
type TxBackend interface {
	Backend
	EnqueueTx(ctx context.Context, tx any, jobs []*Job) ([]Inserted, error)
}

// Waker is a Backend that tells a process when another process enqueued
// effects that are due now, so its idle workers need not wait for their
// next poll (PostgreSQL's LISTEN/NOTIFY). The runtime subscribes at start.
type Waker interface {
	// Subscribe calls wake with a queue's name, from a goroutine of the
	// backend's, whenever any process enqueues effects in that queue that
	// are due at once, until cancel is called or the backend closes. wake
	// must not block. Notifications are hints: one may be lost or
	// spurious.
	Subscribe(wake func(queue string)) (cancel func())
}

// ErrNotFound reports that no job has the id (in the state asked for).
var ErrNotFound = errors.New("effects: no such effect")
