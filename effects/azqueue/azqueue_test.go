package azqueue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	azsdk "github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/azqueue"
	"gati.dev/gati/effects/effectstest"
)

var prefixes atomic.Int64

// open returns a backend on the shared emulator whose queue names have a
// prefix of their own, so Stats sees only this test's queues.
func open(t *testing.T) *azqueue.Backend {
	t.Helper()
	a := sharedAzurite(t)
	prefix := fmt.Sprintf("t%d-", prefixes.Add(1))
	b, err := effects.Open(context.Background(), "azqueue", effects.OpenConfig{DSN: a.connString() + "QueuePrefix=" + prefix})
	if err != nil {
		t.Fatal(err)
	}
	return b.(*azqueue.Backend)
}

var harness = effectstest.Harness{Open: func(t *testing.T) effects.Backend { return open(t) }}

func TestBackend(t *testing.T) { effectstest.RunBackend(t, harness) }

func TestRuntime(t *testing.T) { effectstest.RunRuntime(t, harness) }

func job(q string, args any) *effects.Job {
	body, _ := json.Marshal(args)
	now := time.Now()
	return &effects.Job{Kind: "test", Queue: q, Args: body, MaxAttempts: 3, RunAt: now, CreatedAt: now}
}

func TestQueueNames(t *testing.T) {
	svc, err := azsdk.NewServiceClientWithNoCredential("http://127.0.0.1:1/devstoreaccount1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := azqueue.New(svc)
	seen := map[string]string{}
	for _, q := range []string{"default", "emails", "a", "a_b", "a-b", "a--b", "a-", "x-dead", "jobs_2", strings.Repeat("q", 64)} {
		name, dead := b.QueueName(q), b.DeadQueueName(q)
		for _, n := range []string{name, dead} {
			if len(n) < 3 || len(n) > 63 || strings.Contains(n, "--") || strings.HasSuffix(n, "-") || strings.ToLower(n) != n {
				t.Errorf("queue %q: Azure name %q breaks Azure's rules", q, n)
			}
			if other, dup := seen[n]; dup {
				t.Errorf("queues %q and %q share the Azure queue %q", other, q, n)
			}
			seen[n] = q
		}
	}
	if got := b.QueueName("default"); got != "gati-default" {
		t.Errorf("QueueName(default) = %q, want gati-default", got)
	}
	if got := b.DeadQueueName("emails"); got != "gati-emails-dead" {
		t.Errorf("DeadQueueName(emails) = %q, want gati-emails-dead", got)
	}
	if _, err := azqueue.New(svc, azqueue.Prefix("Bad--")); err == nil {
		t.Error("a prefix with capitals and a double hyphen was accepted")
	}
}

// TestOpenUnreachable: a service that is down fails Open with its
// endpoint in the error.
func TestOpenUnreachable(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	a := &azurite{addr: fmt.Sprintf("127.0.0.1:%d", port)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	began := time.Now()
	_, err = effects.Open(ctx, "azqueue", effects.OpenConfig{DSN: a.connString(), Queues: []string{"default"}})
	if err == nil || !strings.Contains(err.Error(), a.addr) {
		t.Fatalf("Open of a stopped service: %v, want an error naming %s", err, a.addr)
	}
	t.Logf("failed after %s: %v", time.Since(began).Round(time.Millisecond), err)
}

// TestOutage: with the emulator killed, Enqueue and Fetch fail (nothing
// is silently dropped).
func TestOutage(t *testing.T) {
	a, err := startAzurite()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { a.stop() }()
	ctx := context.Background()
	b, err := effects.Open(ctx, "azqueue", effects.OpenConfig{DSN: a.connString(), Queues: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Enqueue(ctx, []*effects.Job{job("default", 1)}); err != nil {
		t.Fatal(err)
	}
	a.stop()
	began := time.Now()
	_, err = b.Enqueue(ctx, []*effects.Job{job("default", 2)})
	if err == nil || !strings.Contains(err.Error(), a.addr) {
		t.Fatalf("Enqueue during an outage: %v, want an error naming %s", err, a.addr)
	}
	t.Logf("enqueue failed after %s: %v", time.Since(began).Round(time.Millisecond), err)
	if _, err := b.Fetch(ctx, "default", 10, time.Second); err == nil {
		t.Fatal("Fetch during an outage succeeded")
	}
}

// TestLongDelay: a run time beyond the longest visibility timeout is
// reached by hiding the message again each time it shows up early.
func TestLongDelay(t *testing.T) {
	defer azqueue.SetMaxVisibility(time.Second)()
	b := open(t)
	defer b.Close()
	ctx := context.Background()
	j := job("later", "x")
	j.RunAt = time.Now().Add(3500 * time.Millisecond)
	enqueue(t, b, j)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := b.Fetch(ctx, "later", 1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 {
			if early := time.Until(j.RunAt); early > 0 {
				t.Fatalf("fetched %s before its run time", early)
			}
			if got[0].Attempt != 1 || len(got[0].Errors) != 0 {
				t.Fatalf("the early dequeues were counted: attempt %d, errors %+v", got[0].Attempt, got[0].Errors)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the delayed effect never came")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func enqueue(t *testing.T, b effects.Backend, jobs ...*effects.Job) []string {
	t.Helper()
	ins, err := b.Enqueue(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	return ids
}

// TestDeadPaging: a dead-letter queue longer than the 32 messages one
// call returns is listed whole, in pages, and is visible again at once.
func TestDeadPaging(t *testing.T) {
	b := open(t)
	defer b.Close()
	ctx := context.Background()
	const n = 75
	var jobs []*effects.Job
	for i := range n {
		jobs = append(jobs, job("dlq", i))
	}
	enqueue(t, b, jobs...)
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
	for _, j := range leased {
		outcomes = append(outcomes, effects.Outcome{ID: j.ID, Lease: j.Lease, Result: effects.ResultDead,
			Error: &effects.AttemptError{Attempt: 1, At: time.Now(), Reason: "canceled", Error: "no"}})
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

// TestTooLarge: an effect that cannot fit Azure's message is refused at
// enqueue.
func TestTooLarge(t *testing.T) {
	b := open(t)
	defer b.Close()
	_, err := b.Enqueue(context.Background(), []*effects.Job{job("big", strings.Repeat("x", 40<<10))})
	if err == nil || !strings.Contains(err.Error(), "64 KiB") {
		t.Fatalf("Enqueue of 40 KiB of args: %v, want a size error", err)
	}
}

// TestForeignMessage: a message that is not an effect goes to the
// dead-letter queue instead of failing every fetch.
func TestForeignMessage(t *testing.T) {
	b := open(t)
	defer b.Close()
	ctx := context.Background()
	if _, err := b.Fetch(ctx, "mixed", 1, time.Second); err != nil { // creates the queues
		t.Fatal(err)
	}
	svc, err := azsdk.NewServiceClientFromConnectionString(sharedAzurite(t).connString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.NewQueueClient(b.QueueName("mixed")).EnqueueMessage(ctx, "hello", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Fetch(ctx, "mixed", 10, time.Second); err != nil || len(got) != 0 {
		t.Fatalf("Fetch: %v %v, want nothing", got, err)
	}
	dead, err := b.Dead(ctx, effects.DeadQuery{Queue: "mixed"})
	if err != nil || len(dead) != 1 || !strings.HasPrefix(dead[0].ID, "azure-") {
		t.Fatalf("Dead: %+v %v, want the foreign message", dead, err)
	}
	if err := b.DiscardDead(ctx, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, dead[0].ID); !errors.Is(err, effects.ErrNotFound) {
		t.Fatalf("Get after discard: %v", err)
	}
}
