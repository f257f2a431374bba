package gati

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORSConfig configures [CORS]. The zero value allows simple and
// preflighted requests from any origin, without credentials, with the
// defaults below.
type CORSConfig struct {
	// AllowedOrigins are the origins allowed to call the API, as browsers
	// send them: "https://app.example.com" (scheme, host and port; compared
	// ignoring case). "*" allows any origin. Default: "*".
	AllowedOrigins []string
	// AllowOriginFunc, when set, is asked about origins AllowedOrigins
	// does not list.
	AllowOriginFunc func(origin string) bool
	// AllowedMethods are the methods a preflight may ask for. Default:
	// GET, HEAD, POST, PUT, PATCH, DELETE.
	AllowedMethods []string
	// AllowedHeaders are the request headers a preflight may ask for,
	// compared ignoring case; "*" allows any. Default: Accept,
	// Authorization, Content-Type, X-API-Version, X-Request-Id. The
	// generated TypeScript client sends X-API-Version and X-Request-Id
	// with every call: a list of your own needs them for its calls.
	AllowedHeaders []string
	// ExposedHeaders are the response headers scripts may read besides
	// the CORS-safelisted ones. Default: X-API-Version, Deprecation,
	// Sunset, Link, X-Request-Id, so clients see the version they got,
	// deprecation notices and the request id to report.
	ExposedHeaders []string
	// AllowCredentials lets browsers send cookies and HTTP
	// authentication, and scripts read the response. It requires listed
	// origins: with "*" every site could act as the user, so CORS panics.
	AllowCredentials bool
	// MaxAge is how long browsers may cache a preflight's answer. Default
	// 10 minutes; negative leaves the header out (browsers use 5s).
	MaxAge time.Duration
}

// CORS returns HTTP middleware implementing Cross-Origin Resource Sharing
// (the Fetch standard) as cfg says. Register it with [App.UseHTTP]: it
// then runs before routing, so it answers preflights (OPTIONS with
// Access-Control-Request-Method) for every path with 204, including
// paths that would be 404 or 405, and never passes them on. Other
// requests go to next; those from an allowed origin get
// Access-Control-Allow-Origin and Access-Control-Expose-Headers. Every
// response says Vary: Origin, so caches keep answers per origin.
//
//	app.UseHTTP(gati.CORS(gati.CORSConfig{
//		AllowedOrigins: []string{"https://app.example.com"},
//	}))
func CORS(cfg CORSConfig) HTTPMiddleware {
	c := newCORS(cfg)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				c.preflight(w, r)
				return
			}
			c.actual(w, r)
			next.ServeHTTP(w, r)
		})
	}
}

// cors is a CORSConfig with defaults applied, ready for requests.
type cors struct {
	anyOrigin   bool
	origins     []string // lower case
	originFunc  func(string) bool
	methods     []string
	methodsList string
	anyHeader   bool
	headers     []string // lower case
	exposed     string
	credentials bool
	maxAge      string // seconds, or "" for no header
}

func newCORS(cfg CORSConfig) *cors {
	c := &cors{
		originFunc:  cfg.AllowOriginFunc,
		methods:     orDefault(cfg.AllowedMethods, []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}),
		exposed:     strings.Join(orDefault(cfg.ExposedHeaders, []string{"X-API-Version", "Deprecation", "Sunset", "Link", "X-Request-Id"}), ", "),
		credentials: cfg.AllowCredentials,
	}
	c.methodsList = strings.Join(c.methods, ", ")
	origins := cfg.AllowedOrigins
	if len(origins) == 0 && cfg.AllowOriginFunc == nil {
		origins = []string{"*"}
	}
	for _, o := range origins {
		if o == "*" {
			c.anyOrigin = true
		}
		c.origins = append(c.origins, strings.ToLower(o))
	}
	if c.anyOrigin && c.credentials {
		panic(`gati: CORS: AllowCredentials with AllowedOrigins "*" would let every site act as the user; list the origins`)
	}
	for _, h := range orDefault(cfg.AllowedHeaders, []string{"Accept", "Authorization", "Content-Type", "X-API-Version", "X-Request-Id"}) {
		if h == "*" {
			c.anyHeader = true
		}
		c.headers = append(c.headers, strings.ToLower(h))
	}
	switch {
	case cfg.MaxAge == 0:
		c.maxAge = "600"
	case cfg.MaxAge > 0:
		c.maxAge = strconv.Itoa(int(cfg.MaxAge / time.Second))
	}
	return c
}

func orDefault(v, def []string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}

// allowOrigin returns the Access-Control-Allow-Origin value for origin,
// or "" when it is not allowed.
func (c *cors) allowOrigin(origin string) string {
	switch {
	case origin == "":
		return ""
	case c.anyOrigin:
		return "*"
	case slices.Contains(c.origins, strings.ToLower(origin)):
		return origin
	case c.originFunc != nil && c.originFunc(origin):
		return origin
	}
	return ""
}

// actual adds the headers of a request that is not a preflight.
func (c *cors) actual(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	allow := c.allowOrigin(r.Header.Get("Origin"))
	if allow == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", allow)
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if c.exposed != "" {
		h.Set("Access-Control-Expose-Headers", c.exposed)
	}
}

// preflight answers an OPTIONS request with Access-Control-Request-Method:
// 204, with the Access-Control-Allow-* headers when the origin, method
// and headers are all allowed, without them (so the browser refuses the
// request) otherwise.
func (c *cors) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	allow := c.allowOrigin(r.Header.Get("Origin"))
	method := r.Header.Get("Access-Control-Request-Method")
	requested := requestedHeaders(r)
	if allow != "" && slices.Contains(c.methods, method) && c.allowHeaders(requested) {
		h.Set("Access-Control-Allow-Origin", allow)
		h.Set("Access-Control-Allow-Methods", c.methodsList)
		if len(requested) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
		}
		if c.credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if c.maxAge != "" {
			h.Set("Access-Control-Max-Age", c.maxAge)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// requestedHeaders splits Access-Control-Request-Headers, lower case.
func requestedHeaders(r *http.Request) []string {
	var out []string
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

func (c *cors) allowHeaders(requested []string) bool {
	if c.anyHeader {
		return true
	}
	for _, h := range requested {
		if !slices.Contains(c.headers, h) {
			return false
		}
	}
	return true
}
