package sqs_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/sqs/sqstest"
)

// fixture is a backend on goaws with a prefix of its own, and a raw SDK
// client on the same queues.
type fixture struct {
	b      effects.Backend
	c      *awssqs.Client
	prefix string
	dsn    string
}

func newFixture(t *testing.T) *fixture {
	p := prefix()
	d := dsn(sqstest.Endpoint(t), p)
	return &fixture{b: open(t, d), c: client(t, sqstest.Endpoint(t)), prefix: p, dsn: d}
}

// reopen opens a second backend on the same queues: another process.
func (f *fixture) reopen(t *testing.T) effects.Backend {
	b, err := effects.Open(context.Background(), "sqs", effects.OpenConfig{DSN: f.dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// sendRaw puts body in queue q as another program would.
func (f *fixture) sendRaw(t *testing.T, q, body string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.b.Fetch(ctx, q, 1, time.Second); err != nil { // creates the queue
		t.Fatal(err)
	}
	u, err := f.c.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String(f.prefix + q)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: u.QueueUrl, MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
}

func newJob(q string, maxAttempts int) *effects.Job {
	now := time.Now()
	return &effects.Job{Kind: "behaviour", Queue: q, Args: json.RawMessage(`{"n":1}`), Priority: 2, MaxAttempts: maxAttempts, RunAt: now, CreatedAt: now}
}

// fetchOne fetches until one job comes or d passes.
func fetchOne(t *testing.T, b effects.Backend, q string, lease, d time.Duration) *effects.Job {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		jobs, err := b.Fetch(context.Background(), q, 1, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 1 {
			return jobs[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// A message that is not an effect goes to the dead-letter queue, where
// an operator finds it with its body and discards it.
func TestForeignMessage(t *testing.T) {
	f := newFixture(t)
	f.sendRaw(t, "mixed", "hello, not JSON")
	if jobs, err := f.b.Fetch(context.Background(), "mixed", 10, time.Second); err != nil || len(jobs) != 0 {
		t.Fatalf("fetch of a foreign message: %v %v, want nothing", jobs, err)
	}
	dead, err := f.b.Dead(context.Background(), effects.DeadQuery{Queue: "mixed"})
	if err != nil || len(dead) != 1 {
		t.Fatalf("Dead: %v %v, want the foreign message", dead, err)
	}
	d := dead[0]
	var body string
	if json.Unmarshal(d.Args, &body); body != "hello, not JSON" || !strings.HasPrefix(d.ID, "msg-") || len(d.Errors) != 1 || !strings.Contains(d.Errors[0].Error, "not an effect") {
		t.Fatalf("dead foreign message: %+v (body %q)", d, body)
	}
	if err := f.b.DiscardDead(context.Background(), d.ID); err != nil {
		t.Fatal(err)
	}
}

// A message written by a newer version of the app is left alone for it.
func TestNewerEnvelope(t *testing.T) {
	f := newFixture(t)
	f.sendRaw(t, "rolling", `{"v":2,"id":"x","queue":"rolling"}`)
	if jobs, err := f.b.Fetch(context.Background(), "rolling", 10, time.Second); err != nil || len(jobs) != 0 {
		t.Fatalf("fetch: %v %v, want nothing", jobs, err)
	}
	if dead, _ := f.b.Dead(context.Background(), effects.DeadQuery{Queue: "rolling"}); len(dead) != 0 {
		t.Fatalf("a newer message was dead-lettered: %+v", dead[0])
	}
}

// A message that shows up before its run_at (a delay beyond SQS's 15
// minutes) is sent again with a new delay, not leased; the resend
// counts no attempt.
func TestRunAtBeyondTheDelay(t *testing.T) {
	f := newFixture(t)
	runAt := time.Now().Add(2500 * time.Millisecond)
	body, _ := json.Marshal(map[string]any{"v": 1, "id": "later-1", "kind": "behaviour", "queue": "later", "args": map[string]int{"n": 1},
		"attempt": 0, "max_attempts": 3, "run_at": runAt, "created_at": time.Now()})
	f.sendRaw(t, "later", string(body)) // no delay: as if SQS's 15 minutes had passed
	if jobs, err := f.b.Fetch(context.Background(), "later", 10, time.Second); err != nil || len(jobs) != 0 {
		t.Fatalf("fetch before run_at: %v %v, want nothing", jobs, err)
	}
	j := fetchOne(t, f.b, "later", 5*time.Second, 10*time.Second)
	if j == nil {
		t.Fatal("the effect did not come back after its run_at")
	}
	if early := time.Until(runAt); early > 0 {
		t.Fatalf("leased %s before its run_at", early)
	}
	if j.ID != "later-1" || j.Attempt != 1 || len(j.Errors) != 0 {
		t.Fatalf("after a resend: id %s attempt %d errors %+v, want attempt 1 and no error", j.ID, j.Attempt, j.Errors)
	}
}

// An attempt whose worker died is found by another process, from the
// message's receive count: recorded as lease_expired, and the effect
// dead-lettered after its last attempt with every expiry in its history.
func TestLeaseExpiryAcrossProcesses(t *testing.T) {
	f := newFixture(t)
	ins, err := f.b.Enqueue(context.Background(), []*effects.Job{newJob("crash", 3)})
	if err != nil {
		t.Fatal(err)
	}
	id := ins[0].ID
	for attempt := 1; attempt <= 3; attempt++ {
		b := f.reopen(t) // a fresh process each attempt, which then dies
		j := fetchOne(t, b, "crash", time.Second, 10*time.Second)
		if j == nil || j.ID != id || j.Attempt != attempt || len(j.Errors) != attempt-1 {
			t.Fatalf("attempt %d: %+v", attempt, j)
		}
		for i, e := range j.Errors {
			if e.Reason != "lease_expired" || e.Attempt != i+1 {
				t.Fatalf("attempt %d: error %d is %+v", attempt, i, e)
			}
		}
	}
	b := f.reopen(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if jobs, err := b.Fetch(context.Background(), "crash", 1, time.Second); err != nil || len(jobs) != 0 {
			t.Fatalf("fetch after the last attempt expired: %v %v", jobs, err)
		}
		j, err := b.Get(context.Background(), id)
		if err == nil {
			if j.State != effects.StateDead || j.Attempt != 3 || len(j.Errors) != 3 || j.Errors[2].Reason != "lease_expired" {
				t.Fatalf("dead after three expired leases: %+v", j)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not dead-lettered: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestArgsTooLarge(t *testing.T) {
	f := newFixture(t)
	j := newJob("big", 3)
	j.Args = json.RawMessage(`"` + strings.Repeat("x", 300<<10) + `"`)
	if _, err := f.b.Enqueue(context.Background(), []*effects.Job{j}); err == nil || !strings.Contains(err.Error(), "args smaller") {
		t.Fatalf("enqueue of 300 KiB args: %v", err)
	}
	j.UniqueKey = "k"
	j.Args = json.RawMessage(`{}`)
	if _, err := f.b.Enqueue(context.Background(), []*effects.Job{j}); err == nil || !strings.Contains(err.Error(), "unique") {
		t.Fatalf("enqueue with a unique key: %v", err)
	}
}
