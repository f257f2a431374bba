package effectstest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"gati.dev/gati/effects"
)

// Enqueued returns the effects of kind k that the memory backend holds,
// in any state, in enqueue order, for a handler test to check what it
// enqueued:
//
//	mem := effects.NewMemory()
//	app := newApp(effects.WithBackend(mem))
//	... call the handler ...
//	sent := effectstest.Enqueued(t, mem, notify.Welcome)
func Enqueued[T any](t testing.TB, mem *effects.Memory, k *effects.Kind[T]) []effects.Effect[T] {
	t.Helper()
	var out []effects.Effect[T]
	for _, j := range mem.Jobs() {
		if j.Kind != k.Name() {
			continue
		}
		e := effects.Effect[T]{ID: j.ID, Kind: j.Kind, Queue: j.Queue, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
			EnqueuedAt: j.CreatedAt, Errors: j.Errors, TraceID: j.TraceID, RequestID: j.RequestID}
		if err := json.Unmarshal(j.Args, &e.Args); err != nil {
			t.Fatalf("effectstest: the args of %s %s do not decode into %T: %v", j.Kind, j.ID, e.Args, err)
		}
		out = append(out, e)
	}
	return out
}

// WaitIdle waits until the memory backend has no effect due or running
// (those scheduled for later do not count), failing the test after
// timeout: for a test that lets the app's workers run what a handler
// enqueued and then checks their work.
func WaitIdle(t testing.TB, mem *effects.Memory, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		stats, err := mem.Stats(context.Background())
		if err != nil {
			t.Fatalf("effectstest: %v", err)
		}
		busy := int64(0)
		for _, s := range stats {
			busy += s.Available + s.Running
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("effectstest: %d effects still due or running after %s", busy, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
