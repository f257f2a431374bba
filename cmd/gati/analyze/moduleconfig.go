package analyze

import (
	"go/ast"
	"go/constant"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"

	"gati.dev/gati/manifest"
)

// ModuleConfig is what the analysis knows statically about a module's
// section of gati.yaml, modules.<Name>: the type its Init decodes with
// ModuleContext.DecodeConfig, as a Shape.
type ModuleConfig struct {
	Module manifest.Module
	// Name is the module's name, from the Name constant of the ModuleInfo
	// its ModuleInfo method returns; "" when it is not a constant.
	Name string
	// Shape is the decoded type; nil when Init does not call
	// DecodeConfig on a value whose type is known statically.
	Shape *Shape
	// TypeName names the decoded type, for messages.
	TypeName string
}

// ShapeKind is the kind of value a YAML node must be to decode.
type ShapeKind int

// The kinds of Shape.
const (
	ShapeAny      ShapeKind = iota // anything: an interface, or a type that decodes itself (UnmarshalYAML)
	ShapeStruct                    // a mapping with known keys
	ShapeMap                       // a mapping with any keys
	ShapeSeq                       // a sequence
	ShapeString                    // a scalar
	ShapeBool                      // true or false
	ShapeInt                       // an integer
	ShapeUint                      // a non-negative integer
	ShapeFloat                     // a number
	ShapeDuration                  // "1m30s" or an integer of nanoseconds
)

// Shape is how a Go type decodes from YAML with go.yaml.in/yaml/v3, as
// ModuleContext.DecodeConfig does (unknown fields rejected).
type Shape struct {
	Kind   ShapeKind
	Fields map[string]*Shape // ShapeStruct: by YAML key
	Elem   *Shape            // ShapeMap and ShapeSeq
}

// shapeOf returns the Shape of t; seen stops recursive types.
func shapeOf(t types.Type, seen map[types.Type]bool) *Shape {
	if seen[t] || decodesItself(t) {
		return &Shape{Kind: ShapeAny}
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		if obj := n.Obj(); obj.Pkg() != nil && obj.Pkg().Path() == "time" && obj.Name() == "Duration" {
			return &Shape{Kind: ShapeDuration}
		}
	}
	seen[t] = true
	defer delete(seen, t)
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		return shapeOf(u.Elem(), seen)
	case *types.Struct:
		s := &Shape{Kind: ShapeStruct, Fields: map[string]*Shape{}}
		addFields(s, u, seen)
		return s
	case *types.Map:
		return &Shape{Kind: ShapeMap, Elem: shapeOf(u.Elem(), seen)}
	case *types.Slice:
		return &Shape{Kind: ShapeSeq, Elem: shapeOf(u.Elem(), seen)}
	case *types.Array:
		return &Shape{Kind: ShapeSeq, Elem: shapeOf(u.Elem(), seen)}
	case *types.Basic:
		return &Shape{Kind: basicKind(u)}
	}
	return &Shape{Kind: ShapeAny}
}

func basicKind(b *types.Basic) ShapeKind {
	info := b.Info()
	switch {
	case info&types.IsBoolean != 0:
		return ShapeBool
	case info&types.IsUnsigned != 0:
		return ShapeUint
	case info&types.IsInteger != 0:
		return ShapeInt
	case info&types.IsFloat != 0:
		return ShapeFloat
	case info&types.IsString != 0:
		return ShapeString
	}
	return ShapeAny
}

// addFields adds the fields of st as yaml.v3 sees them: the yaml tag's
// name, else the field name in lower case; "-" skipped; ",inline"
// merged; unexported fields ignored.
func addFields(s *Shape, st *types.Struct, seen map[types.Type]bool) {
	for i := range st.NumFields() {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i)).Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if !f.Exported() || name == "-" {
			continue
		}
		if strings.Contains(","+opts+",", ",inline,") {
			inner := shapeOf(f.Type(), seen)
			for k, v := range inner.Fields {
				s.Fields[k] = v
			}
			if inner.Kind == ShapeMap || inner.Kind == ShapeAny {
				s.Kind = ShapeMap // an inline map takes any other key
				s.Elem = &Shape{Kind: ShapeAny}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name())
		}
		s.Fields[name] = shapeOf(f.Type(), seen)
	}
}

// decodesItself reports whether t or *t decodes itself, with
// UnmarshalYAML or (from a scalar) UnmarshalText: what it accepts cannot
// be told statically.
func decodesItself(t types.Type) bool {
	typs := []types.Type{t}
	if _, ok := t.(*types.Pointer); !ok {
		typs = append(typs, types.NewPointer(t))
	}
	for _, typ := range typs {
		ms := types.NewMethodSet(typ)
		for i := range ms.Len() {
			if name := ms.At(i).Obj().Name(); name == "UnmarshalYAML" || name == "UnmarshalText" {
				return true
			}
		}
	}
	return false
}

// moduleConfigs finds, for each module, its name and the type its Init
// decodes its config section into.
func (a *analysis) moduleConfigs(mods []manifest.Module) []ModuleConfig {
	var out []ModuleConfig
	for _, mod := range mods {
		mc := ModuleConfig{Module: mod}
		for _, p := range a.pkgs {
			if p.PkgPath != mod.Package || p.TypesInfo == nil {
				continue
			}
			if body := methodBody(p, mod.Type, "ModuleInfo"); body != nil {
				mc.Name = moduleName(p, body)
			}
			if body := methodBody(p, mod.Type, "Init"); body != nil {
				if t := decodedType(p, body); t != nil {
					mc.Shape = shapeOf(t, map[types.Type]bool{})
					mc.TypeName = types.TypeString(t, types.RelativeTo(p.Types))
				}
			}
		}
		out = append(out, mc)
	}
	return out
}

// libraryModule is a module that Gati's own packages provide, installed
// by a call rather than declared in the app: its section of gati.yaml is
// known from its config type once the app imports its package.
type libraryModule struct {
	pkg, typ, name, config string
}

var libraryModules = []libraryModule{
	{pkg: "gati.dev/gati/effects", typ: "Effects", name: "effects", config: "Config"},
}

// libraryModuleConfigs returns the config sections of the library
// modules the app's packages import.
func (a *analysis) libraryModuleConfigs() []ModuleConfig {
	var out []ModuleConfig
	for _, lm := range libraryModules {
		for _, p := range a.pkgs {
			if p.Types == nil {
				continue
			}
			i := slices.IndexFunc(p.Types.Imports(), func(imp *types.Package) bool { return imp.Path() == lm.pkg })
			if i < 0 {
				continue
			}
			imp := p.Types.Imports()[i]
			obj, ok := imp.Scope().Lookup(lm.config).(*types.TypeName)
			if !ok {
				break
			}
			out = append(out, ModuleConfig{
				Module:   manifest.Module{Package: lm.pkg, Type: lm.typ, Implements: []string{}},
				Name:     lm.name,
				Shape:    shapeOf(obj.Type(), map[types.Type]bool{}),
				TypeName: imp.Name() + "." + lm.config,
			})
			break
		}
	}
	return out
}

// methodBody returns the body of method name of type typeName in p.
func methodBody(p *packages.Package, typeName, name string) *ast.BlockStmt {
	for _, f := range p.Syntax {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != name || fd.Body == nil || len(fd.Recv.List) != 1 {
				continue
			}
			t := p.TypesInfo.TypeOf(fd.Recv.List[0].Type)
			if ptr, ok := t.(*types.Pointer); ok {
				t = ptr.Elem()
			}
			if n, ok := t.(*types.Named); ok && n.Obj().Name() == typeName {
				return fd.Body
			}
		}
	}
	return nil
}

// moduleName finds Name: "<constant>" in a gati.ModuleInfo literal.
func moduleName(p *packages.Package, body *ast.BlockStmt) string {
	name := ""
	ast.Inspect(body, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok || !isGatiType(p.TypesInfo.TypeOf(lit), "ModuleInfo") {
			return true
		}
		for _, e := range lit.Elts {
			kv, ok := e.(*ast.KeyValueExpr)
			if id, isID := kv.Key.(*ast.Ident); ok && isID && id.Name == "Name" {
				if tv := p.TypesInfo.Types[kv.Value]; tv.Value != nil && tv.Value.Kind() == constant.String {
					name = constant.StringVal(tv.Value)
				}
			}
		}
		return false
	})
	return name
}

// decodedType finds x.DecodeConfig(&v) on a *gati.ModuleContext and
// returns the type of v.
func decodedType(p *packages.Package, body *ast.BlockStmt) types.Type {
	var found types.Type
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found != nil || len(call.Args) != 1 {
			return found == nil
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "DecodeConfig" {
			return true
		}
		fn, ok := p.TypesInfo.Uses[sel.Sel].(*types.Func)
		if !ok || fn.Pkg() == nil || fn.Pkg().Path() != gatiPath {
			return true
		}
		t := p.TypesInfo.TypeOf(call.Args[0])
		if ptr, ok := t.(*types.Pointer); ok {
			found = ptr.Elem()
		}
		return false
	})
	return found
}

func isGatiType(t types.Type, name string) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == gatiPath
}
