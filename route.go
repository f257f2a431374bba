package gati

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"time"
)

// route is one registered route and, once the app starts, its compiled
// serving chain.
type route struct {
	// What serving a request reads comes first (see App).
	serve            Handler      // the handler, or middleware and the version stage around it
	httpChain        http.Handler // per-route HTTP middleware around serve, or nil
	metrics          *routeMetrics
	bodyLimit        int64
	timeout          time.Duration // negative: none
	readTimeout      time.Duration // bounds reading the body; negative: none
	writeTimeout     time.Duration // bounds writing the response after the deadline; negative: none
	status           int
	ownWriteDeadline bool
	builtin          bool

	pattern string // as registered: "GET /users/{id}"
	method  string // "" matches any method
	path    string
	handler Handler
	name    string
	loc     string
	mw      []Middleware
	httpMW  []HTTPMiddleware
	stream  string   // "sse" or "websocket" when the handler answers with one (Streaming)
	until   string   // set on an older implementation: serves versions before this id
	older   []*route // older implementations of this route, oldest first
}

// RouteOption configures one route.
type RouteOption interface{ applyRoute(*route) }

type routeOption func(*route)

func (f routeOption) applyRoute(r *route) { f(r) }

// Status sets the success status a typed handler responds with.
func Status(code int) RouteOption { return routeOption(func(r *route) { r.status = code }) }

// Name names the route for tools and generated clients.
func Name(name string) RouteOption { return routeOption(func(r *route) { r.name = name }) }

// Streaming records that the route's raw handler answers with a stream:
// kind is "sse" (it calls Response.SSE) or "websocket" (a ws.Handler).
// gati build writes it from what the handler calls; the playground's
// explorer shows it, and offers its WebSocket tester on WebSocket routes.
// It changes nothing in how a request is served.
func Streaming(kind string) RouteOption { return routeOption(func(r *route) { r.stream = kind }) }

// Source records where the route is declared, for error messages and
// tools. Generated registration code passes the directive's position;
// programmatic registration records the caller automatically.
func Source(file string, line int) RouteOption {
	return routeOption(func(r *route) { r.loc = fmt.Sprintf("%s:%d", file, line) })
}

// Until marks an older implementation of a route: it serves requests
// resolved to versions before version (an id such as "2025-06-01"), for
// behaviour a version change cannot express as a translation. Register it
// with the same pattern as the current implementation; it speaks the API
// as it was just before version. It needs App.Versions.
func Until(version string) RouteOption { return routeOption(func(r *route) { r.until = version }) }

// BodyLimit sets the largest request body the route reads, in bytes.
func BodyLimit(n int64) RouteOption { return routeOption(func(r *route) { r.bodyLimit = n }) }

// Timeout sets the route's request timeout, instead of
// server.request_timeout: the request's context gets the deadline, and
// a client the handler has not started answering by then gets a 503
// problem+json (code "timeout") at the deadline, even when the handler
// ignores its context. A negative d turns the timeout off for the route.
func Timeout(d time.Duration) RouteOption { return routeOption(func(r *route) { r.timeout = d }) }

// ReadTimeout bounds reading the route's request body, from the start of
// the request, instead of server.read_timeout: a client that sends its
// body slower gets a 408 and loses the connection. Negative turns it off.
func ReadTimeout(d time.Duration) RouteOption {
	return routeOption(func(r *route) { r.readTimeout = d })
}

// WriteTimeout bounds writing the route's response, counted from its
// request timeout (from the request's start when there is none), instead
// of server.write_timeout: a client that reads slower loses the
// connection. Streams bound each write by it instead. Negative turns it
// off.
func WriteTimeout(d time.Duration) RouteOption {
	return routeOption(func(r *route) { r.writeTimeout = d })
}

// With adds Gati-native middleware to the route, inside global middleware.
func With(mw ...Middleware) RouteOption {
	return routeOption(func(r *route) { r.mw = append(r.mw, mw...) })
}

// WithHTTP adds net/http middleware to the route, after routing.
func WithHTTP(mw ...HTTPMiddleware) RouteOption {
	return routeOption(func(r *route) { r.httpMW = append(r.httpMW, mw...) })
}

// splitPattern splits "GET /users/{id}" into its method and path.
func splitPattern(pattern string) (method, path string, err error) {
	method, path, found := strings.Cut(strings.TrimSpace(pattern), " ")
	if !found {
		method, path = "", method
	}
	path = strings.TrimLeft(path, " \t")
	if method != "" && method != strings.ToUpper(method) {
		return "", "", fmt.Errorf("method %q must be upper case", method)
	}
	if !strings.HasPrefix(path, "/") {
		return "", "", fmt.Errorf("path %q must start with '/'", path)
	}
	return method, path, nil
}

// callerLoc returns "file:line" of the caller skip frames up, relative to
// the working directory when inside it.
func callerLoc(skip int) string {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		return "unknown"
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = rel
		}
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// RouteInfo describes a registered route, for tools and listings.
type RouteInfo struct {
	Method  string // "" means any method
	Path    string
	Pattern string
	Name    string
	Source  string // "file:line" of the declaration
	Status  int    // success status of a typed handler; 0 means 200
	BuiltIn bool   // served by the framework (health, metrics)
	// In and Out are a typed handler's request and response types; nil
	// for raw handlers.
	In, Out reflect.Type
}

func (r *route) info() RouteInfo {
	ri := RouteInfo{Method: r.method, Path: r.path, Pattern: r.pattern, Name: r.name,
		Source: r.loc, Status: r.status, BuiltIn: r.builtin}
	if th, ok := r.handler.(TypedHandler); ok {
		ri.In, ri.Out = th.Types()
	}
	return ri
}
