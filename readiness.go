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
// probe reports it as still running instead of calling it again. Results
// are reused for readinessCacheFor, so a burst of probes (kubelet, load
// balancers, people) costs one round of checks.
const (
	readinessDeadline = 800 * time.Millisecond
	readinessCacheFor = time.Second
)

type readiness struct {
	mu     sync.Mutex
	checks []*readinessCheck // built on first use, after Start
	last   map[string]string // failing checks of the last round
	lastAt time.Time
}

type readinessCheck struct {
	name    string
	fn      func(context.Context) error
	running bool // guarded by readiness.mu
}

// failures returns the failing checks by name, running a new round unless
// the last one is recent.
func (r *readiness) failures(a *App) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checks == nil {
		r.checks = a.readinessChecks()
	}
	if !r.lastAt.IsZero() && time.Since(r.lastAt) < readinessCacheFor {
		return r.last
	}
	results := make(chan checkResult, len(r.checks))
	failed := map[string]string{}
	started := 0
	ctx, cancel := context.WithTimeout(context.Background(), readinessDeadline)
	defer cancel()
	for _, c := range r.checks {
		if c.running {
			failed[c.name] = fmt.Sprintf("%v: the previous check has not returned", ErrTimeout)
			continue
		}
		c.running = true
		started++
		go r.run(ctx, c, results)
	}
	answered := map[string]bool{}
	record := func(res checkResult) {
		if res.err != nil {
			failed[res.name] = res.err.Error()
		}
		answered[res.name] = true
		started--
	}
	for started > 0 {
		select {
		case res := <-results:
			record(res)
			continue
		case <-ctx.Done():
		}
		for len(results) > 0 { // answered just in time
			record(<-results)
		}
		for _, c := range r.checks {
			if _, reported := failed[c.name]; c.running && !reported && !answered[c.name] {
				failed[c.name] = fmt.Sprintf("%v after %s", ErrTimeout, readinessDeadline)
			}
		}
		break
	}
	r.last, r.lastAt = failed, time.Now()
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
		results <- checkResult{c.name, err} // buffered: never blocks
		r.mu.Lock()
		c.running = false
		r.mu.Unlock()
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
