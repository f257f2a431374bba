package analyze

import (
	"go/types"
	"reflect"
	"strings"

	"gati.dev/gati/manifest"
)

// paramSources are the struct tags that bind a request field to a
// parameter, in the order gati's binder looks for them.
var paramSources = []manifest.Source{manifest.SourcePath, manifest.SourceQuery, manifest.SourceHeader, manifest.SourceCookie}

// typeString writes t with packages qualified by name: "*users.User".
func typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// typeRef describes a typed handler's In (request) or Out type.
func typeRef(t types.Type, request bool) *manifest.TypeRef {
	ref := &manifest.TypeRef{Type: typeString(t)}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		ref.Pointer, t = true, p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		ref.Name = n.Obj().Name()
		if pkg := n.Obj().Pkg(); pkg != nil {
			ref.Package = pkg.Path()
		}
	}
	if request {
		ref.Fields = requestFields(t)
	} else {
		ref.Fields = bodyFields(t)
	}
	return ref
}

// requestFields lists a request type's fields: parameters by their tags,
// the rest from the JSON body.
func requestFields(t types.Type) []manifest.Field {
	var out []manifest.Field
	walkFields(t, 0, func(v *types.Var, tag reflect.StructTag) {
		for _, src := range paramSources {
			if name, ok := tag.Lookup(string(src)); ok {
				out = append(out, manifest.Field{Name: v.Name(), Type: typeString(v.Type()), Source: src, Param: name})
				return
			}
		}
		out = appendBody(out, v, tag)
	})
	return out
}

// bodyFields lists a response type's fields, all in the JSON body.
func bodyFields(t types.Type) []manifest.Field {
	var out []manifest.Field
	walkFields(t, 0, func(v *types.Var, tag reflect.StructTag) { out = appendBody(out, v, tag) })
	return out
}

// appendBody appends a JSON body field, unless its tag is json:"-".
func appendBody(out []manifest.Field, v *types.Var, tag reflect.StructTag) []manifest.Field {
	name, opts, _ := strings.Cut(tag.Get("json"), ",")
	if name == "-" && opts == "" {
		return out
	}
	if name == "" {
		name = v.Name()
	}
	return append(out, manifest.Field{
		Name: v.Name(), Type: typeString(v.Type()), JSON: name,
		OmitEmpty: hasOption(opts, "omitempty"), Source: manifest.SourceBody,
	})
}

func hasOption(opts, opt string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// maxEmbedDepth bounds the flattening of embedded structs, which may
// embed themselves through a pointer.
const maxEmbedDepth = 8

// walkFields calls fn for each exported field of struct type t, in
// declaration order, flattening embedded structs that have no JSON name
// the way encoding/json does.
func walkFields(t types.Type, depth int, fn func(*types.Var, reflect.StructTag)) {
	st, ok := t.Underlying().(*types.Struct)
	if !ok || depth > maxEmbedDepth {
		return
	}
	for i := range st.NumFields() {
		v, tag := st.Field(i), reflect.StructTag(st.Tag(i))
		if v.Embedded() && flattens(v, tag) {
			walkFields(derefStruct(v.Type()), depth+1, fn)
			continue
		}
		if v.Exported() {
			fn(v, tag)
		}
	}
}

// flattens reports whether an embedded field's fields are promoted into
// the JSON object: it is a struct or pointer to struct with no JSON name.
func flattens(v *types.Var, tag reflect.StructTag) bool {
	name, _, _ := strings.Cut(tag.Get("json"), ",")
	if name != "" {
		return false
	}
	_, isStruct := derefStruct(v.Type()).Underlying().(*types.Struct)
	return isStruct
}

func derefStruct(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}
