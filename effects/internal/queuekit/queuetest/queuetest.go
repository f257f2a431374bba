// Package queuetest holds the tests that the effects backends on queue
// services (effects/azqueue, effects/pubsub) run beyond effectstest's
// suites: behaviour they share because they read and write dead-letter
// queues and delays the same way.
package queuetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/effects"
)

// Job returns a job of kind "test" in queue q with args, due now, of
// three attempts.
func Job(q string, args any) *effects.Job {
	body, _ := json.Marshal(args)
	now := time.Now()
	return &effects.Job{Kind: "test", Queue: q, Args: body, MaxAttempts: 3, RunAt: now, CreatedAt: now}
}

// OpenUnreachable: opening driver on dsn, a service that is down at
// addr, fails with addr in the error.
func OpenUnreachable(t *testing.T, driver, dsn, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	began := time.Now()
	_, err := effects.Open(ctx, driver, effects.OpenConfig{DSN: dsn, Queues: []string{"default"}})
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Open of a stopped service: %v, want an error naming %s", err, addr)
	}
	t.Logf("failed after %s: %v", time.Since(began).Round(time.Millisecond), err)
}

// FetchWhenDue fetches j (enqueued, with a run time ahead) until it
// comes, failing t if it comes before its run time, with an attempt
// counted for its early deliveries, or not within d.
func FetchWhenDue(t *testing.T, b effects.Backend, j *effects.Job, d time.Duration) *effects.Job {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got, err := b.Fetch(context.Background(), j.Queue, 1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 {
			if early := time.Until(j.RunAt); early > 0 {
				t.Fatalf("fetched %s before its run time", early)
			}
			if got[0].Attempt != 1 || len(got[0].Errors) != 0 {
				t.Fatalf("the early deliveries were counted: attempt %d, errors %+v", got[0].Attempt, got[0].Errors)
			}
			return got[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("the delayed effect never came")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// DeadPaging: 75 jobs dead-lettered at once (more than one read of a
// dead-letter queue returns) are listed whole, in pages of 20 that
// repeat none, and Stats counts them; b must be a backend of its own
// (Stats sees only its queue "dlq").
func DeadPaging(t *testing.T, b effects.Backend) {
	t.Helper()
	ctx := context.Background()
	const n = 75
	var jobs []*effects.Job
	for i := range n {
		jobs = append(jobs, Job("dlq", i))
	}
	if _, err := b.Enqueue(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var leased []*effects.Job
	for len(leased) < n {
		got, err := b.Fetch(ctx, "dlq", n-len(leased), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Fatalf("fetched %d of %d", len(leased), n)
		}
		leased = append(leased, got...)
	}
	var outcomes []effects.Outcome
	for i, j := range leased {
		outcomes = append(outcomes, effects.Outcome{ID: j.ID, Lease: j.Lease, Result: effects.ResultDead,
			Error: &effects.AttemptError{Attempt: 1, At: time.Now(), Reason: "canceled", Error: fmt.Sprint("no ", i)}})
	}
	if err := b.Complete(ctx, outcomes); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	before := ""
	for page := 0; ; page++ {
		got, err := b.Dead(ctx, effects.DeadQuery{Queue: "dlq", Limit: 20, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range got {
			if seen[j.ID] {
				t.Fatalf("page %d lists %s again", page, j.ID)
			}
			seen[j.ID] = true
		}
		if len(got) < 20 {
			break
		}
		before = got[len(got)-1].ID
	}
	if len(seen) != n {
		t.Fatalf("the pages listed %d dead effects, want %d", len(seen), n)
	}
	stats, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Queue != "dlq" || stats[0].Dead != n || stats[0].Available != 0 {
		t.Fatalf("Stats = %+v, want %d dead in dlq", stats, n)
	}
}

// ForeignMessage: a message that is not an effect, which put writes to
// the queue "mixed" as another program would, goes to the dead-letter
// queue instead of failing every fetch; it is listed there with an id
// that starts with idPrefix, and can be discarded.
func ForeignMessage(t *testing.T, b effects.Backend, idPrefix string, put func(queue string)) {
	t.Helper()
	ctx := context.Background()
	if _, err := b.Fetch(ctx, "mixed", 1, time.Second); err != nil { // creates the queues
		t.Fatal(err)
	}
	put("mixed")
	if got, err := b.Fetch(ctx, "mixed", 10, time.Second); err != nil || len(got) != 0 {
		t.Fatalf("Fetch: %v %v, want nothing", got, err)
	}
	dead, err := b.Dead(ctx, effects.DeadQuery{Queue: "mixed"})
	if err != nil || len(dead) != 1 || !strings.HasPrefix(dead[0].ID, idPrefix) {
		t.Fatalf("Dead: %+v %v, want the foreign message", dead, err)
	}
	if err := b.DiscardDead(ctx, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, dead[0].ID); !errors.Is(err, effects.ErrNotFound) {
		t.Fatalf("Get after discard: %v", err)
	}
}
