package gati

import (
	"cmp"
	"errors"
	"net/http"
	"reflect"
	"runtime"
	"strings"

	"gati.dev/gati/internal/playground"
	"gati.dev/gati/schema"
)

// Paths of the playground, served when playground.enabled is on.
const (
	PathPlayground       = "/_playground/"
	PathPlaygroundRoutes = "/_playground/api/routes"
)

// errPlaygroundToken is why an app refuses to start with an unguarded
// playground outside development.
var errPlaygroundToken = errors.New("gati: playground.enabled is true outside the development environment, but playground.token is empty: set $GATI_PLAYGROUND_TOKEN (or playground.token), or turn playground.enabled off")

// registerPlayground mounts the playground when it is enabled. Outside
// development it needs a token, which every request must carry.
func (a *App) registerPlayground() {
	cfg := a.global.cfg
	pg := cfg.Playground
	if pg.Enabled == nil || !*pg.Enabled {
		return
	}
	token := pg.Token
	if cfg.Dev() {
		token = ""
	} else if token == "" {
		a.fail(errPlaygroundToken)
		return
	}
	builtin := []RouteOption{routeOption(func(r *route) { r.builtin, r.loc = true, "gati (built-in)" })}
	a.handle("GET "+PathPlaygroundRoutes, playgroundGate(token, a.servePlaygroundRoutes), "", builtin)
	a.handle("GET "+PathPlaygroundWS, playgroundGate(token, a.playgroundWS()), "", builtin)
	a.handle("GET "+PathPlayground+"{file...}", playgroundGate(token, servePlaygroundAsset), "", builtin)
	a.handle("GET /_playground", playgroundGate(token, func(req *Request, res *Response, _ *Global, _ *Local) error {
		w, err := res.Hijack()
		if err == nil {
			http.Redirect(w, req.r, PathPlayground, http.StatusMovedPermanently)
		}
		return err
	}), "", builtin)
}

// PathPlaygroundWS is the playground's WebSocket relay, which the
// WebSocket tester opens its sockets through: it is there when the app
// imports gati.dev/gati/ws (see docs/playground-websocket.md).
const PathPlaygroundWS = "/_playground/api/ws"

// playgroundWS serves the WebSocket relay package ws registered, or
// explains why there is none.
func (a *App) playgroundWS() HandlerFunc {
	if playground.WSRelay == nil {
		return func(*Request, *Response, *Global, *Local) error {
			return NewError(http.StatusNotImplemented, "playground_ws_unavailable",
				"this app has no WebSocket relay: it serves no WebSocket route (the relay comes with gati.dev/gati/ws)")
		}
	}
	relay := playground.WSRelay(a.stopping)
	return func(req *Request, res *Response, _ *Global, lctx *Local) error {
		return relay(req.r, res.Hijack, res.Header(), lctx.Logger())
	}
}

// playgroundGate lets through the requests that carry token; an empty
// token lets every request through.
func playgroundGate(token string, next HandlerFunc) HandlerFunc {
	if token == "" {
		return next
	}
	return func(req *Request, res *Response, g *Global, l *Local) error {
		if !playground.Authorized(req.r, token) {
			res.Header().Set("WWW-Authenticate", `Basic realm="`+playground.Realm+`", charset="UTF-8"`)
			return NewError(http.StatusUnauthorized, "playground_unauthorized",
				"the playground needs its token: send Authorization: Bearer <token>, or the token as the HTTP Basic password")
		}
		return next(req, res, g, l)
	}
}

func servePlaygroundAsset(req *Request, res *Response, _ *Global, _ *Local) error {
	w, err := res.Hijack()
	if err == nil {
		playground.ServeAsset(w, req.r, req.Param("file"))
	}
	return err
}

func (a *App) servePlaygroundRoutes(_ *Request, res *Response, _ *Global, _ *Local) error {
	res.Header().Set("Cache-Control", "no-store")
	return res.JSON(http.StatusOK, a.playgroundRoutes())
}

// playgroundRoutes describes the app's own routes, for the explorer.
func (a *App) playgroundRoutes() playground.Routes {
	cfg := a.global.cfg
	doc := playground.Routes{App: cfg.Name, Env: cfg.Env(), Routes: []playground.Route{}, WSRelay: playground.WSRelay != nil}
	for _, e := range a.table.Routes() {
		if rt := e.Value; !rt.builtin {
			doc.Routes = append(doc.Routes, rt.playgroundRoute())
		}
	}
	if a.versions != nil {
		doc.Versions = a.versions.playgroundVersions()
	}
	return doc
}

func (r *route) playgroundRoute() playground.Route {
	out := playground.Route{Method: r.method, Path: r.path, Pattern: r.pattern, Kind: cmp.Or(r.stream, "raw"),
		Source: r.loc, Name: r.name, Status: r.status, Handler: funcName(r.handler)}
	if out.Status == 0 {
		out.Status = http.StatusOK
	}
	switch {
	case r.timeout < 0:
		out.Timeout = "none"
	case r.timeout > 0:
		out.Timeout = r.timeout.String()
	}
	for _, mw := range r.mw {
		out.Middleware = append(out.Middleware, pcName(reflect.ValueOf(mw).Pointer()))
	}
	for _, old := range r.older {
		out.Older = append(out.Older, playground.OlderVersion{Until: old.until, Source: old.loc})
	}
	if th, ok := r.handler.(TypedHandler); ok {
		out.Kind = "typed"
		in, resp := th.Types()
		out.Params, out.Request = inputSchemas(in)
		if s, err := schema.For(resp); err == nil {
			out.Response = s
		}
	}
	return out
}

// inputSchemas returns a typed handler's parameters and the schema of its
// body, if it reads one.
func inputSchemas(in reflect.Type) ([]playground.Param, any) {
	var params []playground.Param
	if ps, err := schema.Params(in); err == nil {
		for _, p := range ps {
			params = append(params, playground.Param{In: p.In, Name: p.Name, Required: p.Required})
		}
	}
	b, err := newBinder(in)
	if err != nil || !b.hasBody || b.body == nil {
		return params, nil
	}
	return params, b.body
}

// funcName names h's function: "example.com/app/tasks.List".
func funcName(h Handler) string {
	switch h := h.(type) {
	case interface{ funcPC() uintptr }:
		return pcName(h.funcPC())
	case HandlerFunc:
		return pcName(reflect.ValueOf(h).Pointer())
	}
	return reflect.TypeOf(h).String()
}

func pcName(pc uintptr) string {
	if fn := runtime.FuncForPC(pc); fn != nil {
		return strings.TrimSuffix(fn.Name(), "-fm")
	}
	return ""
}

func (v *versioning) playgroundVersions() *playground.Versions {
	out := &playground.Versions{Head: v.set.Head().ID, Default: v.list[v.def].ID}
	for i := len(v.list) - 1; i >= 0; i-- { // newest first
		info := v.info(i)
		pv := playground.Version{ID: info.ID, Semver: info.Semver, Status: info.Status,
			Deprecated: info.Deprecated, Sunset: info.Sunset}
		for _, c := range info.Changes {
			pv.Routes = append(pv.Routes, c.Route)
		}
		out.Versions = append(out.Versions, pv)
	}
	return out
}
