package gati

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Readiness runs every module's Health and every registered check
// concurrently under one deadline, well inside kubelet's default probe
// timeout of 1s. A check that overruns is reported as failing and keeps
// its goroutine until it returns, but never gets a second one: the next
// probe reports it as still running instead of calling it again. Probes
// that arrive while a round runs share its result, so a burst of probes
// (kubelet, load balancers, people) costs one round of checks, and no
// probe reports a result older than itself.
const readinessDeadline = 800 * time.Millisecond

type readiness struct {
	mu       sync.Mutex
	checks   []*readinessCheck // built on first use, after Start
	inflight *readinessRound
}

type readinessRound struct {
	done   chan struct{}
	failed map[string]string // failing checks by name; set before done closes
}

type readinessCheck struct {
	name    string
	fn      func(context.Context) error
	running bool // guarded by readiness.mu
}

// failures returns the failing checks by name, from a new round or from
// the one already running.
func (r *readiness) failures(a *App) map[string]string {
	r.mu.Lock()
	if round := r.inflight; round != nil {
		r.mu.Unlock()
		<-round.done
		return round.failed
	}
	if r.checks == nil {
		r.checks = a.readinessChecks()
	}
	round := &readinessRound{done: make(chan struct{})}
	r.inflight = round
	failed := r.runRound()
	r.mu.Lock()
	r.inflight = nil
	r.mu.Unlock()
	round.failed = failed
	close(round.done)
	return failed
}

// runRound starts every idle check, unlocks r.mu, and collects results
// until all have answered or the deadline passes.
func (r *readiness) runRound() map[string]string {
	ctx, cancel := context.WithTimeout(context.Background(), readinessDeadline)
	defer cancel()
	results := make(chan checkResult, len(r.checks))
	failed := map[string]string{}
	var started []*readinessCheck
	for _, c := range r.checks {
		if c.running {
			failed[c.name] = fmt.Sprintf("%v: the previous check has not returned", ErrTimeout)
			continue
		}
		c.running = true
		started = append(started, c)
		go r.run(ctx, c, results)
	}
	r.mu.Unlock()
	answered := map[string]bool{}
	for len(answered) < len(started) {
		select {
		case res := <-results:
			answered[res.name] = true
			if res.err != nil {
				failed[res.name] = res.err.Error()
			}
			continue
		case <-ctx.Done():
		}
		for _, c := range started {
			if !answered[c.name] {
				failed[c.name] = fmt.Sprintf("%v after %s", ErrTimeout, readinessDeadline)
			}
		}
		break
	}
	return failed
}

type checkResult struct {
	name string
	err  error
}

// run calls one check and marks it idle when it returns, however late.
func (r *readiness) run(ctx context.Context, c *readinessCheck, results chan<- checkResult) {
	var err error
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
		// Idle before the result is out: the round it answers may end at
		// once, and the next must be free to call the check again.
		r.mu.Lock()
		c.running = false
		r.mu.Unlock()
		results <- checkResult{c.name, err} // buffered: never blocks
	}()
	err = c.fn(ctx)
}

// readinessChecks lists the modules' Health methods and the checks
// registered with Global.AddHealthCheck.
func (a *App) readinessChecks() []*readinessCheck {
	var checks []*readinessCheck
	for _, e := range a.modules.inited {
		if hc, ok := e.mod.(HealthChecker); ok {
			checks = append(checks, &readinessCheck{name: "module:" + e.info.Name, fn: hc.Health})
		}
	}
	_, _, hooks := a.global.hooks()
	for _, h := range hooks {
		checks = append(checks, &readinessCheck{name: h.name, fn: h.fn})
	}
	return checks
}
