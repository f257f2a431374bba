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
	"net/http"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Assets are the UI's files: index.html, app.js and style.css.
var Assets, _ = fs.Sub(static, "static")

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
	w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' http: https: ws: wss:; img-src 'self' data:; frame-ancestors 'none'")
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
	App      string    `json:"app"`
	Env      string    `json:"env"`
	Routes   []Route   `json:"routes"`
	Versions *Versions `json:"versions,omitempty"`
}

// Route is one route of the app, as the explorer shows it.
type Route struct {
	Method     string         `json:"method"` // "" means any method
	Path       string         `json:"path"`
	Pattern    string         `json:"pattern"`
	Kind       string         `json:"kind"` // typed or raw
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
