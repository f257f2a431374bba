package effects

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Snooze returns an error that puts the effect back to run again after d,
// without counting the attempt: for a worker that finds it is too early
// (a rate limit, a resource not ready yet).
func Snooze(d time.Duration) error { return &control{result: ResultSnooze, after: max(d, 0)} }

// Cancel returns an error that ends the effect now, in the dead-letter
// queue with err recorded, however many attempts remain: for failures no
// retry can fix (a deleted account, an invalid card).
func Cancel(err error) error {
	if err == nil {
		err = errors.New("canceled by its worker")
	}
	return &control{result: ResultDead, err: err}
}

// RetryAfter returns an error that fails the attempt with err and runs
// the next one after d instead of the backoff policy's delay: for a
// server's Retry-After.
func RetryAfter(d time.Duration, err error) error {
	if err == nil {
		err = fmt.Errorf("retry after %s", d)
	}
	return &control{result: ResultRetry, after: max(d, 0), err: err}
}

type control struct {
	result Result
	after  time.Duration
	err    error
}

func (c *control) Error() string {
	switch c.result {
	case ResultSnooze:
		return fmt.Sprintf("snooze %s", c.after)
	case ResultDead:
		return "canceled: " + c.err.Error()
	default:
		return fmt.Sprintf("%v (retry after %s)", c.err, c.after)
	}
}

func (c *control) Unwrap() error { return c.err }

// RetryPolicy computes the delay before a failed effect's next attempt:
// Base·Factor^(attempt-1), capped at Max, spread by ±Jitter (a fraction)
// so that effects failing together do not retry together.
type RetryPolicy struct {
	Base   time.Duration `yaml:"base"`
	Max    time.Duration `yaml:"max"`
	Factor float64       `yaml:"factor"`
	Jitter float64       `yaml:"jitter"`
}

// DefaultRetryPolicy: 1s, 2s, 4s, ... up to an hour, ±20%.
var DefaultRetryPolicy = RetryPolicy{Base: time.Second, Max: time.Hour, Factor: 2, Jitter: 0.2}

// Delay returns the wait after the given failed attempt (counted from 1).
func (p RetryPolicy) Delay(attempt int) time.Duration {
	d := float64(p.Base) * math.Pow(p.Factor, float64(max(attempt-1, 0)))
	d = min(d, float64(p.Max))
	if p.Jitter > 0 {
		d *= 1 + p.Jitter*(2*rand.Float64()-1)
	}
	return time.Duration(d)
}

func (p RetryPolicy) check() error {
	switch {
	case p.Base <= 0:
		return fmt.Errorf("retry.base %s: must be positive", p.Base)
	case p.Max < p.Base:
		return fmt.Errorf("retry.max %s: must be at least retry.base %s", p.Max, p.Base)
	case p.Factor < 1:
		return fmt.Errorf("retry.factor %g: must be at least 1", p.Factor)
	case p.Jitter < 0 || p.Jitter >= 1:
		return fmt.Errorf("retry.jitter %g: must be in [0, 1)", p.Jitter)
	}
	return nil
}
