package analyze

import (
	"cmp"
	"errors"
	"go/constant"
	"go/types"
	"slices"
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
		a.schemaCfg = &staticschema.Config{
			Enums:            func(p *types.Package) bool { return app[p.Path()] },
			OnEnum:           a.addEnum,
			RejectInterfaces: a.opts.ForClients,
		}
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
		a.rep.at(e.Pos, "field %s.%s: %s", e.Type, e.Field, strings.TrimPrefix(e.Err.Error(), "schema: "))
	} else {
		a.rep.at(d.pos, "%s", strings.TrimPrefix(err.Error(), "schema: "))
	}
	return false
}

// addEnum records an enum type the schemas use, for the manifest and the
// generated code.
func (a *analysis) addEnum(t *types.TypeName, consts []*types.Const) {
	if a.enums == nil {
		a.enums = map[*types.TypeName]manifest.Enum{}
	}
	if _, seen := a.enums[t]; seen || t.Pkg() == nil {
		return
	}
	pos := a.rep.fset.Position(t.Pos())
	e := manifest.Enum{Package: t.Pkg().Path(), Name: t.Name(), File: a.rep.rel(pos.Filename), Line: pos.Line}
	unsigned := false
	if b, ok := t.Type().Underlying().(*types.Basic); ok {
		unsigned = b.Info()&types.IsUnsigned != 0
	}
	for _, c := range consts {
		e.Consts = append(e.Consts, c.Name())
		switch v := c.Val(); {
		case v.Kind() == constant.String:
			e.Values = append(e.Values, constant.StringVal(v))
		case unsigned:
			u, _ := constant.Uint64Val(v)
			e.Values = append(e.Values, u)
		default:
			i, _ := constant.Int64Val(v)
			e.Values = append(e.Values, i)
		}
	}
	a.enums[t] = e
}

// enumList returns the recorded enums sorted by package path and name.
func (a *analysis) enumList() []manifest.Enum {
	var out []manifest.Enum
	for _, e := range a.enums {
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y manifest.Enum) int {
		return cmp.Or(cmp.Compare(x.Package, y.Package), cmp.Compare(x.Name, y.Name))
	})
	return out
}
