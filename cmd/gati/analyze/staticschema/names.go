package staticschema

import (
	"fmt"
	"go/types"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// defNames gives each named type its $defs name, by the rules of the
// schema package: the type's name when no other type in the set shares
// it, else the name qualified with the last element of the package path
// ("users.User"), else with the whole package path, slashes turned into
// dots. names[i] is the name of ts[i].
func defNames(ts []types.Type) ([]string, error) {
	levels := []func(int) string{
		func(i int) string { return typeName(ts[i]) },
		func(i int) string { return path.Base(pkgPath(ts[i])) + "." + typeName(ts[i]) },
		func(i int) string { return strings.ReplaceAll(pkgPath(ts[i]), "/", ".") + "." + typeName(ts[i]) },
	}
	names := make([]string, len(ts))
	pending := make([]int, len(ts))
	for i := range ts {
		pending[i] = i
	}
	for _, name := range levels {
		count := map[string]int{}
		for _, i := range pending {
			count[name(i)]++
		}
		var clash []int
		for _, i := range pending {
			if count[name(i)] == 1 {
				names[i] = name(i)
			} else {
				clash = append(clash, i)
			}
		}
		pending = clash
		if len(pending) == 0 {
			return checkUnique(ts, names)
		}
	}
	return nil, fmt.Errorf("schema: types %s and %s have the same name and package path (types declared in functions?)",
		typeString(ts[pending[0]]), typeString(ts[pending[1]]))
}

func checkUnique(ts []types.Type, names []string) ([]string, error) {
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if j, ok := seen[n]; ok {
			return nil, fmt.Errorf("schema: types %s and %s both get the name %q", typeString(ts[i]), typeString(ts[j]), n)
		}
		seen[n] = i
	}
	return names, nil
}

func pkgPath(t types.Type) string {
	if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil {
		return n.Obj().Pkg().Path()
	}
	return ""
}

// typeName is the $defs base name of the named type t: its name, with the
// identifiers of its type arguments (without package paths) joined with
// underscores: Page[app.User] is Page_User, Pair[string, int]
// Pair_string_int. It reads the name reflect gives the type, so that the
// result is the schema package's.
func typeName(t types.Type) string {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return ""
	}
	name := n.Obj().Name()
	if n.TypeArgs().Len() == 0 {
		return name
	}
	var b strings.Builder
	b.WriteString(name)
	for _, tok := range tokens(reflectArgs(n)) {
		b.WriteByte('_')
		b.WriteString(tok)
	}
	return b.String()
}

// reflectArgs writes the type arguments of n as reflect writes them in the
// type's name: "[example.com/app.User,interface {}]".
func reflectArgs(n *types.Named) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n.TypeArgs().Len() {
		if i > 0 {
			b.WriteByte(',')
		}
		writeReflect(&b, n.TypeArgs().At(i))
	}
	b.WriteByte(']')
	return b.String()
}

// writeReflect writes t as reflect's Type.String does, with full package
// paths; only the identifiers in it matter.
func writeReflect(b *strings.Builder, t types.Type) {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil {
			b.WriteString(p.Path() + ".")
		}
		b.WriteString(t.Obj().Name())
		if t.TypeArgs().Len() > 0 {
			b.WriteString(reflectArgs(t))
		}
	case *types.Basic:
		b.WriteString(types.Typ[t.Kind()].Name()) // byte is uint8, rune int32
	case *types.Pointer:
		b.WriteByte('*')
		writeReflect(b, t.Elem())
	case *types.Slice:
		b.WriteString("[]")
		writeReflect(b, t.Elem())
	case *types.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		writeReflect(b, t.Elem())
	case *types.Map:
		b.WriteString("map[")
		writeReflect(b, t.Key())
		b.WriteByte(']')
		writeReflect(b, t.Elem())
	case *types.Chan:
		switch t.Dir() {
		case types.SendRecv:
			b.WriteString("chan ")
		case types.SendOnly:
			b.WriteString("chan<- ")
		case types.RecvOnly:
			b.WriteString("<-chan ")
		}
		writeReflect(b, t.Elem())
	case *types.Interface:
		if t.NumMethods() == 0 {
			b.WriteString("interface {}")
			return
		}
		b.WriteString("interface { ")
		for i := range t.NumMethods() {
			if i > 0 {
				b.WriteString("; ")
			}
			m := t.Method(i)
			b.WriteString(m.Name())
			writeSig(b, m.Type().(*types.Signature))
		}
		b.WriteString(" }")
	case *types.Struct:
		b.WriteString("struct {")
		for i := range t.NumFields() {
			if i > 0 {
				b.WriteByte(';')
			}
			b.WriteByte(' ')
			f := t.Field(i)
			if !f.Embedded() {
				b.WriteString(f.Name() + " ")
			}
			writeReflect(b, f.Type())
			if tag := t.Tag(i); tag != "" {
				b.WriteString(" " + strconv.Quote(tag))
			}
		}
		if t.NumFields() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('}')
	case *types.Signature:
		b.WriteString("func")
		writeSig(b, t)
	default:
		b.WriteString(types.TypeString(t, func(p *types.Package) string { return p.Path() }))
	}
}

func writeSig(b *strings.Builder, sig *types.Signature) {
	b.WriteByte('(')
	for i := range sig.Params().Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		if sig.Variadic() && i == sig.Params().Len()-1 {
			b.WriteString("...")
			writeReflect(b, sig.Params().At(i).Type().(*types.Slice).Elem())
			continue
		}
		writeReflect(b, sig.Params().At(i).Type())
	}
	b.WriteByte(')')
	if n := sig.Results().Len(); n > 0 {
		b.WriteByte(' ')
		if n > 1 {
			b.WriteByte('(')
		}
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			writeReflect(b, sig.Results().At(i).Type())
		}
		if n > 1 {
			b.WriteByte(')')
		}
	}
}

// tokens returns the identifiers in a reflect type name, each without its
// package path, as the schema package reads them.
func tokens(name string) []string {
	var out []string
	for name != "" {
		i := strings.IndexFunc(name, isSeparator)
		if i == 0 {
			for name != "" && isSeparator(rune(name[0])) {
				name = name[1:]
			}
			continue
		}
		if i < 0 {
			i = len(name)
		}
		id := name[:i]
		id = id[strings.LastIndex(id, "/")+1:]
		id = id[strings.LastIndex(id, ".")+1:]
		out = append(out, id)
		name = name[i:]
	}
	return out
}

// isSeparator reports whether c cannot be part of a qualified identifier
// in a reflect type name ("example.com/app.User").
func isSeparator(c rune) bool {
	return !(unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '.' || c == '/' || c == '-' || c == '~')
}
