package pubsub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/pstest"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/effects/pubsub"
)

// fake starts an in-process Pub/Sub fake (pstest of the v1 module: the
// v2 module's republishes dead letters every tick, and v1.51's nacks wait
// out the ack deadline) on a loopback port, closed when the test ends.
func fake(t *testing.T) *pstest.Server {
	t.Helper()
	srv := pstest.NewServerWithAddress("127.0.0.1:0")
	t.Cleanup(func() { srv.Close() })
	return srv
}

func dsn(srv *pstest.Server, params string) string {
	return "pubsub://test-project?emulator=" + srv.Addr + params
}

func open(t *testing.T, srv *pstest.Server, params string) *pubsub.Backend {
	t.Helper()
	b, err := effects.Open(context.Background(), "pubsub", effects.OpenConfig{DSN: dsn(srv, params)})
	if err != nil {
		t.Fatal(err)
	}
	return b.(*pubsub.Backend)
}

// Pub/Sub's ack deadlines are whole seconds: the suite's leases of a few
// ticks need ticks of a few hundred milliseconds.
var harness = effectstest.Harness{
	Open: func(t *testing.T) effects.Backend { return open(t, fake(t), "") },
	Tick: 200 * time.Millisecond,
}

func TestBackend(t *testing.T) { effectstest.RunBackend(t, harness) }

func TestRuntime(t *testing.T) { effectstest.RunRuntime(t, harness) }

func job(q string, args any) *effects.Job {
	body, _ := json.Marshal(args)
	now := time.Now()
	return &effects.Job{Kind: "test", Queue: q, Args: body, MaxAttempts: 3, RunAt: now, CreatedAt: now}
}

// TestOpenUnreachable: a service that is down fails Open with its
// endpoint in the error.
func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	began := time.Now()
	_, err = effects.Open(ctx, "pubsub", effects.OpenConfig{DSN: "pubsub://test-project?timeout=2s&emulator=" + addr, Queues: []string{"default"}})
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Open of a stopped service: %v, want an error naming %s", err, addr)
	}
	t.Logf("failed after %s: %v", time.Since(began).Round(time.Millisecond), err)
}

// TestOutage: with the fake stopped, Enqueue and Fetch fail within the
// backend's timeout (nothing is silently dropped).
func TestOutage(t *testing.T) {
	srv := pstest.NewServerWithAddress("127.0.0.1:0") // closed by the test (twice panics)
	ctx := context.Background()
	b, err := effects.Open(ctx, "pubsub", effects.OpenConfig{DSN: dsn(srv, "&timeout=2s"), Queues: []string{"default"}})
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Enqueue(ctx, []*effects.Job{job("default", 1)}); err != nil {
		srv.Close()
		t.Fatal(err)
	}
	srv.Close()
	began := time.Now()
	_, err = b.Enqueue(ctx, []*effects.Job{job("default", 2)})
	if err == nil || !strings.Contains(err.Error(), srv.Addr) {
		t.Fatalf("Enqueue during an outage: %v, want an error naming %s", err, srv.Addr)
	}
	t.Logf("enqueue failed after %s: %v", time.Since(began).Round(time.Millisecond), err)
	fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := b.Fetch(fctx, "default", 10, time.Second); err == nil {
		t.Fatal("Fetch during an outage succeeded")
	}
}

// TestNames: topics and subscriptions are the prefix and the queue; the
// dead-letter ones add ".dead".
func TestNames(t *testing.T) {
	srv := fake(t)
	b := open(t, srv, "&prefix=shop-")
	defer b.Close()
	if _, err := b.Enqueue(context.Background(), []*effects.Job{job("mail_out", 1)}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.TopicID("mail_out"), "shop-mail_out"; got != want {
		t.Errorf("TopicID = %q, want %q", got, want)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].Attributes["gati_kind"] != "test" {
		t.Fatalf("published %+v", msgs)
	}
	if _, err := effects.Open(context.Background(), "pubsub", effects.OpenConfig{DSN: dsn(srv, "&prefix=goog-")}); err == nil {
		t.Error("a goog prefix was accepted")
	}
}

// TestLongDelay: a delay beyond the 600-second ack deadline is reached by
// putting the message back each time it shows up early, and the copy is
// renewed before Pub/Sub's delivery count reaches its dead-letter
// policy; none of this counts as an attempt.
func TestLongDelay(t *testing.T) {
	defer pubsub.SetRenewAfter(3)()
	defer pubsub.SetMaxAckDeadline(time.Second)()
	srv := fake(t)
	b := open(t, srv, "")
	defer b.Close()
	ctx := context.Background()
	j := job("later", "x")
	j.RunAt = time.Now().Add(6 * time.Second) // six 1-second waits: renewed twice
	if _, err := b.Enqueue(ctx, []*effects.Job{j}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
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
				t.Fatalf("the waits were counted: attempt %d, errors %+v", got[0].Attempt, got[0].Errors)
			}
			// The enqueued copy, at least one renewal, and the ready copy.
			if n := len(srv.Messages()); n < 3 {
				t.Fatalf("%d messages published, want the copy renewed", n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the delayed effect never came")
		}
	}
}

// TestForeignMessage: a message that is not an effect goes to the
// dead-letter topic instead of failing every fetch.
func TestForeignMessage(t *testing.T) {
	srv := fake(t)
	b := open(t, srv, "")
	defer b.Close()
	ctx := context.Background()
	if _, err := b.Fetch(ctx, "mixed", 1, time.Second); err != nil { // creates the topics
		t.Fatal(err)
	}
	srv.Publish("projects/test-project/topics/"+b.TopicID("mixed"), []byte("hello"), nil)
	if got, err := b.Fetch(ctx, "mixed", 10, time.Second); err != nil || len(got) != 0 {
		t.Fatalf("Fetch: %v %v, want nothing", got, err)
	}
	dead, err := b.Dead(ctx, effects.DeadQuery{Queue: "mixed"})
	if err != nil || len(dead) != 1 || !strings.HasPrefix(dead[0].ID, "pubsub-") {
		t.Fatalf("Dead: %+v %v, want the foreign message", dead, err)
	}
	if err := b.DiscardDead(ctx, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, dead[0].ID); !errors.Is(err, effects.ErrNotFound) {
		t.Fatalf("Get after discard: %v", err)
	}
}

// TestDeadPaging: a dead-letter subscription of many jobs is listed whole,
// in pages, and Stats counts it.
func TestDeadPaging(t *testing.T) {
	b := open(t, fake(t), "")
	defer b.Close()
	ctx := context.Background()
	const n = 75
	var jobs []*effects.Job
	for i := range n {
		jobs = append(jobs, job("dlq", i))
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
	if len(stats) != 1 || stats[0].Queue != "dlq" || stats[0].Dead != n {
		t.Fatalf("Stats = %+v, want %d dead in dlq", stats, n)
	}
}

// TestDeadRenewal: a dead job older than the renewal age is published
// again by the listing that finds it, so the 7-day retention never drops
// it, and it is still listed once, with its history.
func TestDeadRenewal(t *testing.T) {
	defer pubsub.SetRenewAge(time.Second)()
	srv := fake(t)
	b := open(t, srv, "")
	defer b.Close()
	ctx := context.Background()
	if _, err := b.Enqueue(ctx, []*effects.Job{job("old", 1)}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Fetch(ctx, "old", 1, time.Minute)
	if err != nil || len(got) != 1 {
		t.Fatalf("Fetch: %v %v", got, err)
	}
	if err := b.Complete(ctx, []effects.Outcome{{ID: got[0].ID, Lease: got[0].Lease, Result: effects.ResultDead,
		Error: &effects.AttemptError{Attempt: 1, At: time.Now(), Reason: "canceled", Error: "gone"}}}); err != nil {
		t.Fatal(err)
	}
	published := len(srv.Messages())
	time.Sleep(1500 * time.Millisecond)
	dead, err := b.Dead(ctx, effects.DeadQuery{Queue: "old"})
	if err != nil || len(dead) != 1 || dead[0].ID != got[0].ID || len(dead[0].Errors) != 1 {
		t.Fatalf("Dead: %+v %v, want the job once with its error", dead, err)
	}
	if n := len(srv.Messages()); n != published+1 {
		t.Fatalf("%d messages published after the listing, want %d: the old dead copy renewed", n, published+1)
	}
}
