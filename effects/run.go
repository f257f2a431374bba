package effects

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"
)

// queueRunner fetches one queue's effects while it has free slots and
// runs each in its own goroutine.
type queueRunner struct {
	fx    *Effects
	name  string
	slots chan struct{} // one token per running attempt
	wake  chan struct{} // poked when this process enqueues
}

func (q *queueRunner) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queueRunner) loop() {
	fx := q.fx
	defer fx.loops.Done()
	ctx := fx.fetchCtx
	idle := time.NewTimer(0)
	<-idle.C
	failures := 0
	for {
		// Take at least one slot, then every free one up to a batch.
		select {
		case q.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		n := 1
		for n < fetchBatch && q.take() {
			n++
		}
		jobs, err := fx.backend.Fetch(ctx, q.name, n, fx.cfg.Lease)
		for range n - len(jobs) {
			<-q.slots
		}
		if ctx.Err() != nil {
			// Fetched as the app stopped: hand them back.
			for _, j := range jobs {
				fx.dispatch(q, j, true)
			}
			return
		}
		wait := fx.cfg.PollInterval
		if err != nil {
			failures++
			wait = min(fx.cfg.PollInterval*time.Duration(failures), 30*time.Second)
			fx.log.Error("effects: fetch failed; retrying", "queue", q.name, "backend", fx.backend.Name(), "err", err, "retry_in", wait)
		} else {
			failures = 0
		}
		for _, j := range jobs {
			fx.dispatch(q, j, false)
		}
		if err == nil && len(jobs) == n {
			continue // maybe more: fetch again as soon as a slot frees
		}
		idle.Reset(wait)
		select {
		case <-q.wake:
		case <-idle.C:
		case <-ctx.Done():
		}
		if !idle.Stop() {
			select {
			case <-idle.C:
			default:
			}
		}
	}
}

func (q *queueRunner) take() bool {
	select {
	case q.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// settled is an outcome on its way to the backend, with the attempt's
// facts the metrics need.
type settled struct {
	Outcome
	kind, queue string
	ran         time.Duration
}

// attempt is one running effect: whichever of its worker's return, its
// deadline or a shutdown interruption comes first settles it, once.
type attempt struct {
	fx   *Effects
	q    *queueRunner
	job  *Job
	done atomic.Bool
}

func (fx *Effects) dispatch(q *queueRunner, j *Job, handBack bool) {
	fx.attempts.Add(1)
	a := &attempt{fx: fx, q: q, job: j}
	if handBack {
		a.settle(Outcome{Result: ResultRelease}, 0)
		return
	}
	fx.track(j)
	go a.run()
}

func (a *attempt) run() {
	fx, j := a.fx, a.job
	start := time.Now()
	fx.metrics.started(j, start)
	w := fx.kinds[j.Kind]
	if w == nil {
		err := fmt.Errorf("no worker for kind %s in this binary (registered: %d kinds)", j.Kind, len(fx.kinds))
		a.settle(fx.decide(j, err, "error"), 0)
		return
	}
	timeout := or(j.Timeout, or(w.defaults.timeout, fx.cfg.Timeout))
	ctx, cancel := context.WithTimeoutCause(fx.runCtx, timeout, errAttemptTimeout)
	defer cancel()
	ctx = context.WithValue(context.WithValue(ctx, fxKey{}, fx), jobKey{}, j)
	stop := context.AfterFunc(ctx, func() {
		if a.settle(fx.ended(j, ctx, timeout), time.Since(start)) && context.Cause(ctx) == errAttemptTimeout {
			fx.runaway.Add(1)
			fx.metrics.runawayStarted()
		}
	})
	err, reason := call(ctx, w, j)
	stop()
	o := fx.decide(j, err, reason)
	if err != nil && ctx.Err() != nil {
		o = fx.ended(j, ctx, timeout) // it failed because its context ended
	}
	if !a.settle(o, time.Since(start)) && context.Cause(ctx) == errAttemptTimeout {
		// Settled at its deadline while the worker ran on.
		fx.runaway.Add(-1)
		fx.metrics.runawayFinished()
		Logger(ctx).Warn("effects: a worker returned after its attempt timed out", "late_by", time.Since(start)-timeout)
	}
}

// ended is the outcome of an attempt whose context ended: a failed
// attempt at its deadline, or one handed back when the app shuts down.
func (fx *Effects) ended(j *Job, ctx context.Context, timeout time.Duration) Outcome {
	if context.Cause(ctx) == errAttemptTimeout {
		return fx.decide(j, fmt.Errorf("the attempt timed out after %s", timeout), "timeout")
	}
	return Outcome{Result: ResultRelease, Error: &AttemptError{Attempt: j.Attempt, At: time.Now(), Reason: "interrupted",
		Error: "the app shut down during the attempt; it runs again"}}
}

var errAttemptTimeout = errors.New("effects: attempt timed out")

// call runs the worker, turning a panic into an error.
func call(ctx context.Context, w *worker, j *Job) (err error, reason string) {
	defer func() {
		if v := recover(); v != nil {
			err, reason = fmt.Errorf("panic: %v\n%s", v, debug.Stack()), "panic"
		}
	}()
	return w.run(ctx, j), "error"
}

// settle reports the attempt's outcome and frees its slot, the first
// time it is called.
func (a *attempt) settle(o Outcome, ran time.Duration) bool {
	if !a.done.CompareAndSwap(false, true) {
		return false
	}
	fx, j := a.fx, a.job
	o.ID, o.Lease = j.ID, j.Lease
	fx.untrack(j)
	fx.outcomes <- settled{Outcome: o, kind: j.Kind, queue: j.Queue, ran: ran}
	<-a.q.slots
	fx.attempts.Done()
	return true
}

// decide turns a worker's return into the attempt's outcome.
func (fx *Effects) decide(j *Job, err error, reason string) Outcome {
	now := time.Now()
	if err == nil {
		return Outcome{Result: ResultSucceeded}
	}
	record := func() *AttemptError {
		msg := err.Error()
		if len(msg) > maxErrorLen {
			msg = msg[:maxErrorLen] + "…"
		}
		return &AttemptError{Attempt: j.Attempt, At: now, Reason: reason, Error: msg}
	}
	var c *control
	if errors.As(err, &c) {
		switch c.result {
		case ResultSnooze:
			return Outcome{Result: ResultSnooze, RunAt: now.Add(c.after)}
		case ResultDead:
			reason = "canceled"
			return Outcome{Result: ResultDead, Error: record()}
		case ResultRetry:
			if j.Attempt < j.MaxAttempts {
				return Outcome{Result: ResultRetry, RunAt: now.Add(c.after), Error: record()}
			}
		}
	}
	if j.Attempt >= j.MaxAttempts {
		return Outcome{Result: ResultDead, Error: record()}
	}
	return Outcome{Result: ResultRetry, RunAt: now.Add(fx.cfg.Retry.Delay(j.Attempt)), Error: record()}
}

// completeLoop reports outcomes to the backend in batches: whatever has
// queued up while the previous batch was written. A failed write is
// retried; outcomes still unwritten when the app stops are not lost, as
// their leases expire and the effects run again.
func (fx *Effects) completeLoop() {
	defer fx.bg.Done()
	batch := make([]settled, 0, 4*fetchBatch)
	outcomes := make([]Outcome, 0, 4*fetchBatch)
	for s := range fx.outcomes {
		batch = append(batch[:0], s)
	drain:
		for len(batch) < cap(batch) {
			select {
			case s, ok := <-fx.outcomes:
				if !ok {
					break drain
				}
				batch = append(batch, s)
			default:
				break drain
			}
		}
		outcomes = outcomes[:0]
		for _, s := range batch {
			outcomes = append(outcomes, s.Outcome)
		}
		for try := 1; ; try++ {
			err := fx.backend.Complete(fx.bgCtx, outcomes)
			if err == nil {
				break
			}
			if fx.bgCtx.Err() != nil || try == 10 {
				fx.log.Error("effects: could not record outcomes; those effects run again when their leases expire", "count", len(outcomes), "err", err)
				break
			}
			wait := min(50*time.Millisecond<<try, 5*time.Second)
			fx.log.Warn("effects: recording outcomes failed; retrying", "count", len(outcomes), "err", err, "retry_in", wait)
			time.Sleep(wait)
		}
		for _, s := range batch {
			fx.metrics.settled(s)
			fx.wakeAt(s)
		}
	}
}

// wakeAt pokes the queue of a retried or snoozed effect when it is due,
// if that comes before the next poll, so short backoffs are not rounded
// up to the poll interval.
func (fx *Effects) wakeAt(s settled) {
	if s.Result != ResultRetry && s.Result != ResultSnooze && s.Result != ResultRelease {
		return
	}
	q := fx.queues[s.queue]
	d := time.Until(s.RunAt)
	switch {
	case q == nil || d >= fx.cfg.PollInterval:
	case d <= 0:
		q.poke()
	default:
		time.AfterFunc(d, q.poke)
	}
}

func (fx *Effects) track(j *Job) {
	fx.leaseMu.Lock()
	fx.leased[j.ID] = j.Lease
	fx.leaseMu.Unlock()
}

func (fx *Effects) untrack(j *Job) {
	fx.leaseMu.Lock()
	delete(fx.leased, j.ID)
	fx.leaseMu.Unlock()
}

// heartbeatLoop extends the leases of running attempts every third of a
// lease, so a long effect keeps its lease while its process lives.
func (fx *Effects) heartbeatLoop() {
	defer fx.bg.Done()
	t := time.NewTicker(fx.cfg.Lease / 3)
	defer t.Stop()
	var leases []Leased
	for {
		select {
		case <-t.C:
		case <-fx.runCtx.Done():
			return
		}
		leases = leases[:0]
		fx.leaseMu.Lock()
		for id, l := range fx.leased {
			leases = append(leases, Leased{ID: id, Lease: l})
		}
		fx.leaseMu.Unlock()
		if len(leases) == 0 {
			continue
		}
		if err := fx.backend.Extend(fx.bgCtx, leases, fx.cfg.Lease); err != nil {
			fx.log.Warn("effects: extending leases failed", "count", len(leases), "err", err)
		}
	}
}

// sampleEvery is how often the queue depth gauges are refreshed.
var sampleEvery = 15 * time.Second

// sampleLoop refreshes the queue depth metrics from the backend's Stats.
func (fx *Effects) sampleLoop() {
	defer fx.bg.Done()
	if fx.metrics == nil {
		return
	}
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		if stats, err := fx.backend.Stats(fx.bgCtx); err == nil {
			for name := range fx.queues { // a queue with no effects reads 0
				if !slices.ContainsFunc(stats, func(s QueueStats) bool { return s.Queue == name }) {
					stats = append(stats, QueueStats{Queue: name})
				}
			}
			fx.metrics.sample(stats, !fx.caps.NoLiveCounts)
		}
		select {
		case <-t.C:
		case <-fx.runCtx.Done():
			return
		}
	}
}
