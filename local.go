package gati

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// Local is the per-request context handed to every handler and middleware:
// request id, W3C trace, a logger that carries both, typed per-request
// state, cleanup hooks and the request's context.Context.
//
// A Local is valid only until the handler returns: the framework reuses
// it for later requests. Work that outlives the request must copy what it
// needs (RequestID, Trace). The context from Context stays safe to keep:
// after the response it reports cancellation and no longer carries the
// Local.
type Local struct {
	requestID string
	span      atomic.Uint64 // the server span id, also the default request id; see spanID
	trace     *Trace        // built on first use from span and the traceparent header
	traceBuf  Trace
	start     time.Time
	route     *route
	status    int // an older implementation's success status (see Until)
	version   string
	base      *slog.Logger
	logger    *slog.Logger
	state     []stateEntry
	cleanups  []func()
	ex        *exchange
}

type localKey struct{}

// requestContext is the context.Context a request's code sees. One is
// made per request, on first use, and never reused: code may keep it past
// the response. It finds its Local only while the request it was made for
// is still being served, which the exchange's generation tells.
type requestContext struct {
	context.Context
	l   *Local
	gen uint64
}

func (c *requestContext) Value(key any) any {
	if key == (localKey{}) {
		if c.l.ex.gen.Load() != c.gen {
			return nil // the request is over; its Local serves another now
		}
		return c.l
	}
	return c.Context.Value(key)
}

// LocalFrom returns the Local of the request whose context ctx is (or
// derives from), so code that only has a context.Context can log with the
// request id or read request state. It reports false once that request
// has been answered.
func LocalFrom(ctx context.Context) (*Local, bool) {
	l, ok := ctx.Value(localKey{}).(*Local)
	return l, ok
}

// Context returns the request's context: cancelled when the client goes
// away, when the route's timeout passes (its Deadline), or when the app
// shuts down during a streamed response, and carrying this Local (see
// LocalFrom). It may be kept after the response, when it is done.
func (l *Local) Context() context.Context {
	x := l.ex
	if x.out == nil {
		if !x.deadline.IsZero() && x.cancelDeadline == nil {
			x.cur, x.cancelDeadline = context.WithDeadline(x.cur, x.deadline)
		}
		x.out = &requestContext{Context: x.cur, l: l, gen: x.gen.Load()}
		x.handedOut = true
	}
	return x.out
}

// Deadline reports when the request's context expires, if it does.
func (l *Local) Deadline() (time.Time, bool) { return l.Context().Deadline() }

// RequestID returns the request id: the caller's X-Request-Id when it sent
// a valid one (echoed in the response), otherwise a fresh random id, sent
// in the X-Request-Id header of error responses (of every response with
// server.request_id_header: always).
func (l *Local) RequestID() string {
	if l.requestID == "" { // made on first use: most responses never show it
		l.requestID = requestID("", l.spanID(), &l.ex.ids)
	}
	return l.requestID
}

// spanID returns the server span id, drawn on first use: most requests
// never show it. The deadline watchdog may draw it from its own goroutine
// while the handler does; both get the one that was stored first.
func (l *Local) spanID() uint64 {
	if s := l.span.Load(); s != 0 {
		return s
	}
	l.span.CompareAndSwap(0, rand.Uint64()|1)
	return l.span.Load()
}

// Trace returns the request's W3C trace context: the caller's trace when
// it sent a valid traceparent header, else a new one.
func (l *Local) Trace() Trace {
	if l.trace == nil {
		l.traceBuf = startTrace(headerValue(l.ex.req.r.Header, "Traceparent"), l.spanID())
		l.trace = &l.traceBuf
	}
	return *l.trace
}

// Start returns when the framework began handling the request. It is
// read from the monotonic clock (see clockBase): exact for durations and
// deadlines, while its wall time may differ from the system clock by what
// the clock was adjusted since the process started.
func (l *Local) Start() time.Time { return l.start }

// Pattern returns the matched route pattern, such as "GET /users/{id}".
func (l *Local) Pattern() string {
	if l.route == nil {
		return ""
	}
	return l.route.pattern
}

// Version returns the API version the request resolved to, or "" when the
// app declares no versions.
func (l *Local) Version() string { return l.version }

// Logger returns a logger whose every line carries the request id, trace
// id and route. It is built on first use.
func (l *Local) Logger() *slog.Logger {
	if l.logger == nil {
		l.logger = l.base.With(
			slog.String("request_id", l.RequestID()),
			slog.String("trace_id", l.Trace().TraceIDString()),
			slog.String("route", l.Pattern()),
		)
	}
	return l.logger
}

// OnCleanup registers fn to run after the response is written, even when
// the handler failed or panicked. Cleanups run in reverse order.
func (l *Local) OnCleanup(fn func()) { l.cleanups = append(l.cleanups, fn) }

// runCleanups runs the cleanup hooks last-in first-out. A panicking hook
// is logged and does not stop the others.
func (l *Local) runCleanups() {
	for i := len(l.cleanups) - 1; i >= 0; i-- {
		l.runCleanup(l.cleanups[i])
	}
}

func (l *Local) runCleanup(fn func()) {
	defer func() {
		if v := recover(); v != nil {
			l.Logger().Error("cleanup hook panicked", slog.Any("panic", v))
		}
	}()
	fn()
}

// reset prepares a pooled Local for its next request.
func (l *Local) reset() {
	clear(l.state)
	clear(l.cleanups)
	*l = Local{state: l.state[:0], cleanups: l.cleanups[:0], base: l.base, ex: l.ex}
}

type stateEntry struct {
	key   any
	value any
}

// Key identifies one typed value in a request's state. Create keys once,
// at package level, with NewKey.
type Key[T any] struct{ name string }

// NewKey returns a new key for per-request values of type T. The name is
// used in messages only; two keys with the same name are still distinct.
func NewKey[T any](name string) *Key[T] { return &Key[T]{name: name} }

// Set stores v in the request's state under k.
func (k *Key[T]) Set(l *Local, v T) {
	for i := range l.state {
		if l.state[i].key == k {
			l.state[i].value = v
			return
		}
	}
	l.state = append(l.state, stateEntry{key: k, value: v})
}

// Get returns the value stored under k, and whether there is one.
func (k *Key[T]) Get(l *Local) (T, bool) {
	for _, e := range l.state {
		if e.key == k {
			return e.value.(T), true
		}
	}
	var zero T
	return zero, false
}

// String returns the key's name.
func (k *Key[T]) String() string { return k.name }

// Global returns the app context of the request.
func (l *Local) Global() *Global { return l.ex.app.global }
