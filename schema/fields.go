package schema

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// field is one member of the JSON object encoding/json writes for a struct.
type field struct {
	name      string
	tagged    bool // the name comes from a json tag
	index     []int
	sf        reflect.StructField
	omitEmpty bool // omitempty or omitzero
	quoted    bool // the ",string" option applies
	param     bool // tagged path, query, header or cookie: not in the body
	viaPtr    bool // promoted through an embedded pointer, absent when it is nil
}

var paramSources = [...]string{"path", "query", "header", "cookie"}

// jsonFields lists the fields encoding/json encodes for t, in index order,
// with the same rules: untagged embedded structs are flattened, and of
// fields sharing a name the shallowest wins, then the tagged one; others
// cancel each other out.
func jsonFields(t reflect.Type) []field {
	var all []field
	walkFields(t, nil, false, map[reflect.Type]bool{t: true}, &all)
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

func walkFields(t reflect.Type, index []int, viaPtr bool, path map[reflect.Type]bool, out *[]field) {
	for i := range t.NumField() {
		sf := t.Field(i)
		ft := sf.Type
		if ft.Name() == "" && ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if !sf.IsExported() && !(sf.Anonymous && ft.Kind() == reflect.Struct) {
			continue
		}
		name, opts, skip := JSONTag(sf)
		if skip {
			continue
		}
		idx := append(slices.Clip(index), i)
		if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
			if !path[ft] {
				path[ft] = true
				walkFields(ft, idx, viaPtr || sf.Type.Kind() == reflect.Pointer, path, out)
				delete(path, ft)
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := field{name: name, tagged: name != "", index: idx, sf: sf, viaPtr: viaPtr}
		if name == "" {
			f.name = sf.Name
		}
		f.omitEmpty = hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
		f.quoted = hasOpt(opts, "string") && quotable(ft)
		for _, src := range paramSources {
			if _, ok := sf.Tag.Lookup(src); ok {
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
func quotable(t reflect.Type) bool {
	switch t.Kind() {
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
// JSONTag reads a struct field's json tag as encoding/json does: the name
// it gives ("" when the tag gives none, or one encoding/json ignores), the
// options after it, and whether the tag is "-", which leaves the field out.
func JSONTag(sf reflect.StructField) (name, opts string, skip bool) {
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "", "", true
	}
	name, opts, _ = strings.Cut(tag, ",")
	if !validName(name) {
		name = ""
	}
	return name, opts, false
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !isLetterOrDigit(c):
			return false
		}
	}
	return true
}

func isLetterOrDigit(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c)
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

func sortStrings(s []string) { slices.Sort(s) }
