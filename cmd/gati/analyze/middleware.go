package analyze

import (
	"go/types"

	"gati.dev/gati/manifest"
)

// collectMiddleware checks the //gati:middleware directives and records
// them by name.
func (a *analysis) collectMiddleware(ds []*directive) {
	a.middleware = map[string]manifest.Middleware{}
	a.declared = map[string]bool{}
	for _, d := range ds {
		if mw, ok := a.middlewareOf(d); ok {
			a.addMiddleware(d, mw)
		}
	}
}

func (a *analysis) middlewareOf(d *directive) (manifest.Middleware, bool) {
	global, ok := a.middlewareArgs(d)
	fd, fn, isFunc := a.funcOf(d)
	if isFunc {
		a.declared[fd.Name.Name] = true
	}
	if !ok || !isFunc {
		return manifest.Middleware{}, false
	}
	sig := fn.Type().(*types.Signature)
	kind := a.api.middlewareKind(sig)
	if kind == "" {
		a.rep.at(d.pos, "middleware %s has type %s; want func(gati.HandlerFunc) gati.HandlerFunc (gati.Middleware) or func(http.Handler) http.Handler",
			fd.Name.Name, typeString(sig))
		return manifest.Middleware{}, false
	}
	return manifest.Middleware{
		Name: fd.Name.Name, Kind: kind, Global: global,
		Package: d.pkg.PkgPath, Func: fd.Name.Name, File: a.relFile(d), Line: d.line,
	}, true
}

// middlewareArgs reads the only option, global.
func (a *analysis) middlewareArgs(d *directive) (global, ok bool) {
	ok = true
	for _, w := range d.args {
		if w.text == "global" && !global {
			global = true
			continue
		}
		a.rep.at(w.pos, "unknown //gati:middleware option %q; the only option is global", w.text)
		ok = false
	}
	return global, ok
}

func (a *analysis) addMiddleware(d *directive, mw manifest.Middleware) {
	if old, dup := a.middleware[mw.Name]; dup {
		a.rep.at(d.pos, "middleware %s is also declared at %s:%d; middleware is named by its func name, which must be unique in the app",
			mw.Name, old.File, old.Line)
		return
	}
	a.mws = append(a.mws, mw)
	a.middleware[mw.Name] = mw
}
