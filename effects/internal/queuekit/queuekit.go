// Package queuekit holds what the effects backends on queue services
// (effects/azqueue, effects/pubsub, effects/sqs) share: job ids, the
// in-process lease table and the paging of a dead-letter listing.
package queuekit

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sync"
	"time"

	"gati.dev/gati/effects"
)

// NewID returns a random UUID (version 4): a new job's id, or a lease
// token.
func NewID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Fresh returns the job to enqueue for j: a copy with a new id,
// available, with no attempts, errors, lease, priority or finish time.
func Fresh(j *effects.Job) effects.Job {
	f := *j
	f.ID, f.State, f.Attempt, f.Errors, f.Lease = NewID(), effects.StateAvailable, 0, nil, ""
	f.Priority, f.FinishedAt, f.LeaseUntil = 0, time.Time{}, time.Time{}
	return f
}

// Table is a backend's in-process lease table: for each job this
// process leased, its current lease token, and for each token the
// backend's receipt L (what it needs to settle the message). A job
// leased again here (its earlier lease expired) has only the new token:
// the old one's outcome is stale. Entries whose outcome never came (a
// worker that stalled past its timeout, an outcome that could not be
// recorded) are forgotten by Prune an hour after they end. It is safe
// for concurrent use; the zero Table is empty and ready.
type Table[L any] struct {
	mu      sync.Mutex
	leases  map[string]entry[L] // by the lease token the runtime holds
	current map[string]string   // job id → its current lease token
}

type entry[L any] struct {
	id    string
	l     L
	until time.Time
}

// pruneAt is the size at which Prune starts looking for stale entries,
// and pruneAfter how long after its end an entry is kept.
const (
	pruneAt    = 1024
	pruneAfter = time.Hour
)

// Add records l as job id's current lease, ending at until, and returns
// its new token. An older lease of id is dropped.
func (t *Table[L]) Add(id string, l L, until time.Time) (token string) {
	token = NewID()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.leases == nil {
		t.leases, t.current = map[string]entry[L]{}, map[string]string{}
	}
	t.leases[token] = entry[L]{id: id, l: l, until: until}
	if old := t.current[id]; old != "" {
		delete(t.leases, old) // expired here: its outcome is stale
	}
	t.current[id] = token
	return token
}

// Lookup returns the lease of an outcome or extension if token is this
// process's current one for the job id.
func (t *Table[L]) Lookup(id, token string) (L, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current[id] != token {
		var zero L
		return zero, false
	}
	e, ok := t.leases[token]
	return e.l, ok
}

// Renew moves the end of the lease token (if it is still held) to until.
func (t *Table[L]) Renew(token string, until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.leases[token]; ok {
		e.until = until
		t.leases[token] = e
	}
}

// Release forgets the lease token of job id (its outcome is recorded).
func (t *Table[L]) Release(id, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.leases, token)
	if t.current[id] == token {
		delete(t.current, id)
	}
}

// Prune forgets leases that ended an hour before now, once the table
// holds 1024 or more.
func (t *Table[L]) Prune(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.leases) < pruneAt {
		return
	}
	for token, e := range t.leases {
		if now.Sub(e.until) > pruneAfter {
			delete(t.leases, token)
			if t.current[e.id] == token {
				delete(t.current, e.id)
			}
		}
	}
}

// Clear forgets every lease.
func (t *Table[L]) Clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.leases)
	clear(t.current)
}

// Len returns the number of leases held.
func (t *Table[L]) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.leases)
}

// NewestFirst orders dead jobs newest first: by FinishedAt, then by ID,
// both descending.
func NewestFirst(a, b *effects.Job) int {
	return cmp.Or(b.FinishedAt.Compare(a.FinishedAt), cmp.Compare(b.ID, a.ID))
}

// Newest returns one of msgs per job, the newest copy (a job
// dead-lettered twice, by a crash between the copy and the removal of
// the live message, has two), newest first. job gives a message's job.
func Newest[M any](msgs []M, job func(M) *effects.Job) []M {
	sorted := slices.Clone(msgs)
	slices.SortFunc(sorted, func(a, b M) int { return NewestFirst(job(a), job(b)) })
	seen := map[string]bool{}
	out := sorted[:0]
	for _, m := range sorted {
		if id := job(m).ID; !seen[id] {
			seen[id] = true
			out = append(out, m)
		}
	}
	return out
}

// DeadPage returns the page of q of the dead jobs in msgs, the
// dead-letter messages a backend read: one per job (its newest copy),
// newest first, of q.Kind, after q.Before and at most q.Limit (zero:
// 100). If Before is not among them (it is no longer dead), the listing
// has ended: the page is empty.
func DeadPage[M any](msgs []M, job func(M) *effects.Job, q effects.DeadQuery) []*effects.Job {
	var jobs []*effects.Job
	for _, m := range Newest(msgs, job) {
		if j := *job(m); q.Kind == "" || j.Kind == q.Kind {
			jobs = append(jobs, &j)
		}
	}
	if q.Before != "" {
		i := slices.IndexFunc(jobs, func(j *effects.Job) bool { return j.ID == q.Before })
		if i < 0 {
			return []*effects.Job{}
		}
		jobs = jobs[i+1:]
	}
	limit := cmp.Or(q.Limit, 100)
	return jobs[:min(limit, len(jobs))]
}

// Find looks for job id's copies in the dead-letter queues of queues, in
// order: scan reads one queue's messages, holding them from other scans,
// and giveBack returns those it holds needlessly. It returns the copies
// of the first queue that has any, newest first, still held, or
// effects.ErrNotFound.
func Find[M any](queues []string, id string, job func(M) *effects.Job,
	scan func(q string) ([]M, error), giveBack func(q string, msgs []M)) ([]M, error) {
	for _, q := range queues {
		msgs, err := scan(q)
		if err != nil {
			return nil, err
		}
		var found, others []M
		for _, m := range msgs {
			if job(m).ID == id {
				found = append(found, m)
			} else {
				others = append(others, m)
			}
		}
		giveBack(q, others)
		if len(found) > 0 {
			slices.SortFunc(found, func(a, b M) int { return NewestFirst(job(a), job(b)) })
			return found, nil
		}
	}
	return nil, effects.ErrNotFound
}
