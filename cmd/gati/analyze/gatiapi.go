package analyze

import (
	"go/types"

	"golang.org/x/tools/go/packages"

	"gati.dev/gati/manifest"
)

// gatiPath is the import path of the runtime package.
const gatiPath = "gati.dev/gati"

// gatiAPI holds the types of package gati that directives are checked
// against, as the app's own packages see them.
type gatiAPI struct {
	rawHandler     types.Type // underlying type of gati.HandlerFunc
	global, local  types.Type // *gati.Global, *gati.Local
	middleware     types.Type // underlying type of gati.Middleware
	httpMiddleware types.Type // gati.HTTPMiddleware, func(http.Handler) http.Handler
	module         *types.Interface
	optional       map[string]*types.Interface // Initializer, Shutdowner, HealthChecker
}

// optionalModuleIfaces are the interfaces a module may implement besides
// gati.Module, in the order the manifest lists them.
var optionalModuleIfaces = []string{"HealthChecker", "Initializer", "Shutdowner"}

// findGatiAPI returns gati's types as imported by the app, or nil when no
// app package imports gati.
func findGatiAPI(pkgs []*packages.Package) *gatiAPI {
	for _, p := range pkgs {
		if p.Types == nil {
			continue
		}
		for _, imp := range p.Types.Imports() {
			if imp.Path() == gatiPath {
				return newGatiAPI(imp.Scope())
			}
		}
	}
	return nil
}

func newGatiAPI(s *types.Scope) *gatiAPI {
	typ := func(name string) types.Type {
		if obj, ok := s.Lookup(name).(*types.TypeName); ok {
			return obj.Type()
		}
		return types.Typ[types.Invalid]
	}
	iface := func(name string) *types.Interface {
		i, _ := typ(name).Underlying().(*types.Interface)
		return i
	}
	api := &gatiAPI{
		rawHandler:     typ("HandlerFunc").Underlying(),
		global:         types.NewPointer(typ("Global")),
		local:          types.NewPointer(typ("Local")),
		middleware:     typ("Middleware").Underlying(),
		httpMiddleware: types.Unalias(typ("HTTPMiddleware")),
		module:         iface("Module"),
		optional:       map[string]*types.Interface{},
	}
	for _, name := range optionalModuleIfaces {
		api.optional[name] = iface(name)
	}
	return api
}

// isRaw reports whether sig is a raw handler, gati.HandlerFunc.
func (api *gatiAPI) isRaw(sig *types.Signature) bool {
	return api != nil && types.Identical(sig, api.rawHandler)
}

// typedIO returns the In and Out types of a typed handler,
// func(*gati.Global, *gati.Local, In) (Out, error).
func (api *gatiAPI) typedIO(sig *types.Signature) (in, out types.Type, ok bool) {
	if api == nil || sig.TypeParams().Len() > 0 || sig.Variadic() {
		return nil, nil, false
	}
	ps, rs := sig.Params(), sig.Results()
	if ps.Len() != 3 || rs.Len() != 2 ||
		!types.Identical(ps.At(0).Type(), api.global) ||
		!types.Identical(ps.At(1).Type(), api.local) ||
		!types.Identical(rs.At(1).Type(), types.Universe.Lookup("error").Type()) {
		return nil, nil, false
	}
	return ps.At(2).Type(), rs.At(0).Type(), true
}

// middlewareKind returns the kind of a middleware signature, or "" for
// anything else.
func (api *gatiAPI) middlewareKind(sig *types.Signature) manifest.MiddlewareKind {
	switch {
	case api == nil:
		return ""
	case types.Identical(sig, api.middleware):
		return manifest.Native
	case types.Identical(sig, api.httpMiddleware):
		return manifest.HTTP
	}
	return ""
}
