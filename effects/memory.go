package effects

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Memory is a Backend in the process's memory: complete (priorities,
// unique keys, leases, the dead-letter queue) but gone when the process
// exits. It is for tests and the reference of the backend contract, not
// for production.
type Memory struct {
	mu     sync.Mutex
	jobs   map[string]*Job
	unique map[string]string // kind + "\x00" + key → job id
	seq    int64
	closed bool
}

var _ Backend = (*Memory)(nil)

// NewMemory returns an empty in-memory backend.
func NewMemory() *Memory {
	return &Memory{jobs: map[string]*Job{}, unique: map[string]string{}}
}

// Name returns "memory".
func (m *Memory) Name() string { return "memory" }

// Capabilities: everything but transactions.
func (m *Memory) Capabilities() Capabilities {
	return Capabilities{Priority: true, Unique: true, ExactAttempts: true, Lookup: true}
}

func (m *Memory) check() error {
	if m.closed {
		return fmt.Errorf("effects: memory backend closed")
	}
	return nil
}

// Enqueue stores copies of jobs.
func (m *Memory) Enqueue(ctx context.Context, jobs []*Job) ([]Inserted, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]Inserted, len(jobs))
	for i, in := range jobs {
		if in.UniqueKey != "" {
			key := in.Kind + "\x00" + in.UniqueKey
			if id, ok := m.unique[key]; ok && m.jobs[id] != nil && m.jobs[id].UniqueUntil.After(now) {
				out[i] = Inserted{ID: id, Duplicate: true}
				continue
			}
		}
		m.seq++
		j := clone(in)
		j.ID = strconv.FormatInt(m.seq, 10)
		j.State, j.Attempt, j.Errors, j.Lease = StateAvailable, 0, nil, ""
		m.jobs[j.ID] = j
		if j.UniqueKey != "" {
			m.unique[j.Kind+"\x00"+j.UniqueKey] = j.ID
		}
		out[i] = Inserted{ID: j.ID}
	}
	return out, nil
}

// Fetch leases the first available jobs of queue.
func (m *Memory) Fetch(ctx context.Context, queue string, limit int, lease time.Duration) ([]*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return nil, err
	}
	now := time.Now()
	var ready []*Job
	for _, j := range m.jobs {
		if j.Queue != queue {
			continue
		}
		if j.State == StateRunning && !j.LeaseUntil.After(now) {
			expire(j, now)
		}
		if j.State == StateAvailable && !j.RunAt.After(now) {
			ready = append(ready, j)
		}
	}
	slices.SortFunc(ready, func(a, b *Job) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), a.RunAt.Compare(b.RunAt), cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
	out := make([]*Job, 0, min(limit, len(ready)))
	for _, j := range ready[:min(limit, len(ready))] {
		m.seq++
		j.State, j.Attempt, j.Lease = StateRunning, j.Attempt+1, strconv.FormatInt(m.seq, 10)
		j.LeaseUntil = now.Add(lease)
		out = append(out, clone(j))
	}
	return out, nil
}

// expire ends a running attempt whose lease passed.
func expire(j *Job, now time.Time) {
	j.Errors = append(j.Errors, AttemptError{Attempt: j.Attempt, At: now, Reason: "lease_expired",
		Error: "the attempt's lease expired: its worker stopped or stalled"})
	j.Lease, j.LeaseUntil = "", time.Time{}
	if j.Attempt >= j.MaxAttempts {
		j.State, j.FinishedAt = StateDead, now
		return
	}
	j.State, j.RunAt = StateAvailable, now
}

// Complete applies outcomes with current leases.
func (m *Memory) Complete(ctx context.Context, outcomes []Outcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return err
	}
	now := time.Now()
	for _, o := range outcomes {
		j := m.jobs[o.ID]
		if j == nil || j.State != StateRunning || j.Lease != o.Lease {
			continue
		}
		j.Lease, j.LeaseUntil = "", time.Time{}
		if o.Error != nil {
			j.Errors = append(j.Errors, *o.Error)
		}
		switch o.Result {
		case ResultSucceeded:
			j.State, j.FinishedAt = StateSucceeded, now
		case ResultDead:
			j.State, j.FinishedAt = StateDead, now
		case ResultRetry:
			j.State, j.RunAt = StateAvailable, o.RunAt
		case ResultSnooze:
			j.State, j.RunAt, j.Attempt = StateAvailable, o.RunAt, j.Attempt-1
		case ResultRelease:
			j.State, j.RunAt, j.Attempt = StateAvailable, now, j.Attempt-1
		}
	}
	return nil
}

// Extend pushes current leases forward.
func (m *Memory) Extend(ctx context.Context, leases []Leased, lease time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return err
	}
	until := time.Now().Add(lease)
	for _, l := range leases {
		if j := m.jobs[l.ID]; j != nil && j.State == StateRunning && j.Lease == l.Lease {
			j.LeaseUntil = until
		}
	}
	return nil
}

// Get returns a copy of the job.
func (m *Memory) Get(ctx context.Context, id string) (*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return nil, err
	}
	j := m.jobs[id]
	if j == nil {
		return nil, ErrNotFound
	}
	return clone(j), nil
}

// Dead lists dead jobs, newest first.
func (m *Memory) Dead(ctx context.Context, q DeadQuery) ([]*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return nil, err
	}
	var dead []*Job
	for _, j := range m.jobs {
		if j.State == StateDead && (q.Kind == "" || j.Kind == q.Kind) && (q.Queue == "" || j.Queue == q.Queue) {
			dead = append(dead, j)
		}
	}
	newestFirst := func(a, b *Job) int {
		return cmp.Or(b.FinishedAt.Compare(a.FinishedAt), cmp.Compare(len(b.ID), len(a.ID)), cmp.Compare(b.ID, a.ID))
	}
	slices.SortFunc(dead, newestFirst)
	if q.Before != "" {
		if b := m.jobs[q.Before]; b != nil {
			i, _ := slices.BinarySearchFunc(dead, b, newestFirst)
			for i < len(dead) && dead[i].ID == b.ID {
				i++
			}
			dead = dead[i:]
		}
	}
	limit := cmp.Or(q.Limit, 100)
	out := make([]*Job, 0, min(limit, len(dead)))
	for _, j := range dead[:min(limit, len(dead))] {
		out = append(out, clone(j))
	}
	return out, nil
}

// RetryDead makes a dead job available again.
func (m *Memory) RetryDead(ctx context.Context, id string) error {
	return m.withDead(id, func(j *Job) {
		j.State, j.Attempt, j.RunAt, j.FinishedAt = StateAvailable, 0, time.Now(), time.Time{}
	})
}

// DiscardDead deletes a dead job.
func (m *Memory) DiscardDead(ctx context.Context, id string) error {
	return m.withDead(id, func(j *Job) { delete(m.jobs, j.ID) })
}

// withDead runs fn on the dead job id under the lock, or reports
// ErrNotFound.
func (m *Memory) withDead(id string, fn func(*Job)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return err
	}
	j := m.jobs[id]
	if j == nil || j.State != StateDead {
		return ErrNotFound
	}
	fn(j)
	return nil
}

// Stats counts jobs by queue and state.
func (m *Memory) Stats(ctx context.Context) ([]QueueStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(); err != nil {
		return nil, err
	}
	now := time.Now()
	byQueue := map[string]*QueueStats{}
	for _, j := range m.jobs {
		s := byQueue[j.Queue]
		if s == nil {
			s = &QueueStats{Queue: j.Queue}
			byQueue[j.Queue] = s
		}
		switch {
		case j.State == StateAvailable && j.RunAt.After(now):
			s.Scheduled++
		case j.State == StateAvailable:
			s.Available++
		case j.State == StateRunning && j.LeaseUntil.After(now):
			s.Running++
		case j.State == StateRunning:
			s.Available++ // its lease expired: the next fetch takes it
		case j.State == StateDead:
			s.Dead++
		}
	}
	out := make([]QueueStats, 0, len(byQueue))
	for _, s := range byQueue {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b QueueStats) int { return cmp.Compare(a.Queue, b.Queue) })
	return out, nil
}

// Close makes every later call fail.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

func clone(j *Job) *Job {
	c := *j
	c.Args = slices.Clone(j.Args)
	c.Errors = slices.Clone(j.Errors)
	return &c
}

// Jobs returns copies of every job, in enqueue order: for tests that
// check what a handler enqueued.
func (m *Memory) Jobs() []*Job {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Job, 0, len(m.jobs))
	for _, j := range m.jobs {
		out = append(out, clone(j))
	}
	slices.SortFunc(out, func(a, b *Job) int { return cmp.Or(cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID)) })
	return out
}

func init() {
	Register("memory", func(ctx context.Context, cfg OpenConfig) (Backend, error) {
		cfg.Logger.Warn("effects: the memory backend keeps effects in this process only; they are lost when it exits (use it in tests)")
		return NewMemory(), nil
	})
}
