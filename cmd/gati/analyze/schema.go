package analyze

import (
	"errors"
	"go/types"
	"strings"

	"gati.dev/gati/cmd/gati/analyze/staticschema"
	"gati.dev/gati/manifest"
)

// schemaConfig is the static schema configuration for the app: enums are
// the named types of the app's own packages, type-checked from source,
// with constants, as the generated code registers them.
func (a *analysis) schemaConfig() *staticschema.Config {
	if a.schemaCfg == nil {
		app := map[string]bool{}
		for _, p := range a.pkgs {
			app[p.PkgPath] = true
		}
		a.schemaCfg = &staticschema.Config{Enums: func(p *types.Package) bool { return app[p.Path()] }}
	}
	return a.schemaCfg
}

// schemas fills in the JSON Schemas of a typed route's request and
// response types, reporting bad tags and types encoding/json cannot
// represent at the field at fault.
func (a *analysis) schemas(d *directive, req, resp *manifest.TypeRef, in, out types.Type) bool {
	cfg := a.schemaConfig()
	ok := true
	var err error
	if req.Schema, err = cfg.For(in); err != nil {
		ok = a.schemaError(d, err)
	}
	if req.Params, err = cfg.Params(in); err != nil {
		ok = a.schemaError(d, err)
	}
	if resp.Schema, err = cfg.For(out); err != nil {
		ok = a.schemaError(d, err)
	}
	return ok
}

// schemaError reports err at the field it is about, or else at the route
// directive. It returns false.
func (a *analysis) schemaError(d *directive, err error) bool {
	if e, isField := errors.AsType[*staticschema.Error](err); isField && e.Pos.IsValid() {
		a.rep.at(e.Pos, "field %s: %s", e.Field, strings.TrimPrefix(e.Err.Error(), "schema: "))
	} else {
		a.rep.at(d.pos, "%s", strings.TrimPrefix(err.Error(), "schema: "))
	}
	return false
}
