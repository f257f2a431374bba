package gati

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"gati.dev/gati/router"
)

// exchange is the per-request state, pooled so that serving a request
// allocates as little as possible.
type exchange struct {
	app    *App
	req    Request
	res    Response
	lctx   Local
	w      responseWriter // the handler's writes reach the client through it
	ridHd  [1]string      // backs the X-Request-Id header value
	dateHd [1]string      // backs the Date header value (see dateHeader)
	ids    idArena        // where generated request ids are written

	// ridAlways is server.request_id_header: always. ridSend says this
	// response carries X-Request-Id whatever its status: with ridAlways,
	// or when the client sent an id of its own, which it gets back.
	// Error responses carry it regardless (see writeHeaderLocked).
	ridAlways, ridSend bool
	// clientID is the client's valid X-Request-Id, or "".
	clientID string

	// A typed handler's input and output, a *In and a *Out, reused while
	// the exchange serves routes of the same types (see typedHandler).
	inSlot, outSlot any

	// Response.JSON encodes through enc into json, made once per exchange.
	json     jsonBody
	enc      *json.Encoder
	encoding bool
	flatBuf  []byte // a flat typed response's body (see flatJSON), kept when small

	// The request's context: base as the server gave it, cur with what
	// the pipeline and per-route HTTP middleware added, out as handed to
	// the request's code (made on first use; see Local.Context).
	base           context.Context
	cur            context.Context
	out            *requestContext
	gen            atomic.Uint64 // bumped after each request that handed out a context; stale contexts compare it
	handedOut      bool          // a context was made for this request
	deadline       time.Time     // the route's timeout, as an instant; zero when none
	cancelDeadline context.CancelFunc
	timer          *time.Timer // the deadline watchdog, reused across requests
	timerAt        time.Time   // when timer fires; zero when idle (guarded by w.mu)
	timedRoute     *route      // the route whose deadline is armed

	stream context.CancelFunc // set while the response streams; see streamSet
}

func newExchange(a *App, logger *slog.Logger) *exchange {
	x := &exchange{app: a, ridAlways: a.global.cfg.Server.RequestIDHeader == RequestIDAlways}
	x.lctx.base = logger
	x.lctx.ex = x
	x.res.ex = x
	x.req.ex = x
	x.w.x = x
	x.w.header = make(http.Header, 4)
	return x
}

// ServeHTTP serves one request through the pipeline: HTTP middleware,
// routing, Gati middleware, handler, error and panic handling, metrics.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.started.Load() {
		a.serveStarting(w, r)
		return
	}
	if a.entry == nil {
		a.dispatch(w, r) // no UseHTTP middleware: one indirect call fewer
		return
	}
	a.entry.ServeHTTP(w, r)
}

// servedElsewhere answers API routes in a worker process.
func servedElsewhere(*Request, *Response, *Global, *Local) error {
	return NewError(http.StatusNotFound, "worker_role",
		"this process runs effect workers only (role worker); the API is served by the processes with role api or all")
}

// compile builds each route's serving chain and the app's entry handler.
func (a *App) compile() {
	for _, e := range a.table.Routes() {
		a.compileRoute(e.Value)
	}
	a.entry = nil
	if len(a.httpMW) > 0 {
		a.entry = chainHTTP(http.HandlerFunc(a.dispatch), a.httpMW)
	}
	a.logAccess = *a.global.cfg.Log.Access
}

func (a *App) compileRoute(rt *route) {
	// A route with nothing around its handler serves through the handler
	// itself: one interface call, no method value in between.
	rt.serve = rt.handler
	mw := append(a.mw[:len(a.mw):len(a.mw)], rt.mw...)
	switch {
	case rt.builtin:
	case a.role == RoleWorker:
		rt.serve = HandlerFunc(servedElsewhere)
	case a.versions != nil:
		rt.serve = chain(a.versions.stage(rt, rt.handler.ServeGati), mw)
	case len(mw) > 0:
		rt.serve = chain(rt.handler.ServeGati, mw)
	}
	s := a.global.cfg.Server
	if rt.bodyLimit == 0 {
		rt.bodyLimit = int64(s.BodyLimit)
	}
	if rt.timeout == 0 {
		rt.timeout = s.RequestTimeout
	}
	if rt.readTimeout == 0 {
		rt.readTimeout = s.ReadTimeout
	}
	if rt.writeTimeout == 0 {
		rt.writeTimeout = s.WriteTimeout
	}
	// The server sets every connection's write deadline to the default
	// timeout plus write_timeout; a route that differs sets its own.
	rt.ownWriteDeadline = rt.writeTimeout > 0 && (rt.timeout != s.RequestTimeout || rt.writeTimeout != s.WriteTimeout)
	rt.metrics = a.http.forRoute(rt.method, rt.path)
	if len(rt.httpMW) > 0 {
		rt.httpChain = chainHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l, _ := LocalFrom(r.Context())
			x := l.ex
			x.req.r, x.res.w, x.res.r = r, w, r
			if r.Context() != x.out {
				x.cur, x.out = r.Context(), nil // the middleware's context values and deadlines
			}
			a.invoke(x, rt)
		}), rt.httpMW)
	}
}

// dispatch routes the request and serves it. finish runs however the
// request ends, a panic that aborts the connection included.
func (a *App) dispatch(w http.ResponseWriter, r *http.Request) {
	x := a.pool.Get().(*exchange)
	x.begin(w, r)
	a.http.inflight.Add(1)
	defer a.finish(x)
	// A path with an escaped character that matters (%2F) is matched in
	// its escaped form, so that the character stays inside its segment.
	path, escaped := r.URL.Path, r.URL.RawPath != ""
	if escaped {
		path = r.URL.RawPath
	}
	rt, found := a.table.Lookup(r.Method, path, &x.req.params)
	if found != router.Found {
		a.serveUnrouted(x, path, found)
		return
	}
	if escaped {
		x.req.params.Unescape()
	}
	a.serveRoute(x, rt)
}

// serveUnrouted answers a request no route matches: 405 when a route
// matches the path with another method, else 404. It is kept out of
// dispatch, as is other code few requests run, so that the code every
// request runs stays compact: after the kernel and net/http have evicted
// it from the processor's caches, each request fetches it again.
func (a *App) serveUnrouted(x *exchange, path string, found router.Result) {
	r := x.req.r
	if found == router.MethodNotAllowed {
		x.w.header.Set("Allow", strings.Join(a.table.Allowed(path), ", "))
		a.writeError(x, NewError(http.StatusMethodNotAllowed, "method_not_allowed",
			fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)))
		return
	}
	a.writeError(x, NewError(http.StatusNotFound, "not_found", fmt.Sprintf("no route matches %s", r.URL.Path)))
}

func (x *exchange) begin(w http.ResponseWriter, r *http.Request) {
	x.w.rw = w
	x.req.r, x.res.w, x.res.r = r, &x.w, r
	x.lctx.start = now()
	x.base, x.cur = r.Context(), r.Context()
	x.clientID = ""
	if sent := headerValue(r.Header, "X-Request-Id"); validRequestID(sent) {
		x.lctx.requestID, x.clientID = sent, sent
		x.ridSend = true // the client's own id: echo it
	} else {
		x.ridSend = x.ridAlways // a generated id is made when first used
	}
	if framingInDoubt(r) {
		w.Header()["Connection"] = connectionClose
	}
}

// clockBase anchors now: a request's start is the base plus the monotonic
// time since, one clock read instead of time.Now's two (wall and
// monotonic), which on virtual machines is a visible share of a request.
// The wall time it implies drifts from the system clock only as much as
// the clock is adjusted while the process runs; durations and deadlines
// use the monotonic reading either way.
var clockBase = time.Now()

func now() time.Time { return clockBase.Add(time.Since(clockBase)) }

// headerValue reads a header by its canonical key, skipping Header.Get's
// canonicalization on the hot path.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (a *App) serveRoute(x *exchange, rt *route) {
	x.lctx.route = rt
	x.req.bodyLimit = rt.bodyLimit
	if rt.timeout > 0 {
		x.armDeadline(rt.timeout, rt)
	}
	if rt.ownWriteDeadline || rt.readTimeout > 0 && x.req.r.ContentLength != 0 {
		x.setConnDeadlines(rt)
	}
	if rt.httpChain != nil {
		rt.httpChain.ServeHTTP(&x.w, x.req.r.WithContext(x.lctx.Context()))
		return
	}
	a.invoke(x, rt)
}

// setConnDeadlines sets the connection's write deadline for a route whose
// timeouts differ from the server's, and its read deadline for a request
// with a body.
func (x *exchange) setConnDeadlines(rt *route) {
	rc := http.NewResponseController(x.w.rw)
	if rt.ownWriteDeadline {
		_ = rc.SetWriteDeadline(x.lctx.start.Add(max(rt.timeout, 0) + rt.writeTimeout))
	}
	if rt.readTimeout > 0 && x.req.r.ContentLength != 0 {
		x.req.readDeadline = true
		_ = rc.SetReadDeadline(x.lctx.start.Add(rt.readTimeout))
	}
}

// invoke calls the route's chain, turning a returned error or a panic into
// a problem response. The server keeps serving either way.
func (a *App) invoke(x *exchange, rt *route) {
	defer a.recoverPanic(x)
	err := rt.serve.ServeGati(&x.req, &x.res, a.global, &x.lctx)
	switch {
	case err != nil && !errors.Is(err, ErrHeadRequest):
		a.writeError(x, err)
	case !x.res.written:
		_ = x.res.NoContent()
	}
}

func (a *App) recoverPanic(x *exchange) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	stack := string(debug.Stack())
	x.lctx.Logger().Error("handler panicked", slog.Any("panic", v), slog.String("stack", stack))
	if x.w.started() {
		panic(http.ErrAbortHandler) // the client got a partial body: cut the connection
	}
	p := problemFor(&Error{Status: http.StatusInternalServerError, Code: "panic", Detail: "the handler failed unexpectedly"},
		x.req.r.URL.Path, x.lctx.RequestID(), false)
	if a.global.Dev() {
		p.Detail, p.Stack = fmt.Sprint("panic: ", v), stack
	}
	x.res.written = true
	writeProblem(x.res.w, p)
}

// writeError writes err as problem+json, or logs it when the response is
// already under way.
func (a *App) writeError(x *exchange, err error) {
	err = contextError(err)
	status := StatusOf(err)
	started := x.res.written || x.w.started()
	switch {
	case CodeOf(err) == errTimedOut.Code:
		if !started { // else the watchdog answered, counted and logged it
			x.lctx.Logger().Warn("request timed out", slog.Any("error", err))
			if rt := x.lctx.route; rt != nil {
				rt.metrics.timedOut()
			}
		}
	case status >= 500:
		x.lctx.Logger().Error("request failed", slog.Int("status", status), slog.Any("error", err))
	case started && status != statusClientClosed:
		x.lctx.Logger().Warn("error after the response started", slog.Any("error", err))
	}
	if started {
		return
	}
	p := problemFor(err, x.req.r.URL.Path, x.lctx.RequestID(), a.global.Dev())
	x.res.written = true
	writeProblem(x.res.w, p)
}

// statusClientClosed is recorded for requests whose client went away
// before the answer (nginx's 499); no client ever sees it.
const statusClientClosed = 499

// contextError gives the context's errors their statuses: a deadline that
// passed is the request timeout (503), never a 500; a cancelled context
// means the client went away or the app is stopping.
func contextError(err error) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return err
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: errTimedOut.Status, Code: errTimedOut.Code, Detail: errTimedOut.Detail, Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Status: statusClientClosed, Code: "client_closed_request",
			Detail: "the request was cancelled before it was answered", Err: err}
	}
	return err
}

// finish records metrics and the access log, runs cleanups and returns
// the exchange to the pool.
func (a *App) finish(x *exchange) {
	status, size, timedOut := x.disarmDeadline()
	if timedOut {
		a.http.overrunning.Add(-1)
	}
	a.http.inflight.Add(-1)
	took := time.Since(x.lctx.start)
	rt := x.lctx.route
	m := a.noRoute
	if rt != nil {
		m = rt.metrics
	}
	m.observe(status, took)
	if a.logAccess && (rt == nil || !rt.builtin) {
		a.accessLog(x, status, size, took)
	}
	x.lctx.runCleanups()
	if x.stream != nil {
		a.streams.remove(x)
	}
	x.reset()
	a.pool.Put(x)
}

func (a *App) accessLog(x *exchange, status int, size int64, took time.Duration) {
	x.lctx.Logger().LogAttrs(x.base, slog.LevelInfo, "request",
		slog.String("method", x.req.r.Method), slog.String("path", x.req.r.URL.Path),
		slog.Int("status", status), slog.Int64("bytes", size), slog.Duration("took", took))
}

func (x *exchange) reset() {
	if x.handedOut { // most requests make none: skip the locked add
		x.gen.Add(1) // contexts handed out for this request lose their Local
		x.handedOut = false
	}
	x.req.r, x.req.body, x.req.bodyRead, x.req.query, x.req.queryErrs, x.req.queryChecked, x.req.queryPlain, x.req.readDeadline = nil, nil, false, nil, nil, false, false, false
	if x.req.bodyLate.Load() { // a load is a plain read; a store is a locked instruction
		x.req.bodyLate.Store(false)
	}
	x.req.params.Reset()
	x.res = Response{ex: x}
	x.w.reset()
	x.base, x.cur, x.out, x.deadline, x.cancelDeadline, x.timedRoute = nil, nil, nil, time.Time{}, nil, nil
	x.stream, x.encoding = nil, false
	x.lctx.reset()
}

// sentID is the request id for a goroutine other than the handler's (the
// deadline watchdog): the client's, or the generated one formatted afresh,
// the same string Local.RequestID makes, without touching the Local.
func (x *exchange) sentID() string {
	if x.clientID != "" {
		return x.clientID
	}
	return requestID("", x.lctx.spanID(), nil)
}

// requestID accepts the caller's X-Request-Id when it is 1-128 safe
// characters, otherwise uses the server span id in hex, cut from ids (a
// nil arena allocates).
func requestID(h string, span uint64, ids *idArena) string {
	if validRequestID(h) {
		return h
	}
	var b []byte
	if ids == nil {
		b = make([]byte, 16)
	} else {
		b = ids.next()
	}
	const digits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b[i] = digits[span&0xf]
		span >>= 4
	}
	return unsafe.String(&b[0], 16)
}

// idArena hands out 16-byte spans of a larger buffer, so that generated
// request ids cost one allocation per idsPerChunk requests instead of one
// each. A span is written once, before its string exists, and never
// again; a kept id keeps its chunk alive.
type idArena []byte

const idsPerChunk = 64

func (a *idArena) next() []byte {
	if len(*a) < 16 {
		*a = make([]byte, 16*idsPerChunk)
	}
	b := (*a)[:16:16]
	*a = (*a)[16:]
	return b
}

func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}
