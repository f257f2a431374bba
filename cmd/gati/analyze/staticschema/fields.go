package staticschema

import (
	"cmp"
	"fmt"
	"go/types"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"gati.dev/gati/schema"
)

// field is one member of the JSON object encoding/json writes for a struct.
type field struct {
	name      string
	tagged    bool // the name comes from a json tag
	index     []int
	v         *types.Var
	tag       reflect.StructTag
	omitEmpty bool // omitempty or omitzero
	quoted    bool // the ",string" option applies
	param     bool // tagged path, query, header or cookie: not in the body
	viaPtr    bool // promoted through an embedded pointer, absent when it is nil
}

var paramSources = [...]string{"path", "query", "header", "cookie"}

// jsonFields lists the fields encoding/json encodes for t, in index order,
// with the same rules as the schema package (and encoding/json): untagged
// embedded structs are flattened, and of fields sharing a name the
// shallowest wins, then the tagged one; others cancel each other out.
func jsonFields(t types.Type) []field {
	var all []field
	walkFields(t, nil, false, []types.Type{t}, &all)
	slices.SortStableFunc(all, func(a, b field) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(len(a.index), len(b.index)),
			-boolCmp(a.tagged, b.tagged))
	})
	var out []field
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		if f, ok := dominant(all[i:j]); ok {
			out = append(out, f)
		}
		i = j
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return out
}

func walkFields(t types.Type, index []int, viaPtr bool, path []types.Type, out *[]field) {
	st := t.Underlying().(*types.Struct)
	for i := range st.NumFields() {
		v, tag := st.Field(i), reflect.StructTag(st.Tag(i))
		decl := types.Unalias(v.Type())
		ft := decl
		if p, ok := ft.(*types.Pointer); ok { // an unnamed pointer
			ft = types.Unalias(p.Elem())
		}
		isStruct := kind(ft) == reflect.Struct
		if !v.Exported() && !(v.Embedded() && isStruct) {
			continue
		}
		jt := tag.Get("json")
		if jt == "-" {
			continue
		}
		name, opts, _ := strings.Cut(jt, ",")
		if !validName(name) {
			name = ""
		}
		idx := append(slices.Clip(index), i)
		if name == "" && v.Embedded() && isStruct {
			if !slices.ContainsFunc(path, func(u types.Type) bool { return types.Identical(u, ft) }) {
				walkFields(ft, idx, viaPtr || kind(decl) == reflect.Pointer, append(path, ft), out)
			}
			continue
		}
		if !v.Exported() {
			continue
		}
		f := field{name: name, tagged: name != "", index: idx, v: v, tag: tag, viaPtr: viaPtr}
		if name == "" {
			f.name = v.Name()
		}
		f.omitEmpty = hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
		f.quoted = hasOpt(opts, "string") && quotable(ft)
		for _, src := range paramSources {
			if _, ok := tag.Lookup(src); ok {
				f.param = true
			}
		}
		*out = append(*out, f)
	}
}

// dominant picks the field that wins among fields sharing a name, sorted
// by depth and then tagged first.
func dominant(fs []field) (field, bool) {
	if len(fs) > 1 && len(fs[0].index) == len(fs[1].index) && fs[0].tagged == fs[1].tagged {
		return field{}, false
	}
	return fs[0], true
}

// quotable reports whether the ",string" option applies to t.
func quotable(t types.Type) bool {
	switch kind(t) {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

func hasOpt(opts, name string) bool {
	for opt := range strings.SplitSeq(opts, ",") {
		if opt == name {
			return true
		}
	}
	return false
}

// validName mirrors encoding/json's check of a tag name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Params lists the parameters of the input struct t in field order, as
// schema.Params does for its reflect type.
func (c *Config) Params(t types.Type) ([]schema.Param, error) {
	if t == nil {
		return nil, nil
	}
	t = deref(t)
	if kind(t) != reflect.Struct {
		return nil, nil
	}
	var ps []schema.Param
	for _, f := range visibleFields(t) {
		if !f.v.Exported() || (f.v.Embedded() && kind(f.v.Type()) == reflect.Struct) {
			continue
		}
		for _, in := range paramSources {
			name, ok := f.tag.Lookup(in)
			if !ok {
				continue
			}
			p, err := c.param(t, f, in, name)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
			break
		}
	}
	return ps, nil
}

func (c *Config) param(t types.Type, f visibleField, in, name string) (schema.Param, error) {
	if name == "" {
		return schema.Param{}, tagError(t, f.v, fmt.Errorf("%s tag has no name", in))
	}
	ft := deref(f.v.Type())
	b := c.newBuilder()
	var s *schema.Schema
	var err error
	if textParam(ft) {
		s = &schema.Schema{Type: schema.Types{"string"}}
	} else {
		s, err = b.typeSchema(ft)
	}
	if err != nil {
		return schema.Param{}, typeError(t, f.v, err)
	}
	var required bool
	if s, err = schema.ApplyTags(s, b.valueType(ft, false), f.tag, &required); err != nil {
		return schema.Param{}, tagError(t, f.v, err)
	}
	required = required || in == "path"
	if s, err = b.root(s); err != nil {
		return schema.Param{}, err
	}
	return schema.Param{In: in, Name: name, Required: required, Schema: s}, nil
}

// visibleField is a field of reflect.VisibleFields.
type visibleField struct {
	name  string // "" once hidden
	index []int
	v     *types.Var
	tag   reflect.StructTag
}

// visibleFields mirrors reflect.VisibleFields: every field of struct t,
// promoted ones included, in index preorder, except those hidden by a
// shallower field of the same Go name or cancelled by one at the same
// depth.
func visibleFields(t types.Type) []visibleField {
	w := &visibleWalker{byName: map[string]int{}}
	w.walk(t)
	var out []visibleField
	for _, f := range w.fields {
		if f.name != "" {
			out = append(out, f)
		}
	}
	return out
}

type visibleWalker struct {
	byName   map[string]int
	visiting []types.Type
	fields   []visibleField
	index    []int
}

func (w *visibleWalker) walk(t types.Type) {
	if slices.ContainsFunc(w.visiting, func(u types.Type) bool { return types.Identical(u, t) }) {
		return
	}
	w.visiting = append(w.visiting, t)
	st := t.Underlying().(*types.Struct)
	for i := range st.NumFields() {
		v := st.Field(i)
		w.index = append(w.index, i)
		add := true
		if old, ok := w.byName[v.Name()]; ok {
			o := &w.fields[old]
			switch {
			case len(w.index) == len(o.index):
				o.name, add = "", false
			case len(w.index) < len(o.index):
				o.name = ""
			default:
				add = false
			}
		}
		if add {
			w.byName[v.Name()] = len(w.fields)
			w.fields = append(w.fields, visibleField{name: v.Name(), index: slices.Clone(w.index), v: v, tag: reflect.StructTag(st.Tag(i))})
		}
		if v.Embedded() {
			ft := types.Unalias(v.Type())
			if p, ok := ft.Underlying().(*types.Pointer); ok {
				ft = types.Unalias(p.Elem())
			}
			if kind(ft) == reflect.Struct {
				w.walk(ft)
			}
		}
		w.index = w.index[:len(w.index)-1]
	}
	w.visiting = w.visiting[:len(w.visiting)-1]
}

// textParam mirrors schema's: a struct, map, slice or array parameter
// type whose pointer implements encoding.TextUnmarshaler is sent as a
// string.
func textParam(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Struct, *types.Map, *types.Slice, *types.Array:
		return implements(t, textUnmarshalerType)
	}
	return false
}
