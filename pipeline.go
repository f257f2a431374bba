package gati

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"gati.dev/gati/router"
)

// exchange is the per-request state, pooled so that serving a request
// allocates as little as possible.
type exchange struct {
	app   *App
	req   Request
	res   Response
	lctx  Local
	ridHd [1]string // backs the X-Request-Id header value

	stream context.CancelFunc // set while the response streams; see streamSet
}

func newExchange(a *App, logger *slog.Logger) *exchange {
	x := &exchange{app: a}
	x.lctx.base = logger
	x.lctx.ctx.l = &x.lctx
	x.lctx.ex = x
	x.res.ex = x
	return x
}

// ServeHTTP serves one request through the pipeline: HTTP middleware,
// routing, Gati middleware, handler, error and panic handling, metrics.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.started.Load() {
		writeProblem(w, problemFor(NewError(http.StatusServiceUnavailable, "not_started",
			"the app has not started: call Start or Run before serving"), r.URL.Path, "", false))
		return
	}
	a.entry.ServeHTTP(w, r)
}

// compile builds each route's serving chain and the app's entry handler.
func (a *App) compile() {
	for _, e := range a.table.Routes() {
		a.compileRoute(e.Value)
	}
	a.entry = chainHTTP(http.HandlerFunc(a.dispatch), a.httpMW)
}

func (a *App) compileRoute(rt *route) {
	handler := HandlerFunc(rt.handler.ServeGati)
	if a.versions != nil && !rt.builtin {
		handler = a.versions.stage(rt, handler)
	}
	rt.serve = chain(handler, append(a.mw[:len(a.mw):len(a.mw)], rt.mw...))
	if rt.builtin {
		rt.serve = handler
	}
	if rt.bodyLimit == 0 {
		rt.bodyLimit = int64(a.global.cfg.Server.BodyLimit)
	}
	if rt.timeout == 0 {
		rt.timeout = a.global.cfg.Server.RequestTimeout
	}
	rt.metrics = a.http.forRoute(rt.method, rt.path)
	if len(rt.httpMW) > 0 {
		rt.httpChain = chainHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l, _ := LocalFrom(r.Context())
			x := l.ex
			x.req.r, x.res.w, x.res.r = r, w, r
			a.invoke(x, rt)
		}), rt.httpMW)
	}
}

// dispatch routes the request and serves it.
func (a *App) dispatch(w http.ResponseWriter, r *http.Request) {
	x := a.pool.Get().(*exchange)
	x.begin(w, r)
	a.http.inflight.Add(1)
	rt, found := a.table.Lookup(r.Method, r.URL.Path, &x.req.params)
	switch found {
	case router.Found:
		a.serveRoute(x, rt)
	case router.MethodNotAllowed:
		w.Header().Set("Allow", strings.Join(a.table.Allowed(r.URL.Path), ", "))
		a.writeError(x, NewError(http.StatusMethodNotAllowed, "method_not_allowed",
			fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)))
	default:
		a.writeError(x, NewError(http.StatusNotFound, "not_found", fmt.Sprintf("no route matches %s", r.URL.Path)))
	}
	a.finish(x)
}

func (x *exchange) begin(w http.ResponseWriter, r *http.Request) {
	x.req.r, x.res.w, x.res.r = r, w, r
	x.lctx.start = time.Now()
	x.lctx.ctx.Context = r.Context()
	x.lctx.span = rand.Uint64() | 1
	x.lctx.requestID = requestID(headerValue(r.Header, "X-Request-Id"), x.lctx.span)
	x.ridHd[0] = x.lctx.requestID
	w.Header()["X-Request-Id"] = x.ridHd[:1:1]
}

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
		ctx, cancel := context.WithTimeout(x.lctx.ctx.Context, rt.timeout)
		defer cancel()
		x.lctx.ctx.Context = ctx
	}
	if rt.httpChain != nil {
		rt.httpChain.ServeHTTP(x.res.w, x.req.r.WithContext(x.lctx.Context()))
		return
	}
	a.invoke(x, rt)
}

// invoke calls the route's chain, turning a returned error or a panic into
// a problem response. The server keeps serving either way.
func (a *App) invoke(x *exchange, rt *route) {
	defer a.recoverPanic(x)
	err := rt.serve(&x.req, &x.res, a.global, &x.lctx)
	switch {
	case err != nil:
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
	if x.res.written {
		panic(http.ErrAbortHandler) // the client got a partial body: cut the connection
	}
	p := problemFor(&Error{Status: http.StatusInternalServerError, Code: "panic", Detail: "the handler failed unexpectedly"},
		x.req.r.URL.Path, x.lctx.requestID, false)
	if a.global.Dev() {
		p.Detail, p.Stack = fmt.Sprint("panic: ", v), stack
	}
	x.res.written, x.res.status = true, p.Status
	x.res.size = int64(writeProblem(x.res.w, p))
}

// writeError writes err as problem+json, or logs it when the response is
// already under way.
func (a *App) writeError(x *exchange, err error) {
	status := StatusOf(err)
	if status >= 500 && !errors.Is(err, context.Canceled) {
		x.lctx.Logger().Error("request failed", slog.Int("status", status), slog.Any("error", err))
	}
	if x.res.written {
		if status < 500 {
			x.lctx.Logger().Warn("error after the response started", slog.Any("error", err))
		}
		return
	}
	p := problemFor(err, x.req.r.URL.Path, x.lctx.requestID, a.global.Dev())
	x.res.written, x.res.status = true, p.Status
	x.res.size = int64(writeProblem(x.res.w, p))
}

// finish records metrics and the access log, runs cleanups and returns
// the exchange to the pool.
func (a *App) finish(x *exchange) {
	a.http.inflight.Add(-1)
	took := time.Since(x.lctx.start)
	rt := x.lctx.route
	m := a.noRoute
	if rt != nil {
		m = rt.metrics
	}
	m.observe(x.res.status, took)
	if *a.global.cfg.Log.Access && (rt == nil || !rt.builtin) {
		a.accessLog(x, took)
	}
	x.lctx.runCleanups()
	if x.stream != nil {
		a.streams.remove(x)
	}
	x.reset()
	a.pool.Put(x)
}

func (a *App) accessLog(x *exchange, took time.Duration) {
	x.lctx.Logger().LogAttrs(x.lctx.Context(), slog.LevelInfo, "request",
		slog.String("method", x.req.r.Method), slog.String("path", x.req.r.URL.Path),
		slog.Int("status", x.res.status), slog.Int64("bytes", x.res.size), slog.Duration("took", took))
}

func (x *exchange) reset() {
	x.req.r, x.req.body, x.req.bodyRead, x.req.query = nil, nil, false, nil
	x.req.params.Reset()
	x.res = Response{ex: x}
	x.stream = nil
	x.lctx.reset()
}

// requestID accepts the caller's X-Request-Id when it is 1-128 safe
// characters, otherwise uses the server span id in hex.
func requestID(h string, span uint64) string {
	if validRequestID(h) {
		return h
	}
	var b [16]byte
	const digits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b[i] = digits[span&0xf]
		span >>= 4
	}
	return string(b[:])
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
