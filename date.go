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

// dateHeader returns the Date header value for a message originated at
// asOf, the request's start: telling whether its second has passed takes
// no clock read of its own, since the start was read when the request
// began. RFC 9110 §6.6.1 lets the Date be generated at any time during the
// message's origination, so a response shows the second its request began
// or a later one that another request has formatted since, and never an
// earlier one. The wall clock is read once a second, so a step of the
// system clock shows within a second.
func dateHeader(asOf time.Time) string {
	since := asOf.Sub(clockBase)
	if d := lastDate.Load(); d != nil && since < d.stale {
		return d.value
	}
	t := time.Now()
	d := &httpDate{stale: t.Sub(clockBase) + time.Second - time.Duration(t.Nanosecond()),
		value: t.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.value
}
