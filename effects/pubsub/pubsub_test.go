package pubsub_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/pstest"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/effects/internal/queuekit/queuetest"
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

// TestOpenUnreachable: a service that is down fails Open with its
// endpoint in the error.
func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	queuetest.OpenUnreachable(t, "pubsub", "pubsub://test-project?timeout=2s&emulator="+addr, addr)
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
	if _, err := b.Enqueue(ctx, []*effects.Job{queuetest.Job("default", 1)}); err != nil {
		srv.Close()
		t.Fatal(err)
	}
	srv.Close()
	began := time.Now()
	_, err = b.Enqueue(ctx, []*effects.Job{queuetest.Job("default", 2)})
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
	if _, err := b.Enqueue(context.Background(), []*effects.Job{queuetest.Job("mail_out", 1)}); err != nil {
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
	j := queuetest.Job("later", "x")
	j.RunAt = time.Now().Add(6 * time.Second) // six 1-second waits: renewed twice
	if _, err := b.Enqueue(ctx, []*effects.Job{j}); err != nil {
		t.Fatal(err)
	}
	queuetest.FetchWhenDue(t, b, j, 20*time.Second)
	// The enqueued copy, at least one renewal, and the ready copy.
	if n := len(srv.Messages()); n < 3 {
		t.Fatalf("%d messages published, want the copy renewed", n)
	}
}

// TestForeignMessage: a message that is not an effect goes to the
// dead-letter topic instead of failing every fetch.
func TestForeignMessage(t *testing.T) {
	srv := fake(t)
	b := open(t, srv, "")
	defer b.Close()
	queuetest.ForeignMessage(t, b, "pubsub-", func(q string) {
		srv.Publish("projects/test-project/topics/"+b.TopicID(q), []byte("hello"), nil)
	})
}

// TestDeadPaging: a dead-letter subscription of many jobs is listed whole,
// in pages, and Stats counts it.
func TestDeadPaging(t *testing.T) {
	b := open(t, fake(t), "")
	defer b.Close()
	queuetest.DeadPaging(t, b)
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
	if _, err := b.Enqueue(ctx, []*effects.Job{queuetest.Job("old", 1)}); err != nil {
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
