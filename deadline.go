package gati

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// A route's request timeout is enforced twice over. The request context
// gets the deadline, for handlers that watch it; and a watchdog timer,
// one per pooled exchange so arming it allocates nothing, answers the
// client with a 503 problem at the deadline if the handler has not started
// its response by then, even when the handler ignores its context. The
// handler's goroutine cannot be stopped: it runs on, is counted in
// gati_http_handlers_overrunning until it returns, and whatever it writes
// afterwards is dropped.

// armDeadline starts the watchdog for a request that must be answered
// within d of its start. The timer is re-armed lazily: while it is already
// due no later than this deadline, it stays as it is and, when it fires
// early, sleeps again until the deadline of the request then being served.
// Most requests end long before their deadline, so most pay for a lock
// and no timer operation.
func (x *exchange) armDeadline(d time.Duration, rt *route) {
	deadline := x.lctx.start.Add(d)
	w := &x.w
	w.mu.Lock()
	w.armed, w.deadline, w.path, x.timedRoute = true, deadline, x.req.r.URL.Path, rt
	if x.timer == nil || x.timerAt.IsZero() || x.timerAt.After(deadline) {
		x.setTimer(deadline)
	}
	w.mu.Unlock()
	x.deadline = deadline
}

// setTimer makes the watchdog fire at deadline. Called with w.mu held.
func (x *exchange) setTimer(deadline time.Time) {
	if x.timer == nil {
		x.timer = time.AfterFunc(time.Until(deadline), x.deadlinePassed)
	} else {
		x.timer.Reset(time.Until(deadline))
	}
	x.timerAt = deadline
}

// deadlinePassed runs on the timer's goroutine. The timer may fire for a
// request that has already finished, while the exchange serves another:
// the armed flag and the deadline tell them apart.
func (x *exchange) deadlinePassed() {
	w := &x.w
	w.mu.Lock()
	x.timerAt = time.Time{}
	if !w.armed {
		w.mu.Unlock()
		return
	}
	if now := time.Now(); now.Before(w.deadline) {
		x.timer.Reset(w.deadline.Sub(now))
		x.timerAt = w.deadline
		w.mu.Unlock()
		return
	}
	w.armed = false
	if w.state != writeIdle {
		w.mu.Unlock()
		return // the handler is answering: its response stands
	}
	// The handler's goroutine may be making the request id now: take the
	// client's, fixed before the handler started, or format our own.
	rid, rt, path := x.sentID(), x.timedRoute, w.path
	answer := errTimedOut
	if x.req.bodyLate.Load() && rt.readTimeout > 0 && rt.readTimeout <= rt.timeout {
		// The handler waits for the body, or its wait just failed: the
		// read deadline passed too, and the client is too slow, not the
		// handler.
		answer = errBodyTimedOut
	}
	w.state, w.status = writeTimedOut, answer.Status
	a := x.app
	if answer == errTimedOut {
		w.overran = true
		a.http.overrunning.Add(1) // before the client hears of it
		rt.metrics.timedOut()
	}
	// The handler still owns the connection, so net/http cannot end the
	// response: a Content-Length lets the client read it whole now, and
	// the connection closes when the handler returns.
	body := problemBody(problemFor(answer, path, rid, false))
	if wt := a.global.cfg.Server.WriteTimeout; wt > 0 { // the connection's own deadline may be near
		_ = http.NewResponseController(w.rw).SetWriteDeadline(time.Now().Add(wt))
	}
	h := w.rw.Header()
	h["X-Request-Id"] = []string{rid}
	h["Content-Type"] = []string{ProblemContentType}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	h["Connection"] = connectionClose
	h.Del("Content-Encoding")
	w.rw.WriteHeader(w.status)
	n, _ := w.rw.Write(body)
	w.size = int64(n)
	_ = http.NewResponseController(w.rw).Flush()
	w.mu.Unlock()
	if answer != errTimedOut {
		return // the handler's failed read reports it
	}
	a.global.logger.LogAttrs(context.Background(), slog.LevelWarn,
		"request timed out: answered 503; the handler is still running",
		slog.String("request_id", rid), slog.String("route", rt.pattern), slog.String("path", path),
		slog.Duration("timeout", rt.timeout))
}

// disarmDeadline stops the watchdog once the handler has returned and
// reports what the client got. The timer itself runs on; see armDeadline.
func (x *exchange) disarmDeadline() (status int, size int64, timedOut bool) {
	status, size, timedOut = x.w.result()
	if x.cancelDeadline != nil {
		x.cancelDeadline()
	}
	return status, size, timedOut
}

// liftDeadline exempts a streaming response from the request timeout and
// from the connection's whole-response deadlines: a stream may last as
// long as the client listens. Each write is bounded instead, so a client
// that stops reading still loses the connection.
func (x *exchange) liftDeadline() {
	w := &x.w
	w.mu.Lock()
	w.armed = false
	w.streamWrite = x.app.global.cfg.Server.WriteTimeout
	rc := http.NewResponseController(w.rw)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	w.mu.Unlock()
	x.deadline = time.Time{}
}
