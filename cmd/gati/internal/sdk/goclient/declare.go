package goclient

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/schema"
)

// docFile is doc.go: the package's doc comment and Version.
func (g *generator) docFile() *file {
	a := g.api
	f := newFile()
	var b strings.Builder
	fmt.Fprintf(&b, "Package %s is a client of the %s API, generated from the API's Go code by gati generate: "+
		"a method of [Client] per route, taking and returning the route's types.\n\n", g.pkg, a.Title)
	if a.Version == "" {
		b.WriteString("The API has no versions: the client sends no X-API-Version.\n")
	} else {
		fmt.Fprintf(&b, "It is pinned to API version %s", a.Version)
		if a.Semver != "" && a.Semver != "0.0.0" {
			fmt.Fprintf(&b, " (%s)", a.Semver)
		}
		fmt.Fprintf(&b, ": every request sends X-API-Version: %s, and the server answers in that version's shapes, "+
			"translating them when it has moved on.", a.Version)
		if a.Deprecated != nil {
			fmt.Fprintf(&b, " The version was deprecated on %s.", date(*a.Deprecated))
		}
		if a.Sunset != nil {
			fmt.Fprintf(&b, " It is served until %s.", date(*a.Sunset))
		}
		b.WriteString(" Each call's [Response] says which version answered, and whether it is deprecated.\n")
	}
	b.WriteString("\nA call the server refuses returns an [*ApiError], with the problem's status, code, detail " +
		"and field errors. Idempotent calls answered 429 or 503 are retried (see [WithRetry]); " +
		"the context passed to a call cancels it.\n")
	f.doc = comment("", b.String())
	vdoc := "Version is the API version the client is pinned to: New sends it as X-API-Version unless WithVersion says otherwise."
	if a.Version == "" {
		vdoc += " It is empty: the API has no versions."
	}
	f.printf("%sconst Version = %q\n", comment("", vdoc), a.Version)
	return f
}

func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// typesFile is types.go: a declaration per named type, sorted by name.
func (g *generator) typesFile() *file {
	f := newFile()
	for _, name := range g.schemaNames() {
		g.declare(f, name, g.api.Schemas[name])
	}
	return f
}

func (g *generator) declare(f *file, name string, s *schema.Schema) {
	goName := g.typeNames[name]
	n, _ := classify(s)
	f.printf("%stype %s %s\n\n", comment("", g.typeDoc(name, s)), goName, g.baseType(n, f))
	consts := g.consts[name]
	if len(consts) == 0 {
		return
	}
	f.printf("// The values of %s.\nconst (\n", goName)
	for i, v := range s.Enum {
		lit := strconv.Quote(fmt.Sprint(v))
		if n.shape == integerShape {
			iv, _ := integral(v)
			lit = strconv.FormatInt(iv, 10)
		}
		f.printf("\t%s %s = %s\n", consts[i], goName, lit)
	}
	f.printf(")\n\n")
}

// typeDoc is the doc comment of the named type name: its description,
// else which operations send or receive it.
func (g *generator) typeDoc(name string, s *schema.Schema) string {
	goName := g.typeNames[name]
	doc := s.Description
	if doc == "" {
		var roles []string
		if u := g.uses[name]; u != nil {
			if len(u.requestOf) > 0 {
				roles = append(roles, "the request body of "+list(u.requestOf))
			}
			if len(u.responseOf) > 0 {
				roles = append(roles, "the response of "+list(u.responseOf))
			}
		}
		if len(roles) == 0 {
			roles = append(roles, "a type of the "+g.api.Title+" API")
		}
		doc = goName + " is " + strings.Join(roles, " and ") + "."
	}
	if goName != name {
		doc += "\n\nThe API names it " + name + "."
	}
	if s.Deprecated {
		doc += "\n\nDeprecated: the API marks it deprecated."
	}
	return doc
}

// list joins names as in English: "A", "A and B", "A, B and C".
func list(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// constNames returns the names of the constants of the enum name, in the
// order of its values; none when it is not an enum of strings or integers.
func (g *generator) constNames(name string) []string {
	s := g.api.Schemas[name]
	n, _ := classify(s)
	if len(s.Enum) == 0 || n.shape != stringShape && n.shape != integerShape {
		return nil
	}
	goName := g.typeNames[name]
	out := make([]string, len(s.Enum))
	for i, v := range s.Enum {
		var suffix string
		switch v := v.(type) {
		case string:
			suffix = exported(v)
			if v == "" {
				suffix = "Empty"
			}
		default:
			iv, _ := integral(v)
			suffix = strconv.FormatInt(iv, 10)
			if iv < 0 {
				suffix = "Minus" + suffix[1:]
			}
		}
		out[i] = g.names.take(goName + suffix)
	}
	return out
}
