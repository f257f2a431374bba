package effectstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gati.dev/gati/effects"
)

// keepOpen lets a test stop effects and still read the backend.
type keepOpen struct{ effects.Backend }

func (keepOpen) Close() error { return nil }

type args struct {
	N int `json:"n"`
}

// start runs effects on b with cfg, registering workers with register,
// and stops them when the test ends.
func start(t *testing.T, b effects.Backend, cfg effects.Config, register func(fx *effects.Effects)) (*effects.Effects, context.Context) {
	t.Helper()
	fx := effects.New(keepOpen{b}, cfg)
	register(fx)
	ctx := context.Background()
	if err := fx.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { fx.Stop(context.Background()) })
	return fx, effects.WithEffects(ctx, fx)
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func state(t *testing.T, b effects.Backend, id string) effects.State {
	t.Helper()
	if r, ok := b.(*recorder); ok && !r.Capabilities().Lookup {
		return r.state(t, id)
	}
	j, err := b.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return j.State
}

// recorder remembers the outcomes the runtime recorded, to tell the
// state of a job a queue service cannot look up (see Capabilities.Lookup).
type recorder struct {
	effects.Backend
	mu     sync.Mutex
	states map[string]effects.State
}

func record(b effects.Backend) *recorder {
	return &recorder{Backend: b, states: map[string]effects.State{}}
}

func (r *recorder) Complete(ctx context.Context, outcomes []effects.Outcome) error {
	if err := r.Backend.Complete(ctx, outcomes); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range outcomes {
		switch o.Result {
		case effects.ResultSucceeded:
			r.states[o.ID] = effects.StateSucceeded
		case effects.ResultDead:
			r.states[o.ID] = effects.StateDead
		default:
			r.states[o.ID] = effects.StateAvailable
		}
	}
	return nil
}

func (r *recorder) RetryDead(ctx context.Context, id string) error {
	if err := r.Backend.RetryDead(ctx, id); err != nil {
		return err
	}
	r.mu.Lock()
	r.states[id] = effects.StateAvailable
	r.mu.Unlock()
	return nil
}

func (r *recorder) state(t *testing.T, id string) effects.State {
	r.mu.Lock()
	s, ok := r.states[id]
	r.mu.Unlock()
	if !ok {
		return effects.StateAvailable
	}
	if s == effects.StateDead { // a queue service finds its dead: check it does
		if j, err := r.Backend.Get(context.Background(), id); err != nil || j.State != effects.StateDead {
			t.Fatalf("the runtime dead-lettered %s but Get says %v %v", id, j, err)
		}
	}
	return s
}

// RunRuntime checks workers running on b: every effect runs, failures
// retry with backoff and end in the dead-letter queue, panics and
// timeouts are attempts that fail, and shutdown hands back what it
// interrupts.
func RunRuntime(t *testing.T, h Harness) {
	tick := h.tick()
	base := effects.Config{Lease: 20 * tick, PollInterval: tick, ShutdownTimeout: 30 * tick,
		Retry: effects.RetryPolicy{Base: 2 * tick, Max: time.Minute, Factor: 2, Jitter: 0.1}}
	cfg := func(mod func(c *effects.Config)) effects.Config {
		c := base
		c.Queues = map[string]effects.QueueConfig{}
		if mod != nil {
			mod(&c)
		}
		return c
	}

	t.Run("EveryEffectRuns", func(t *testing.T) {
		b := record(h.open(t))
		kind := effects.Define[args]("rt-every", effects.Queue(queue(t)))
		const n = 200
		var mu sync.Mutex
		runs := map[int]int{}
		_, ctx := start(t, b, cfg(nil), func(fx *effects.Effects) {
			effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[args]) error {
				mu.Lock()
				runs[e.Args.N]++
				mu.Unlock()
				return nil
			})
		})
		for i := range n {
			if _, err := kind.Enqueue(ctx, args{N: i}); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, 200*tick, "every effect to run", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(runs) == n
		})
		mu.Lock()
		defer mu.Unlock()
		for i, c := range runs {
			if c != 1 {
				t.Errorf("effect %d ran %d times with no failure", i, c)
			}
		}
	})

	t.Run("RetriesBackOffThenSucceed", func(t *testing.T) {
		b := record(h.open(t))
		kind := effects.Define[args]("rt-flaky", effects.Queue(queue(t)), effects.MaxAttempts(5))
		var mu sync.Mutex
		var starts []time.Time
		_, ctx := start(t, b, cfg(nil), func(fx *effects.Effects) {
			effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[args]) error {
				mu.Lock()
				defer mu.Unlock()
				starts = append(starts, time.Now())
				if e.Attempt <= 3 {
					return fmt.Errorf("flaky %d", e.Attempt)
				}
				if len(e.Errors) != 3 {
					return effects.Cancel(fmt.Errorf("attempt 4 saw %d earlier errors, want 3", len(e.Errors)))
				}
				return nil
			})
		})
		enq, err := kind.Enqueue(ctx, args{})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, 300*tick, "the flaky effect to succeed", func() bool { return state(t, b, enq.ID) == effects.StateSucceeded })
		mu.Lock()
		defer mu.Unlock()
		if len(starts) != 4 {
			t.Fatalf("%d attempts, want 4", len(starts))
		}
		for i := 1; i < len(starts); i++ {
			gap := starts[i].Sub(starts[i-1])
			want := base.Retry.Base << (i - 1)
			lo := time.Duration(float64(want) * (1 - base.Retry.Jitter))
			if gap < lo {
				t.Errorf("retry %d came %s after the failure, want at least %s (policy %s ±%.0f%%)", i, gap, lo, want, 100*base.Retry.Jitter)
			}
			// A database backend keeps the delay to the nanosecond; queue
			// services round it up to whole seconds.
			hi := time.Duration(float64(want)*(1+base.Retry.Jitter)) + 3*tick
			if b.Capabilities().Lookup && gap > hi {
				t.Errorf("retry %d came %s after the failure, want at most %s (policy %s ±%.0f%%, plus %s to fetch)", i, gap, hi, want, 100*base.Retry.Jitter, 3*tick)
			}
			t.Logf("retry %d after %s (policy %s)", i, gap.Round(time.Millisecond), want)
		}
	})

	t.Run("AlwaysFailingIsDeadLettered", func(t *testing.T) {
		b := record(h.open(t))
		kind := effects.Define[args]("rt-doomed", effects.Queue(queue(t)), effects.MaxAttempts(3))
		var calls atomic.Int32
		var healed atomic.Bool
		_, ctx := start(t, b, cfg(func(c *effects.Config) { c.Retry.Base = tick / 2 }), func(fx *effects.Effects) {
			effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[args]) error {
				calls.Add(1)
				if healed.Load() {
					return nil
				}
				return fmt.Errorf("always fails (attempt %d)", e.Attempt)
			})
		})
		enq, err := kind.Enqueue(ctx, args{N: 7})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, 300*tick, "the effect to be dead-lettered", func() bool { return state(t, b, enq.ID) == effects.StateDead })
		j, _ := b.Get(context.Background(), enq.ID)
		if calls.Load() != 3 || len(j.Errors) != 3 {
			t.Fatalf("%d calls and %d recorded errors, want 3 and 3: %+v", calls.Load(), len(j.Errors), j.Errors)
		}
		for i, e := range j.Errors {
			if e.Attempt != i+1 || e.Error != fmt.Sprintf("always fails (attempt %d)", i+1) || e.At.IsZero() {
				t.Errorf("error %d: %+v", i, e)
			}
		}
		healed.Store(true)
		if err := b.RetryDead(context.Background(), enq.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 200*tick, "the retried effect to succeed", func() bool { return state(t, b, enq.ID) == effects.StateSucceeded })
	})

	t.Run("PanicFailsTheAttemptOnly", func(t *testing.T) {
		b := record(h.open(t))
		kind := effects.Define[args]("rt-panic", effects.Queue(queue(t)), effects.MaxAttempts(2))
		_, ctx := start(t, b, cfg(func(c *effects.Config) { c.Retry.Base = tick / 2 }), func(fx *effects.Effects) {
			effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[args]) error {
				if e.Args.N == 1 {
					panic("worker bug")
				}
				return nil
			})
		})
		bad, _ := kind.Enqueue(ctx, args{N: 1})
		good, _ := kind.Enqueue(ctx, args{N: 2})
		waitFor(t, 300*tick, "the panicking effect to be dead-lettered", func() bool { return state(t, b, bad.ID) == effects.StateDead })
		waitFor(t, 100*tick, "the other effect to succeed", func() bool { return state(t, b, good.ID) == effects.StateSucceeded })
		j, _ := b.Get(context.Background(), bad.ID)
		if len(j.Errors) != 2 || j.Errors[0].Reason != "panic" || !strings.Contains(j.Errors[0].Error, "worker bug") {
			t.Fatalf("panic not recorded: %+v", j.Errors)
		}
	})

	t.Run("TimeoutAtTheDeadline", func(t *testing.T) {
		b := record(h.open(t))
		kind := effects.Define[args]("rt-slow", effects.Queue(queue(t)), effects.MaxAttempts(1), effects.Timeout(3*tick))
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		_, ctx := start(t, b, cfg(nil), func(fx *effects.Effects) {
			effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[args]) error {
				<-release // ignores its context
				return nil
			})
		})
		enq, _ := kind.Enqueue(ctx, args{})
		began := time.Now()
		waitFor(t, 100*tick, "the attempt to time out", func() bool { return state(t, b, enq.ID) == effects.StateDead })
		if took := time.Since(began); took > 20*tick {
			t.Errorf("dead-lettered %s after enqueue, want about the 3-tick timeout", took)
		}
		j, _ := b.Get(context.Background(), enq.ID)
		if len(j.Errors) != 1 || j.Errors[0].Reason != "timeout" {
			t.Fatalf("timeout not recorded: %+v", j.Errors)
		}
	})

	t.Run("ControlErrors", func(t *testing.T) {
		b := record(h.open(t))
		kind := effects.Define[args]("rt-control", effects.Queue(queue(t)), effects.MaxAttempts(5))
		var snoozes atomic.Int32
		_, ctx := start(t, b, cfg(nil), func(fx *effects.Effects) {
			effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[args]) error {
				switch e.Args.N {
				case 1: // cancel: dead at once
					return effects.Cancel(errors.New("account deleted"))
				case 2: // snooze twice, then succeed on attempt 1
					if snoozes.Add(1) <= 2 {
						return effects.Snooze(tick)
					}
					if e.Attempt != 1 && b.Capabilities().ExactAttempts {
						return effects.Cancel(fmt.Errorf("snoozes counted: attempt %d", e.Attempt))
					}
				}
				return nil
			})
		})
		canceled, _ := kind.Enqueue(ctx, args{N: 1})
		snoozed, _ := kind.Enqueue(ctx, args{N: 2})
		waitFor(t, 100*tick, "the canceled effect to be dead", func() bool { return state(t, b, canceled.ID) == effects.StateDead })
		j, _ := b.Get(context.Background(), canceled.ID)
		if j.Attempt != 1 || len(j.Errors) != 1 || j.Errors[0].Reason != "canceled" {
			t.Fatalf("cancel: attempt %d errors %+v, want dead after 1 attempt", j.Attempt, j.Errors)
		}
		waitFor(t, 100*tick, "the snoozed effect to succeed", func() bool { return state(t, b, snoozed.ID) == effects.StateSucceeded })
	})

	t.Run("ShutdownHandsBackInterrupted", func(t *testing.T) {
		b := record(h.open(t))
		q := queue(t)
		kind := effects.Define[args]("rt-shutdown", effects.Queue(q))
		started := make(chan struct{}, 2)
		fx := effects.New(keepOpen{b}, cfg(func(c *effects.Config) { c.ShutdownTimeout = 3 * tick }))
		effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[args]) error {
			started <- struct{}{}
			if e.Args.N == 1 {
				time.Sleep(tick) // finishes within the shutdown bound
				return nil
			}
			<-ctx.Done() // outlives it
			return ctx.Err()
		})
		if err := fx.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx := effects.WithEffects(context.Background(), fx)
		quick, _ := kind.Enqueue(ctx, args{N: 1})
		long, _ := kind.Enqueue(ctx, args{N: 2})
		<-started
		<-started
		if err := fx.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if s := state(t, b, quick.ID); s != effects.StateSucceeded {
			t.Errorf("the effect that finished within the shutdown bound: %s", s)
		}
		if s := state(t, b, long.ID); s != effects.StateAvailable {
			t.Fatalf("the interrupted effect: %s, want available again", s)
		}
		back := fetchWithin(t, b, q, 1, 10*tick, 30*tick)
		if len(back) != 1 || back[0].ID != long.ID {
			t.Fatalf("the interrupted effect was not handed back: fetched %v", idsOf(back))
		}
		if b.Capabilities().ExactAttempts && back[0].Attempt != 1 {
			t.Errorf("the interrupted attempt was counted: the next is attempt %d, want 1", back[0].Attempt)
		}
	})
}
