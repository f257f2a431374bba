package azqueue_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	azsdk "github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/azqueue"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/effects/internal/queuekit/queuetest"
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
	queuetest.OpenUnreachable(t, "azqueue", a.connString(), a.addr)
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
	if _, err := b.Enqueue(ctx, []*effects.Job{queuetest.Job("default", 1)}); err != nil {
		t.Fatal(err)
	}
	a.stop()
	began := time.Now()
	_, err = b.Enqueue(ctx, []*effects.Job{queuetest.Job("default", 2)})
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
	j := queuetest.Job("later", "x")
	j.RunAt = time.Now().Add(3500 * time.Millisecond)
	if _, err := b.Enqueue(context.Background(), []*effects.Job{j}); err != nil {
		t.Fatal(err)
	}
	queuetest.FetchWhenDue(t, b, j, 10*time.Second)
}

// TestDeadPaging: a dead-letter queue longer than the 32 messages one
// call returns is listed whole, in pages, and is visible again at once.
func TestDeadPaging(t *testing.T) {
	b := open(t)
	defer b.Close()
	queuetest.DeadPaging(t, b)
}

// TestTooLarge: an effect that cannot fit Azure's message is refused at
// enqueue.
func TestTooLarge(t *testing.T) {
	b := open(t)
	defer b.Close()
	_, err := b.Enqueue(context.Background(), []*effects.Job{queuetest.Job("big", strings.Repeat("x", 40<<10))})
	if err == nil || !strings.Contains(err.Error(), "64 KiB") {
		t.Fatalf("Enqueue of 40 KiB of args: %v, want a size error", err)
	}
}

// TestForeignMessage: a message that is not an effect goes to the
// dead-letter queue instead of failing every fetch.
func TestForeignMessage(t *testing.T) {
	b := open(t)
	defer b.Close()
	svc, err := azsdk.NewServiceClientFromConnectionString(sharedAzurite(t).connString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	queuetest.ForeignMessage(t, b, "azure-", func(q string) {
		if _, err := svc.NewQueueClient(b.QueueName(q)).EnqueueMessage(context.Background(), "hello", nil); err != nil {
			t.Fatal(err)
		}
	})
}
