package goclient

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// shape is what a schema describes, as far as the Go type goes.
type shape int

const (
	anyShape     shape = iota // {}: any JSON value, json.RawMessage
	refShape                  // a named type of API.Schemas
	stringShape               // string
	timeShape                 // time.Time ("format": "date-time")
	bytesShape                // []byte ("format": "byte", base64)
	integerShape              // int64
	numberShape               // float64
	booleanShape              // bool
	arrayShape                // []T
	mapShape                  // map[string]T
	structShape               // struct
)

// node is a schema classified.
type node struct {
	shape    shape
	nullable bool
	// s has the keywords: the schema itself, or the alternative of an
	// anyOf that is not null.
	s   *schema.Schema
	ref string // the named type, for refShape
}

// classify tells what s describes, or why a Go type cannot say it.
func classify(s *schema.Schema) (node, string) {
	if len(s.AnyOf) > 0 {
		i := nullAlternative(s.AnyOf)
		if len(s.AnyOf) != 2 || i < 0 {
			return node{}, "anyOf other than one type or null"
		}
		n, reason := classify(s.AnyOf[1-i])
		n.nullable = true
		return n, reason
	}
	var types []string
	n := node{s: s}
	for _, t := range s.Type {
		if t == "null" {
			n.nullable = true
		} else {
			types = append(types, t)
		}
	}
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, api.RefPrefix)
		if !ok {
			return node{}, fmt.Sprintf("$ref %q is not to %s", s.Ref, api.RefPrefix)
		}
		n.shape, n.ref = refShape, name
		return n, ""
	}
	switch len(types) {
	case 0:
		if n.nullable {
			return node{}, "a value that can only be null"
		}
		return n, "" // anyShape
	case 1:
	default:
		return node{}, "a value of several types (" + strings.Join(types, ", ") + ")"
	}
	switch types[0] {
	case "string":
		switch s.Format {
		case "date-time":
			n.shape = timeShape
		case "byte":
			n.shape = bytesShape
		default:
			n.shape = stringShape
		}
	case "integer":
		n.shape = integerShape
	case "number":
		n.shape = numberShape
	case "boolean":
		n.shape = booleanShape
	case "array":
		n.shape = arrayShape
	case "object":
		switch {
		case len(s.Properties) > 0 && s.AdditionalProperties != nil:
			return node{}, "an object with both properties and additionalProperties"
		case s.AdditionalProperties != nil:
			n.shape = mapShape
		default:
			n.shape = structShape
		}
	default:
		return node{}, fmt.Sprintf("unknown type %q", types[0])
	}
	return n, ""
}

// nullAlternative returns the index of the {"type": "null"} in anyOf, or -1.
func nullAlternative(anyOf []*schema.Schema) int {
	for i, a := range anyOf {
		if a != nil && a.Ref == "" && len(a.Type) == 1 && a.Type[0] == "null" {
			return i
		}
	}
	return -1
}

// def returns the named type n refers to, classified; ok is false when
// n is not a reference or the name is unknown.
func (g *generator) def(n node) (node, bool) {
	for range 8 { // a reference to a reference: follow a few
		if n.shape != refShape {
			return n, true
		}
		s := g.api.Schemas[n.ref]
		if s == nil {
			return node{}, false
		}
		var reason string
		if n, reason = classify(s); reason != "" {
			return node{}, false
		}
	}
	return node{}, false
}

// goType returns the Go type of s, noting the packages it needs in f.
func (g *generator) goType(s *schema.Schema, f *file) string {
	n, _ := classify(s)
	return g.nodeType(n, f)
}

func (g *generator) nodeType(n node, f *file) string {
	t := g.baseType(n, f)
	if n.nullable && g.pointer(n) {
		return "*" + t
	}
	return t
}

// pointer reports whether null takes a pointer: not for the types
// whose zero value encoding/json already writes and reads as null.
func (g *generator) pointer(n node) bool {
	if d, ok := g.def(n); ok {
		n = d
	}
	switch n.shape {
	case anyShape, bytesShape, arrayShape, mapShape:
		return false
	}
	return true
}

func (g *generator) baseType(n node, f *file) string {
	switch n.shape {
	case refShape:
		return g.qualifier + g.typeNames[n.ref]
	case stringShape:
		return "string"
	case timeShape:
		f.use("time")
		return "time.Time"
	case bytesShape:
		return "[]byte"
	case integerShape:
		return "int64"
	case numberShape:
		return "float64"
	case booleanShape:
		return "bool"
	case arrayShape:
		if n.s.Items == nil {
			f.use("encoding/json")
			return "[]json.RawMessage"
		}
		return "[]" + g.goType(n.s.Items, f)
	case mapShape:
		return "map[string]" + g.goType(n.s.AdditionalProperties, f)
	case structShape:
		if len(n.s.Properties) == 0 {
			return "struct{}"
		}
		return "struct {\n" + g.fields(n.s, f) + "}"
	}
	f.use("encoding/json")
	return "json.RawMessage"
}

// fields returns the fields of a struct for the properties of s, sorted
// by JSON name, each with its doc comment and json tag.
func (g *generator) fields(s *schema.Schema, f *file) string {
	var b strings.Builder
	names := namespace{}
	for _, prop := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[prop]
		n, _ := classify(p)
		opt := ""
		if !slices.Contains(s.Required, prop) {
			opt = "," + g.omit(n)
		}
		if prop == "-" {
			opt = ","
		}
		b.WriteString(comment("\t", fieldDoc(p, n)))
		fmt.Fprintf(&b, "%s %s `json:%q`\n", names.take(exported(prop)), g.nodeType(n, f), prop+opt)
	}
	return b.String()
}

// omit is the json option that leaves out an optional field when unset:
// omitzero for structs, which omitempty never omits, omitempty otherwise.
func (g *generator) omit(n node) string {
	if n.nullable && g.pointer(n) {
		return "omitempty"
	}
	if d, ok := g.def(n); ok {
		n = d
	}
	if n.shape == structShape || n.shape == timeShape {
		return "omitzero"
	}
	return "omitempty"
}

// fieldDoc is the doc comment of a field or parameter of schema p: its
// description and what the schema requires of its values.
func fieldDoc(p *schema.Schema, n node) string {
	var parts []string
	if d := cmpOr(p.Description, n.s.Description); d != "" {
		parts = append(parts, d)
	}
	if n.shape != refShape {
		parts = append(parts, constraints(n)...)
	}
	doc := strings.Join(parts, " ")
	if p.Deprecated || n.s.Deprecated {
		doc = strings.TrimSpace(doc + "\n\nDeprecated: the API marks it deprecated.")
	}
	return doc
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// constraints are sentences for the validation keywords of n.
func constraints(n node) []string {
	s := n.s
	var out []string
	switch n.shape {
	case stringShape:
		out = appendRange(out, s.MinLength, s.MaxLength, "character")
		if s.Format != "" {
			out = append(out, "Format: "+s.Format+".")
		}
		if s.Pattern != "" {
			out = append(out, "Pattern: "+s.Pattern+".")
		}
	case integerShape, numberShape:
		lo, hi := s.Minimum, s.Maximum
		switch {
		case lo != nil && hi != nil:
			out = append(out, fmt.Sprintf("From %s to %s.", number(*lo), number(*hi)))
		case lo != nil:
			out = append(out, fmt.Sprintf("At least %s.", number(*lo)))
		case hi != nil:
			out = append(out, fmt.Sprintf("At most %s.", number(*hi)))
		}
	case arrayShape:
		out = appendRange(out, s.MinItems, s.MaxItems, "item")
	}
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = jsonText(v)
		}
		out = append(out, "One of "+strings.Join(vals, ", ")+".")
	}
	if s.Default != nil {
		out = append(out, "Default: "+jsonText(s.Default)+".")
	}
	return out
}

func appendRange(out []string, lo, hi *int, unit string) []string {
	plural := func(n int) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case lo != nil && hi != nil:
		return append(out, fmt.Sprintf("%d to %s.", *lo, plural(*hi)))
	case lo != nil:
		return append(out, "At least "+plural(*lo)+".")
	case hi != nil:
		return append(out, "At most "+plural(*hi)+".")
	}
	return out
}

func number(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// jsonText writes v as JSON, as the schema holds it.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// integral returns v, an enum value of an integer type, as an int64.
func integral(v any) (int64, bool) {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
			return int64(v), true
		}
	case int:
		return int64(v), true
	case int64:
		return v, true
	case uint64:
		if v < 1<<63 {
			return int64(v), true
		}
	case json.Number:
		i, err := v.Int64()
		return i, err == nil
	}
	return 0, false
}
