package gati

import (
	"net/http"
	"sync/atomic"
	"time"
)

// net/http formats the Date header anew for every response: some 1,500
// instructions of calendar arithmetic and a wall-clock read, a twentieth
// of a small request, for a value that changes once a second. Gati
// formats it once a second and hands net/http the string to copy.

// httpDate is the Date value of one second of the wall clock.
type httpDate struct {
	stale time.Duration // when the next second begins, as time since clockBase
	value string
}

var lastDate atomic.Pointer[httpDate]

// dateHeader returns the Date header value for now. Telling whether the
// second has passed takes one monotonic clock read; the wall clock is read
// once a second, so a step of the system clock shows within a second.
func dateHeader() string {
	since := time.Since(clockBase)
	if d := lastDate.Load(); d != nil && since < d.stale {
		return d.value
	}
	t := time.Now()
	d := &httpDate{stale: t.Sub(clockBase) + time.Second - time.Duration(t.Nanosecond()),
		value: t.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.value
}
