package schema

import (
	"fmt"
	"path"
	"reflect"
	"strings"
)

// defNames gives each named type its $defs name: the type's name when no
// other type in the set shares it, else the name qualified with the last
// element of the package path ("users.User"), else with the whole package
// path, slashes turned into dots ("example.com.app.users.User").
// The result depends only on the set of types, not on their order.
func defNames(types []reflect.Type) (map[reflect.Type]string, error) {
	levels := []func(reflect.Type) string{
		func(t reflect.Type) string { return typeName(t) },
		func(t reflect.Type) string { return path.Base(t.PkgPath()) + "." + typeName(t) },
		func(t reflect.Type) string { return strings.ReplaceAll(t.PkgPath(), "/", ".") + "." + typeName(t) },
	}
	names := make(map[reflect.Type]string, len(types))
	pending := types
	for _, name := range levels {
		count := map[string]int{}
		for _, t := range pending {
			count[name(t)]++
		}
		var clash []reflect.Type
		for _, t := range pending {
			if count[name(t)] == 1 {
				names[t] = name(t)
			} else {
				clash = append(clash, t)
			}
		}
		// A qualified name must not take a name already given.
		pending = clash
		if len(pending) == 0 {
			return checkUnique(names)
		}
	}
	return nil, fmt.Errorf("schema: types %s and %s have the same name and package path (types declared in functions?)",
		pending[0], pending[1])
}

func checkUnique(names map[reflect.Type]string) (map[reflect.Type]string, error) {
	seen := make(map[string]reflect.Type, len(names))
	for t, n := range names {
		if other, ok := seen[n]; ok {
			return nil, fmt.Errorf("schema: types %s and %s both get the name %q", t, other, n)
		}
		seen[n] = t
	}
	return names, nil
}

// typeName is the Go name of t with the type arguments of a generic
// instantiation reduced to their own names and joined with underscores:
// Page[example.com/app.User] becomes Page_User, Pair[string,int]
// Pair_string_int, Page[[]app.User] Page_User.
func typeName(t reflect.Type) string {
	name := t.Name()
	if !strings.Contains(name, "[") {
		return name
	}
	var b strings.Builder
	underscore := false
	for tok := range tokens(name) {
		if tok == "" {
			underscore = b.Len() > 0
			continue
		}
		if underscore {
			b.WriteByte('_')
			underscore = false
		}
		b.WriteString(tok)
	}
	return b.String()
}

// tokens yields the identifiers in a type name, each without its package
// path, and "" for each run of other characters.
func tokens(name string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for name != "" {
			i := strings.IndexFunc(name, isSeparator)
			if i == 0 {
				for name != "" && isSeparator(rune(name[0])) {
					name = name[1:]
				}
				if !yield("") {
					return
				}
				continue
			}
			if i < 0 {
				i = len(name)
			}
			id := name[:i]
			id = id[strings.LastIndex(id, "/")+1:]
			id = id[strings.LastIndex(id, ".")+1:]
			if !yield(id) {
				return
			}
			name = name[i:]
		}
	}
}

// isSeparator reports whether c cannot be part of a qualified identifier
// in a reflect type name ("example.com/app.User").
func isSeparator(c rune) bool {
	return !(isLetterOrDigit(c) || c == '_' || c == '.' || c == '/' || c == '-' || c == '~')
}
