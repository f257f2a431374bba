// Package playground holds the playground's web UI, embedded in the
// module so an app serves it with no front-end build and no Node.js, and
// the pieces of its HTTP API that do not need the app: serving the
// assets, checking a request's credentials, and the JSON the route
// explorer reads. The gati package mounts it at /_playground/.
package playground

import (
	"crypto/subtle"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Assets are the UI's files: index.html, app.js and style.css, and the
// script sandbox, sandbox.js with its worker sandbox-worker.js.
var Assets, _ = fs.Sub(static, "static")

// Content-Security-Policy headers of the assets.
const (
	// PageCSP is every asset's but the sandbox worker's. Pages load
	// only the playground's own files, and may call other origins (the
	// OAuth token endpoints of the app's identity provider).
	PageCSP = "default-src 'self'; img-src 'self' data:; connect-src 'self' http: https: ws: wss:; frame-ancestors 'none'"
	// WorkerCSP is the sandbox worker's, which runs the user's pre- and
	// post-request scripts: the browser refuses every load from it
	// (fetch, XMLHttpRequest, WebSocket, EventSource, importScripts,
	// import(), fonts, nested workers), and lets it only compile the
	// user's code with eval.
	WorkerCSP = "default-src 'none'; script-src 'unsafe-eval'"
	// SandboxWorker is the worker's asset name.
	SandboxWorker = "sandbox-worker.js"
)

// CSP returns the Content-Security-Policy the asset name is served with.
func CSP(name string) string {
	if name == SandboxWorker {
		return WorkerCSP
	}
	return PageCSP
}

// ServeAsset writes the asset name ("" means index.html), or 404.
func ServeAsset(w http.ResponseWriter, r *http.Request, name string) {
	if name == "" {
		name = "index.html"
	}
	if _, err := fs.Stat(Assets, name); err != nil || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", CSP(name))
	http.ServeFileFS(w, r, Assets, name)
}

// Realm is the HTTP Basic realm a 401 names.
const Realm = "gati playground"

// Authorized reports whether r carries token as a Bearer token or as the
// password of HTTP Basic authentication (any user name). The comparison
// takes the same time whatever the mismatch.
func Authorized(r *http.Request, token string) bool {
	if token == "" {
		return false
	}
	got, ok := "", false
	if _, pass, basic := r.BasicAuth(); basic {
		got, ok = pass, true
	} else if scheme, cred, found := strings.Cut(r.Header.Get("Authorization"), " "); found && strings.EqualFold(scheme, "Bearer") {
		got, ok = strings.TrimSpace(cred), true
	}
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// Routes is the body of GET /_playground/api/routes.
type Routes struct {
	App string `json:"app"`
	Env string `json:"env"`
	// WSRelay reports whether the app serves the WebSocket relay (it
	// imports gati.dev/gati/ws); without it the UI offers no WebSocket
	// tester.
	WSRelay  bool      `json:"wsRelay"`
	Routes   []Route   `json:"routes"`
	Versions *Versions `json:"versions,omitempty"`
}

// Route is one route of the app, as the explorer shows it.
type Route struct {
	Method     string         `json:"method"` // "" means any method
	Path       string         `json:"path"`
	Pattern    string         `json:"pattern"`
	Kind       string         `json:"kind"` // typed, raw, or a raw handler's stream: sse or websocket
	Source     string         `json:"source"`
	Handler    string         `json:"handler,omitempty"`
	Name       string         `json:"name,omitempty"`
	Status     int            `json:"status"`
	Timeout    string         `json:"timeout,omitempty"` // "none" when off
	Middleware []string       `json:"middleware,omitempty"`
	Params     []Param        `json:"params,omitempty"`
	Request    any            `json:"request,omitempty"`  // JSON Schema of the body
	Response   any            `json:"response,omitempty"` // JSON Schema of the answer
	Older      []OlderVersion `json:"older,omitempty"`
}

// Param is a typed route's path, query or header parameter.
type Param struct {
	In       string `json:"in"`
	Name     string `json:"name"`
	Required bool   `json:"required,omitempty"`
}

// OlderVersion is an older implementation of a route: it serves the
// versions before Until.
type OlderVersion struct {
	Until  string `json:"until"`
	Source string `json:"source"`
}

// Versions are the app's API versions, newest first.
type Versions struct {
	Head     string    `json:"head"`
	Default  string    `json:"default"`
	Versions []Version `json:"versions"`
}

// Version is one API version.
type Version struct {
	ID         string     `json:"id"`
	Semver     string     `json:"semver,omitempty"`
	Status     string     `json:"status"` // active, deprecated or sunset
	Deprecated *time.Time `json:"deprecated,omitempty"`
	Sunset     *time.Time `json:"sunset,omitempty"`
	// Routes are the patterns of the routes the version changed.
	Routes []string `json:"routes,omitempty"`
}

// RelayFunc serves one request to the WebSocket relay: it answers through
// hijack, or returns an error (a *gati.Error) for the app to answer with,
// setting header's values first when it does.
type RelayFunc func(r *http.Request, hijack func() (http.ResponseWriter, error), header http.Header, log *slog.Logger) error

// WSRelay makes an app's WebSocket relay, given the channel closed when
// the app begins to shut down. Package gati.dev/gati/ws sets it when
// imported; nil means the app has no relay, and the route list says so.
var WSRelay func(stopping <-chan struct{}) RelayFunc
