// Package effectstest tests effects: a conformance suite that every
// Backend passes (RunBackend for the storage contract, RunRuntime for
// workers on top of it), and helpers for testing an app's handlers that
// enqueue effects.
package effectstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"gati.dev/gati/effects"
)

// Harness gives the suite fresh backends.
type Harness struct {
	// Open returns an empty backend. The suite closes it.
	Open func(t *testing.T) effects.Backend
	// BeginTx starts a transaction on the backend's database, for the
	// transactional-enqueue tests of a backend with Transactions.
	BeginTx func(t *testing.T, b effects.Backend) (tx any, commit, rollback func() error)
	// Tick is the suite's unit of waiting: delays and leases are a few
	// ticks (default 100ms). Slow emulators need more.
	Tick time.Duration
}

func (h Harness) tick() time.Duration {
	if h.Tick > 0 {
		return h.Tick
	}
	return 100 * time.Millisecond
}

func (h Harness) open(t *testing.T) effects.Backend {
	t.Helper()
	b := h.Open(t)
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return b
}

// queue names a queue of its own per test, so a backend whose storage
// outlives one test (a cloud emulator) keeps tests apart.
func queue(t *testing.T) string {
	return fmt.Sprintf("q%d", time.Now().UnixNano()%1_000_000_000)
}

func job(q string, args any) *effects.Job {
	body, _ := json.Marshal(args)
	now := time.Now()
	return &effects.Job{Kind: "conformance", Queue: q, Args: body, Priority: 2, MaxAttempts: 3, RunAt: now, CreatedAt: now}
}

func enqueue(t *testing.T, b effects.Backend, jobs ...*effects.Job) []string {
	t.Helper()
	ins, err := b.Enqueue(context.Background(), jobs)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if len(ins) != len(jobs) {
		t.Fatalf("Enqueue of %d jobs reported %d", len(jobs), len(ins))
	}
	ids := make([]string, len(ins))
	for i, in := range ins {
		if in.ID == "" || in.Duplicate {
			t.Fatalf("Enqueue[%d] = %+v, want a new id", i, in)
		}
		ids[i] = in.ID
	}
	return ids
}

func fetch(t *testing.T, b effects.Backend, q string, limit int, lease time.Duration) []*effects.Job {
	t.Helper()
	jobs, err := b.Fetch(context.Background(), q, limit, lease)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return jobs
}

// fetchWithin fetches until it gets want jobs or d passes: backends poll
// clocks of their own.
func fetchWithin(t *testing.T, b effects.Backend, q string, want int, lease, d time.Duration) []*effects.Job {
	t.Helper()
	var got []*effects.Job
	deadline := time.Now().Add(d)
	for {
		got = append(got, fetch(t, b, q, want-len(got), lease)...)
		if len(got) >= want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func complete(t *testing.T, b effects.Backend, os ...effects.Outcome) {
	t.Helper()
	if err := b.Complete(context.Background(), os); err != nil {
		t.Fatalf("Complete: %v", err)
	}
}

func get(t *testing.T, b effects.Backend, id string) *effects.Job {
	t.Helper()
	j, err := b.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return j
}

// expectState checks a job's state with Get when the backend can look up
// live jobs; a queue service cannot, and its other tests observe it
// through Fetch instead.
func expectState(t *testing.T, b effects.Backend, id string, want effects.State, when string) {
	t.Helper()
	if !b.Capabilities().Lookup && want != effects.StateDead {
		return
	}
	if got := get(t, b, id); got.State != want {
		t.Fatalf("%s: state %s, want %s", when, got.State, want)
	}
}

// expectGone checks, on a backend that cannot look jobs up, that
// finished jobs do not come back once their lease has passed: the only
// sign that the service took the outcome (a receipt that no longer
// held would leave the message to reappear).
func expectGone(t *testing.T, b effects.Backend, q string, lease, tick time.Duration) {
	t.Helper()
	if b.Capabilities().Lookup {
		return
	}
	time.Sleep(lease + 2*tick)
	if more := fetch(t, b, q, 10, lease); len(more) != 0 {
		t.Fatalf("a finished job came back after its lease: %+v", more[0])
	}
}

func outcome(j *effects.Job, r effects.Result) effects.Outcome {
	return effects.Outcome{ID: j.ID, Lease: j.Lease, Result: r}
}

func failure(j *effects.Job, msg string) *effects.AttemptError {
	return &effects.AttemptError{Attempt: j.Attempt, At: time.Now(), Reason: "error", Error: msg}
}

// RunBackend checks b's storage contract (see effects.Backend).
func RunBackend(t *testing.T, h Harness) {
	tick := h.tick()
	lease := 10 * tick

	t.Run("EnqueueFetchComplete", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		type args struct {
			Name  string         `json:"name"`
			N     float64        `json:"n"`
			Inner map[string]any `json:"inner"`
		}
		in := args{Name: "Zoë ✓ \"quoted\"", N: 1.5, Inner: map[string]any{"list": []any{1.0, "two", nil}}}
		ids := enqueue(t, b, job(q, in), job(q, in))
		if ids[0] == ids[1] {
			t.Fatalf("two jobs got the same id %s", ids[0])
		}
		expectState(t, b, ids[0], effects.StateAvailable, "after Enqueue")
		jobs := fetchWithin(t, b, q, 2, lease, 20*tick)
		if len(jobs) != 2 {
			t.Fatalf("Fetch got %d jobs, want 2", len(jobs))
		}
		for _, j := range jobs {
			var got args
			if err := json.Unmarshal(j.Args, &got); err != nil {
				t.Fatal(err)
			}
			if got.Name != in.Name || got.N != in.N || len(got.Inner["list"].([]any)) != 3 {
				t.Errorf("args round trip: got %+v, want %+v", got, in)
			}
			if j.State != effects.StateRunning || j.Attempt != 1 || j.Lease == "" || j.Kind != "conformance" || j.Queue != q {
				t.Errorf("fetched job: state %s attempt %d lease %q kind %s queue %s", j.State, j.Attempt, j.Lease, j.Kind, j.Queue)
			}
		}
		if more := fetch(t, b, q, 10, lease); len(more) != 0 {
			t.Fatalf("a leased job was fetched again: %+v", more[0])
		}
		complete(t, b, outcome(jobs[0], effects.ResultSucceeded), outcome(jobs[1], effects.ResultSucceeded))
		for _, j := range jobs {
			expectState(t, b, j.ID, effects.StateSucceeded, "after success")
		}
		if more := fetch(t, b, q, 10, lease); len(more) != 0 {
			t.Fatalf("a finished job was fetched: %+v", more[0])
		}
		expectGone(t, b, q, lease, tick)
	})

	t.Run("QueuesAreSeparate", func(t *testing.T) {
		b := h.open(t)
		qa, qb := queue(t)+"a", queue(t)+"b"
		enqueue(t, b, job(qa, 1))
		if jobs := fetch(t, b, qb, 10, lease); len(jobs) != 0 {
			t.Fatalf("queue %s got a job of %s", qb, qa)
		}
		if jobs := fetchWithin(t, b, qa, 1, lease, 20*tick); len(jobs) != 1 {
			t.Fatalf("queue %s: got %d jobs, want 1", qa, len(jobs))
		}
	})

	t.Run("Delay", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		j := job(q, "later")
		j.RunAt = time.Now().Add(5 * tick)
		enqueue(t, b, j)
		if jobs := fetch(t, b, q, 1, lease); len(jobs) != 0 {
			t.Fatal("a delayed job was fetched before its time")
		}
		jobs := fetchWithin(t, b, q, 1, lease, 30*tick)
		if len(jobs) != 1 {
			t.Fatal("a delayed job was not fetched after its time")
		}
		if early := time.Until(j.RunAt); early > tick/2 {
			t.Fatalf("fetched %s before its run_at", early)
		}
	})

	t.Run("PriorityThenAge", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		if !b.Capabilities().Priority {
			t.Skipf("%s declares no priority order; the runtime refuses the Priority option for it", b.Name())
		}
		base := time.Now().Add(-time.Minute)
		var jobs []*effects.Job
		for i, p := range []int{3, 1, 2, 1, 4} {
			j := job(q, i)
			j.Priority, j.RunAt = p, base.Add(time.Duration(i)*time.Second)
			jobs = append(jobs, j)
		}
		enqueue(t, b, jobs...)
		var order []int
		for range jobs {
			got := fetch(t, b, q, 1, lease)
			if len(got) != 1 {
				t.Fatal("fetch returned nothing")
			}
			var i int
			json.Unmarshal(got[0].Args, &i)
			order = append(order, i)
		}
		if want := []int{1, 3, 2, 0, 4}; !slices.Equal(order, want) {
			t.Fatalf("fetch order %v, want %v (priority, then run_at)", order, want)
		}
	})

	t.Run("RetryCountsTheAttempt", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		enqueue(t, b, job(q, "x"))
		j := fetchWithin(t, b, q, 1, lease, 20*tick)[0]
		o := outcome(j, effects.ResultRetry)
		o.RunAt, o.Error = time.Now().Add(5*tick), failure(j, "boom 1")
		complete(t, b, o)
		expectState(t, b, j.ID, effects.StateAvailable, "after retry")
		if jobs := fetch(t, b, q, 1, lease); len(jobs) != 0 {
			t.Fatal("a job was fetched before its retry time")
		}
		again := fetchWithin(t, b, q, 1, lease, 30*tick)
		if len(again) != 1 {
			t.Fatal("a retried job did not come back")
		}
		if a := again[0]; a.Attempt != 2 || len(a.Errors) != 1 || a.Errors[0].Error != "boom 1" || a.Errors[0].Attempt != 1 {
			t.Fatalf("second attempt: attempt %d errors %+v", a.Attempt, a.Errors)
		}
	})

	t.Run("SnoozeAndReleaseDoNotCount", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		if !b.Capabilities().ExactAttempts {
			t.Skipf("%s counts deliveries, not attempts", b.Name())
		}
		enqueue(t, b, job(q, "x"))
		j := fetchWithin(t, b, q, 1, lease, 20*tick)[0]
		o := outcome(j, effects.ResultSnooze)
		o.RunAt = time.Now().Add(3 * tick)
		complete(t, b, o)
		j = fetchWithin(t, b, q, 1, lease, 30*tick)[0]
		if j.Attempt != 1 {
			t.Fatalf("after a snooze: attempt %d, want 1", j.Attempt)
		}
		complete(t, b, outcome(j, effects.ResultRelease))
		j = fetchWithin(t, b, q, 1, lease, 20*tick)[0]
		if j.Attempt != 1 {
			t.Fatalf("after a release: attempt %d, want 1", j.Attempt)
		}
	})

	t.Run("DeadLetterRetryDiscard", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		ids := enqueue(t, b, job(q, "a"), job(q, "b"), job(q, "c"))
		jobs := fetchWithin(t, b, q, 3, lease, 20*tick)
		if len(jobs) != 3 {
			t.Fatalf("fetched %d, want 3", len(jobs))
		}
		for i, j := range jobs {
			o := outcome(j, effects.ResultDead)
			o.Error = failure(j, fmt.Sprintf("fatal %d", i))
			complete(t, b, o)
			time.Sleep(5 * time.Millisecond) // distinct death times
		}
		dead, err := b.Dead(context.Background(), effects.DeadQuery{Queue: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 3 || dead[0].ID != jobs[2].ID || dead[2].ID != jobs[0].ID {
			t.Fatalf("Dead: got %v, want newest first %s %s %s", idsOf(dead), jobs[2].ID, jobs[1].ID, jobs[0].ID)
		}
		if d := dead[0]; d.State != effects.StateDead || len(d.Errors) != 1 || d.Errors[0].Error != "fatal 2" || string(d.Args) == "" || d.FinishedAt.IsZero() {
			t.Fatalf("dead entry lost its record: %+v", d)
		}
		page, err := b.Dead(context.Background(), effects.DeadQuery{Queue: q, Limit: 1, Before: dead[0].ID})
		if err != nil || len(page) != 1 || page[0].ID != dead[1].ID {
			t.Fatalf("Dead after %s limit 1: %v %v, want %s", dead[0].ID, idsOf(page), err, dead[1].ID)
		}
		if other, _ := b.Dead(context.Background(), effects.DeadQuery{Queue: q, Kind: "other"}); len(other) != 0 {
			t.Fatalf("Dead filtered by kind: %v", idsOf(other))
		}
		if err := b.RetryDead(context.Background(), dead[0].ID); err != nil {
			t.Fatal(err)
		}
		back := fetchWithin(t, b, q, 1, lease, 20*tick)
		if len(back) != 1 || back[0].ID != dead[0].ID || back[0].Attempt != 1 || len(back[0].Errors) != 1 {
			t.Fatalf("retried from the dead-letter queue: %+v", back)
		}
		if err := b.DiscardDead(context.Background(), dead[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Get(context.Background(), dead[1].ID); !errors.Is(err, effects.ErrNotFound) {
			t.Fatalf("Get of a discarded job: %v, want ErrNotFound", err)
		}
		if err := b.RetryDead(context.Background(), back[0].ID); !errors.Is(err, effects.ErrNotFound) {
			t.Fatalf("RetryDead of a running job: %v, want ErrNotFound", err)
		}
		if err := b.DiscardDead(context.Background(), ids[0]+"0404"); !errors.Is(err, effects.ErrNotFound) {
			t.Fatalf("DiscardDead of no job: %v, want ErrNotFound", err)
		}
	})

	t.Run("UniqueKeys", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		if !b.Capabilities().Unique {
			t.Skipf("%s declares no unique keys; the runtime refuses the Unique option for it", b.Name())
		}
		mk := func() *effects.Job {
			j := job(q, "u")
			j.UniqueKey, j.UniqueUntil = "user-7", time.Now().Add(5*tick)
			return j
		}
		first := enqueue(t, b, mk())[0]
		ins, err := b.Enqueue(context.Background(), []*effects.Job{mk()})
		if err != nil || len(ins) != 1 || !ins[0].Duplicate || ins[0].ID != first {
			t.Fatalf("second enqueue in the window: %+v %v, want duplicate of %s", ins, err, first)
		}
		other := job(q, "u")
		other.Kind, other.UniqueKey, other.UniqueUntil = "conformance-other", "user-7", time.Now().Add(5*tick)
		if ins, err := b.Enqueue(context.Background(), []*effects.Job{other}); err != nil || ins[0].Duplicate {
			t.Fatalf("same key, other kind: %+v %v, want a new job", ins, err)
		}
		time.Sleep(6 * tick)
		if ins, err := b.Enqueue(context.Background(), []*effects.Job{mk()}); err != nil || ins[0].Duplicate || ins[0].ID == first {
			t.Fatalf("enqueue after the window: %+v %v, want a new job", ins, err)
		}
	})

	t.Run("LeaseExpiry", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		enqueue(t, b, job(q, "crash"))
		short := 3 * tick
		j := fetchWithin(t, b, q, 1, short, 20*tick)[0]
		// The worker dies: no outcome. Another fetch takes it after the lease.
		if jobs := fetch(t, b, q, 1, lease); len(jobs) != 0 {
			t.Fatal("a leased job was fetched before its lease expired")
		}
		again := fetchWithin(t, b, q, 1, lease, 40*tick)
		if len(again) != 1 {
			t.Fatal("a job whose lease expired did not run again")
		}
		a := again[0]
		if a.Attempt != 2 || a.Lease == j.Lease {
			t.Fatalf("after lease expiry: attempt %d lease %q (old %q)", a.Attempt, a.Lease, j.Lease)
		}
		if b.Capabilities().ExactAttempts && (len(a.Errors) != 1 || a.Errors[0].Reason != "lease_expired") {
			t.Fatalf("lease expiry not recorded: %+v", a.Errors)
		}
		// The old worker comes back: its outcome must not count.
		complete(t, b, outcome(j, effects.ResultSucceeded))
		expectState(t, b, a.ID, effects.StateRunning, "after an outcome with a stale lease")
		o := outcome(a, effects.ResultRetry)
		o.RunAt, o.Error = time.Now(), failure(a, "retry now")
		complete(t, b, o)
		if back := fetchWithin(t, b, q, 1, lease, 20*tick); len(back) != 1 || back[0].ID != a.ID {
			t.Fatalf("the current lease's outcome did not apply: fetched %v", idsOf(back))
		}
	})

	t.Run("LeaseExpiryOnTheLastAttempt", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		one := job(q, "last")
		one.MaxAttempts = 1
		id := enqueue(t, b, one)[0]
		fetchWithin(t, b, q, 1, 2*tick, 20*tick)
		deadline := time.Now().Add(40 * tick)
		for {
			if again := fetch(t, b, q, 1, lease); len(again) > 0 { // expiry is found by fetches
				t.Fatalf("a job past its last attempt was leased again (attempt %d)", again[0].Attempt)
			}
			if dead, _ := b.Dead(context.Background(), effects.DeadQuery{Queue: q}); len(dead) == 1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(tick)
		}
		expectState(t, b, id, effects.StateDead, "after the last attempt's lease expired")
	})

	t.Run("ExtendKeepsTheLease", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		enqueue(t, b, job(q, "long"))
		short := 4 * tick
		j := fetchWithin(t, b, q, 1, short, 20*tick)[0]
		for range 4 {
			time.Sleep(short / 2)
			if err := b.Extend(context.Background(), []effects.Leased{{ID: j.ID, Lease: j.Lease}}, short); err != nil {
				t.Fatal(err)
			}
			if jobs := fetch(t, b, q, 1, lease); len(jobs) != 0 {
				t.Fatal("an extended lease expired")
			}
		}
		complete(t, b, outcome(j, effects.ResultSucceeded))
		expectState(t, b, j.ID, effects.StateSucceeded, "after extensions and success")
		expectGone(t, b, q, short, tick)
	})

	t.Run("NoJobLeasedTwice", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		const n = 300
		jobs := make([]*effects.Job, n)
		for i := range jobs {
			jobs[i] = job(q, i)
		}
		enqueue(t, b, jobs...)
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		deadline := time.Now().Add(100 * tick)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					got, err := b.Fetch(context.Background(), q, 7, lease)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, j := range got {
						seen[j.ID]++
					}
					done := len(seen) == n
					mu.Unlock()
					if done {
						return
					}
					if len(got) == 0 {
						time.Sleep(5 * time.Millisecond)
					}
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("fetched %d distinct jobs, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c > 1 {
				t.Fatalf("job %s leased %d times at once", id, c)
			}
		}
	})

	t.Run("Stats", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		later := job(q, "later")
		later.RunAt = time.Now().Add(time.Hour)
		enqueue(t, b, job(q, 1), job(q, 2), job(q, 3), later)
		run := fetchWithin(t, b, q, 2, lease, 20*tick)
		if len(run) != 2 {
			t.Fatalf("fetched %d, want 2", len(run))
		}
		o := outcome(run[1], effects.ResultDead)
		o.Error = failure(run[1], "x")
		complete(t, b, o)
		stats, err := b.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(stats, func(s effects.QueueStats) bool { return s.Queue == q })
		if i < 0 {
			t.Fatalf("Stats has no queue %s: %+v", q, stats)
		}
		want := effects.QueueStats{Queue: q, Available: 1, Scheduled: 1, Running: 1, Dead: 1}
		if b.Capabilities().NoLiveCounts {
			// The service cannot count a backlog: the dead must hold.
			if got := stats[i]; got.Dead != 1 || got.Available+got.Scheduled+got.Running != 0 {
				t.Fatalf("Stats = %+v, want 1 dead and no live counts (NoLiveCounts)", got)
			}
			return
		}
		if !b.Capabilities().Lookup {
			// Queue services count approximately and some cannot tell
			// scheduled from running: the total and the dead must hold.
			got := stats[i]
			if got.Available+got.Scheduled+got.Running != 3 || got.Dead != 1 {
				t.Fatalf("Stats = %+v, want 3 live and 1 dead", got)
			}
			return
		}
		if stats[i] != want {
			t.Fatalf("Stats = %+v, want %+v", stats[i], want)
		}
	})

	t.Run("GetUnknown", func(t *testing.T) {
		b := h.open(t)
		if _, err := b.Get(context.Background(), "999999999"); !errors.Is(err, effects.ErrNotFound) {
			t.Fatalf("Get of no job: %v, want ErrNotFound", err)
		}
	})

	t.Run("TransactionalEnqueue", func(t *testing.T) {
		b, q := h.open(t), queue(t)
		tb, ok := b.(effects.TxBackend)
		if !b.Capabilities().Transactions {
			t.Skipf("%s has no transactions (see the outbox pattern)", b.Name())
		}
		if !ok || h.BeginTx == nil {
			t.Fatalf("%s declares transactions but the harness or backend cannot begin one", b.Name())
		}
		tx, _, rollback := h.BeginTx(t, b)
		ins, err := tb.EnqueueTx(context.Background(), tx, []*effects.Job{job(q, "rolled back")})
		if err != nil {
			t.Fatal(err)
		}
		if err := rollback(); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Get(context.Background(), ins[0].ID); !errors.Is(err, effects.ErrNotFound) {
			t.Fatalf("a rolled-back enqueue left a job: %v", err)
		}
		tx, commit, _ := h.BeginTx(t, b)
		ins, err = tb.EnqueueTx(context.Background(), tx, []*effects.Job{job(q, "committed")})
		if err != nil {
			t.Fatal(err)
		}
		if jobs := fetch(t, b, q, 1, lease); len(jobs) != 0 {
			t.Fatal("a job enqueued in an open transaction was fetched")
		}
		if err := commit(); err != nil {
			t.Fatal(err)
		}
		if jobs := fetchWithin(t, b, q, 1, lease, 20*tick); len(jobs) != 1 || jobs[0].ID != ins[0].ID {
			t.Fatalf("the committed job was not fetched: %v", idsOf(jobs))
		}
	})
}

func idsOf(jobs []*effects.Job) []string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	return ids
}
