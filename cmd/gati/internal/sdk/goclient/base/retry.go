package base

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryPolicy is how calls are retried; see WithRetry.
type retryPolicy struct {
	attempts int
	maxDelay time.Duration
}

var defaultRetry = retryPolicy{attempts: 3, maxDelay: 10 * time.Second}

// backoffBase is the wait before the second attempt when the response
// names none; it doubles with each attempt.
const backoffBase = 250 * time.Millisecond

// delay returns how long to wait before the attempt after attempt, which
// resp answered, and false when there is none: resp is not 429 or 503,
// the attempts are used up, or Retry-After asks for more than maxDelay.
func (p retryPolicy) delay(attempt int, resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	if attempt >= p.attempts {
		return 0, false
	}
	if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
		return d, d <= p.maxDelay
	}
	d := min(backoffBase<<min(attempt-1, 20), p.maxDelay)
	return d/2 + rand.N(d/2+1), true // "equal jitter": at least half the backoff
}

// retryAfter parses a Retry-After value (RFC 9110, section 10.2.3): a
// number of seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleep waits for d, or until ctx is done and returns its error.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
