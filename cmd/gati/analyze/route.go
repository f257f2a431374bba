package analyze

import (
	"errors"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"gati.dev/gati/manifest"
	"gati.dev/gati/router"
)

// routeChecker checks the //gati:route directives against each other.
type routeChecker struct {
	table router.Table[struct{}] // finds bad patterns and conflicts
	names map[string]string      // route name= to its location
	// older holds one table per until= version: an older implementation
	// sits beside the current route, and conflicts only with another
	// implementation for the same versions.
	older map[string]*router.Table[struct{}]
}

// collectRoutes checks the //gati:route directives and records the routes.
func (a *analysis) collectRoutes(ds []*directive) {
	rc := &routeChecker{names: map[string]string{}, older: map[string]*router.Table[struct{}]{}}
	for _, d := range ds {
		if r, ok := a.routeOf(d, rc); ok {
			a.routes = append(a.routes, r)
		}
	}
}

// routeOf checks one directive, reporting every problem it has.
func (a *analysis) routeOf(d *directive, rc *routeChecker) (manifest.Route, bool) {
	target, ok := a.routeTarget(d)
	opts, optsOK := a.routeOptions(d, d.args[min(2, len(d.args)):])
	if ok && !a.checkPattern(d, target, rc.tableFor(opts.until)) {
		target.path.text, ok = "", false // not checked against the handler's fields
	}
	r := manifest.Route{File: a.relFile(d), Line: d.line}
	fd, fn, isFunc := a.funcOf(d)
	if isFunc {
		r.Handler = manifest.Handler{Package: d.pkg.PkgPath, Func: fd.Name.Name}
		isFunc = a.checkHandler(d, fn, target.path.text, &r)
		if r.Handler.Kind == manifest.Raw {
			r.Handler.Stream = streamOf(fd, d.pkg.TypesInfo)
		}
		r.Doc = strings.TrimSpace(fd.Doc.Text())
	}
	if !ok || !optsOK || !isFunc || !a.checkName(d, opts.name, rc) {
		return manifest.Route{}, false
	}
	r.Method, r.Path, r.Pattern = target.method.text, target.path.text, target.method.text+" "+target.path.text
	r.Status, r.Name, r.Middleware, r.Until = opts.status, opts.name, opts.use, opts.until
	r.Timeout, r.ReadTimeout, r.WriteTimeout = opts.timeout, opts.read, opts.write
	return r, true
}

// tableFor returns the conflict table of the current routes, or of the
// older implementations until that version.
func (rc *routeChecker) tableFor(until string) *router.Table[struct{}] {
	if until == "" {
		return &rc.table
	}
	if rc.older[until] == nil {
		rc.older[until] = &router.Table[struct{}]{}
	}
	return rc.older[until]
}

// routeTarget is the method and path of a route directive.
type routeTarget struct {
	method, path word
}

func (a *analysis) routeTarget(d *directive) (routeTarget, bool) {
	const example = "as in //gati:route GET /users/{id}"
	switch {
	case len(d.args) == 0:
		a.rep.at(d.pos, "//gati:route needs a method and a path, %s", example)
		return routeTarget{}, false
	case strings.HasPrefix(d.args[0].text, "/"):
		a.rep.at(d.args[0].pos, "//gati:route is missing the method before %s, %s", d.args[0].text, example)
		return routeTarget{}, false
	case len(d.args) == 1:
		a.rep.at(d.pos, "//gati:route %s is missing the path, %s", d.args[0].text, example)
		return routeTarget{}, false
	case d.args[0].text != strings.ToUpper(d.args[0].text):
		a.rep.at(d.args[0].pos, "method %s must be upper case: %s", d.args[0].text, strings.ToUpper(d.args[0].text))
		return routeTarget{}, false
	}
	return routeTarget{method: d.args[0], path: d.args[1]}, true
}

// checkPattern adds the route to the table, which reports bad patterns and
// conflicts with routes added before.
func (a *analysis) checkPattern(d *directive, t routeTarget, table *router.Table[struct{}]) bool {
	err := table.Add(t.method.text, t.path.text, struct{}{}, a.rep.loc(d.pos))
	var perr *router.PatternError
	var cerr *router.ConflictError
	switch {
	case errors.As(err, &perr):
		a.rep.at(t.offsetPos(perr.Offset), "bad pattern %q: %s", perr.Pattern, perr.Msg)
	case errors.As(err, &cerr):
		a.rep.at(d.pos, "route %q conflicts with %q declared at %s: both match the same paths",
			t.method.text+" "+cerr.Pattern, t.method.text+" "+cerr.Existing, cerr.ExistingLoc)
	case err != nil:
		a.rep.at(d.pos, "%v", err)
	}
	return err == nil
}

// offsetPos turns an offset into "METHOD /path" into a position in the
// directive.
func (t routeTarget) offsetPos(off int) token.Pos {
	if off <= len(t.method.text) {
		return t.method.pos + token.Pos(off)
	}
	return t.path.pos + token.Pos(off-len(t.method.text)-1)
}

func (a *analysis) checkName(d *directive, name string, rc *routeChecker) bool {
	if name == "" {
		return true
	}
	if loc, dup := rc.names[name]; dup {
		a.rep.at(d.pos, "route name %s is also used by the route at %s", name, loc)
		return false
	}
	rc.names[name] = a.rep.loc(d.pos)
	return true
}

// checkHandler checks the handler's signature and, for a typed handler,
// that its request type has a path field for every path parameter.
func (a *analysis) checkHandler(d *directive, fn *types.Func, path string, r *manifest.Route) bool {
	sig := fn.Type().(*types.Signature)
	if a.api.isRaw(sig) {
		r.Handler.Kind = manifest.Raw
		return true
	}
	in, out, ok := a.api.typedIO(sig)
	if !ok {
		a.rep.at(d.pos, "handler %s has signature %s; want the raw form %s or the typed form %s",
			fn.Name(), typeString(sig),
			"func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error",
			"func(*gati.Global, *gati.Local, In) (Out, error)")
		return false
	}
	r.Handler.Kind = manifest.Typed
	r.Request, r.Response = typeRef(in, true), typeRef(out, false)
	ok = a.schemas(d, r.Request, r.Response, in, out)
	if path == "" { // missing or bad, and reported
		return ok
	}
	return a.checkPathFields(d, path, in) && ok
}

// checkPathFields matches the pattern's wildcards with the request type's
// fields tagged path:"name".
func (a *analysis) checkPathFields(d *directive, path string, in types.Type) bool {
	fields := map[string]string{} // parameter name to Go field name
	for _, f := range requestFields(in) {
		if f.Source == manifest.SourcePath {
			fields[f.Param] = f.Name
		}
	}
	ok := true
	wild := map[string]bool{}
	for _, name := range wildcards(path) {
		wild[name] = true
		if _, has := fields[name]; !has {
			a.rep.at(d.pos, "path parameter {%s} has no field in %s tagged `path:%q`", name, typeString(in), name)
			ok = false
		}
	}
	for _, param := range slices.Sorted(maps.Keys(fields)) {
		if !wild[param] {
			a.rep.at(d.pos, "field %s.%s is tagged `path:%q` but the pattern %s has no {%s}", typeString(in), fields[param], param, path, param)
			ok = false
		}
	}
	return ok
}

// wildcards returns the names of a valid pattern's wildcards.
func wildcards(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") || seg == "{$}" {
			continue
		}
		names = append(names, strings.TrimSuffix(seg[1:len(seg)-1], "..."))
	}
	return names
}

// streamOf recognizes a raw handler that streams: a call to
// Response.SSE or to ws.Handler in its body.
func streamOf(fd *ast.FuncDecl, info *types.Info) manifest.StreamKind {
	if fd.Body == nil || info == nil {
		return ""
	}
	var kind manifest.StreamKind
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || kind != "" {
			return kind == ""
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		fn, ok := info.Uses[sel.Sel].(*types.Func)
		if !ok || fn.Pkg() == nil {
			return true
		}
		switch {
		case fn.Pkg().Path() == gatiPath && fn.Name() == "SSE" && fn.Type().(*types.Signature).Recv() != nil:
			kind = manifest.StreamSSE
		case fn.Pkg().Path() == gatiPath+"/ws" && fn.Name() == "Handler":
			kind = manifest.StreamWebSocket
		}
		return true
	})
	return kind
}
