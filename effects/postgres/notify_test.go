package postgres_test

import (
	"context"
	"testing"
	"time"

	"gati.dev/gati/effects"
	"gati.dev/gati/internal/pgtest"
)

// An instance that subscribed hears of due effects that another
// enqueues, by queue, and of a transaction's only when it commits.
func TestSubscribeHearsOtherInstances(t *testing.T) {
	dsn := pgtest.Start(t)
	listener, sender := backendOn(t, dsn), backendOn(t, dsn)
	heard := make(chan string, 100)
	cancel := listener.Subscribe(func(q string) { heard <- q })
	defer cancel()
	ctx := context.Background()
	next := func() string {
		t.Helper()
		select {
		case q := <-heard:
			return q
		case <-time.After(10 * time.Second):
			t.Fatal("no notification in 10s")
			return ""
		}
	}
	// The listener connects in the background: enqueue until it hears.
	deadline := time.Now().Add(10 * time.Second)
	for len(heard) == 0 && time.Now().Before(deadline) {
		if _, err := sender.Enqueue(ctx, []*effects.Job{newJob("warmup", 0)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for len(heard) > 0 {
		<-heard
	}
	time.Sleep(100 * time.Millisecond)
	for len(heard) > 0 {
		<-heard
	}

	later := newJob("scheduled", 1)
	later.RunAt = time.Now().Add(time.Hour)
	if _, err := sender.Enqueue(ctx, []*effects.Job{later}); err != nil {
		t.Fatal(err)
	}
	if _, err := sender.Enqueue(ctx, []*effects.Job{newJob("due", 2)}); err != nil {
		t.Fatal(err)
	}
	if q := next(); q != "due" {
		t.Fatalf("heard %q first, want due (a scheduled effect sends nothing)", q)
	}

	for _, commit := range []bool{false, true} {
		tx, err := sender.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sender.EnqueueTx(ctx, tx, []*effects.Job{newJob("tx", 3)}); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit(ctx)
		} else {
			err = tx.Rollback(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sender.Enqueue(ctx, []*effects.Job{newJob("after", 4)}); err != nil {
		t.Fatal(err)
	}
	if a, b := next(), next(); a != "tx" || b != "after" {
		t.Fatalf("heard %q then %q, want tx (once, committed) then after", a, b)
	}
	var _ effects.Waker = listener
}
