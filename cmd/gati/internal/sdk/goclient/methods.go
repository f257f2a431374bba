package goclient

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// Method is how the generated client calls one operation, for code that
// writes calls to it (the playground's Go export). The method takes the
// context, then a value of the Params struct when there is one (its
// fields are Fields), then the body when Body is set (a raw operation
// takes a content type and an io.Reader instead, which Method does not
// describe). For an operation of kind api.JSON it returns the Result with
// a *Response and an error, or, when Result is "", the *Response and an
// error.
//
// Types are written as a file outside the client's package names them:
// the client's own types with the qualifier Methods was given in front
// ("client.Task"), other packages by their name ("time.Time"), which
// Imports lists.
type Method struct {
	Op *api.Operation
	// Name is the client method's name.
	Name string
	// Params is the type of the method's params argument, "" when it
	// takes none; Fields are its fields, in declaration order.
	Params string
	Fields []Param
	// Body is the type of the body argument, "" when there is none.
	Body string
	// Result is the type of the result, "" when the method returns the
	// *Response alone (no content) or the operation is not of kind
	// api.JSON (a stream, a WebSocket or a raw response).
	Result string
	// Imports are the import paths of the packages the types above name,
	// sorted.
	Imports []string
}

// Param is one field of a method's params struct.
type Param struct {
	Field    string // the field's name
	In, Name string // where the parameter goes and its name on the wire
	// Type is the field's type: Elem, *Elem when Pointer, []Elem when
	// List.
	Type string
	// Elem is the type of a value, and Kind what its values are:
	// "string", "integer" (an int64 underneath), "number" (float64),
	// "boolean" (bool) or "time" (time.Time, sent in RFC 3339). A
	// parameter whose text the API does not describe is a "string".
	Elem, Kind string
	// Pointer is set for an optional parameter: nil is not sent. List is
	// set for a list, each element sent as a value.
	Pointer, List bool
	Required      bool
}

// Methods returns how the client Generate writes for a calls each
// operation, in a.Operations order, with the client's types prefixed by
// qualifier (the package name and a dot, or "" inside the package). It
// fails where Generate does, on an API the client cannot express.
func Methods(a *api.API, qualifier string) ([]Method, error) {
	if err := check(a); err != nil {
		return nil, err
	}
	g := newGenerator(a, "")
	g.qualifier = qualifier
	var methods []Method
	for i := range a.Operations {
		op := &a.Operations[i]
		f := newFile()
		m := Method{Op: op, Name: g.methods[i]}
		if g.params[i] != "" {
			m.Params = qualifier + g.params[i]
		}
		for _, p := range g.paramFields(op, f) {
			elem := strings.TrimPrefix(strings.TrimPrefix(p.typ, "[]"), "*")
			m.Fields = append(m.Fields, Param{Field: p.field, In: p.In, Name: p.Name, Type: p.typ,
				Elem: elem, Kind: g.paramKind(p), Pointer: p.optional, List: p.list, Required: p.Required})
		}
		if op.Request != nil {
			m.Body = g.goType(op.Request, f)
		}
		if op.Kind == api.JSON && informative(op.Response) {
			m.Result = g.goType(op.Response, f)
		}
		for path := range f.imports {
			m.Imports = append(m.Imports, path)
		}
		slices.Sort(m.Imports)
		methods = append(methods, m)
	}
	return methods, nil
}

// paramKind is what the values of p are, as Param.Kind says.
func (g *generator) paramKind(p param) string {
	if p.verbatim {
		return "string"
	}
	n, _ := classify(cmpSchema(p.Schema))
	if n.shape == arrayShape {
		n, _ = classify(cmpSchema(n.s.Items))
	}
	if d, ok := g.def(n); ok {
		n = d
	}
	switch n.shape {
	case timeShape:
		return "time"
	case integerShape:
		return "integer"
	case numberShape:
		return "number"
	case booleanShape:
		return "boolean"
	}
	return "string"
}

// CheckBody returns nil when data, a JSON request body for op (an
// operation of a), decodes into the Go type of the method's body and
// encodes back as the same JSON: what the client sends for it is what
// data says. Otherwise its error locates, by JSON pointer, the first
// value that does not: a member the type has no field for (names match
// exactly), a value of another type, a null the type cannot hold, a
// value the type's omitempty leaves out.
func CheckBody(a *api.API, op *api.Operation, data []byte) error {
	if op.Request == nil {
		return errors.New("the operation takes no body")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	g := &generator{api: a}
	return g.fits(op.Request, v, "")
}

// fits returns nil when v, a JSON value decoded with UseNumber, makes
// the round trip through the Go type of s; ptr locates v for errors.
func (g *generator) fits(s *schema.Schema, v any, ptr string) error {
	n, reason := classify(cmpSchema(s))
	if reason != "" {
		return fmt.Errorf("%s: %s", where(ptr), reason)
	}
	nullable := n.nullable
	if d, ok := g.def(n); ok {
		nullable = nullable || d.nullable
		n = d
	}
	at := func(format string, args ...any) error {
		return fmt.Errorf("%s %s", where(ptr), fmt.Sprintf(format, args...))
	}
	if v == nil {
		switch n.shape {
		case anyShape, bytesShape, arrayShape, mapShape:
			return nil // their nil is null
		}
		if nullable {
			return nil
		}
		return at("is null, which a %s cannot hold", shapeName(n.shape))
	}
	switch n.shape {
	case anyShape:
		return nil
	case stringShape, timeShape, bytesShape:
		str, ok := v.(string)
		if !ok {
			return at("is not a string")
		}
		if n.shape == timeShape {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return at("is not a date-time (RFC 3339)")
			}
		}
		if n.shape == bytesShape {
			if _, err := base64.StdEncoding.DecodeString(str); err != nil {
				return at("is not base64")
			}
		}
	case integerShape, numberShape:
		num, ok := v.(json.Number)
		if !ok {
			return at("is not a number")
		}
		if n.shape == integerShape {
			if _, err := num.Int64(); err != nil {
				return at("is not an integer (int64)")
			}
		} else if _, err := num.Float64(); err != nil {
			return at("is not a number (float64)")
		}
	case booleanShape:
		if _, ok := v.(bool); !ok {
			return at("is not a boolean")
		}
	case arrayShape:
		arr, ok := v.([]any)
		if !ok {
			return at("is not an array")
		}
		if n.s.Items != nil {
			for i, e := range arr {
				if err := g.fits(n.s.Items, e, ptr+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		}
	case mapShape, structShape:
		obj, ok := v.(map[string]any)
		if !ok {
			return at("is not an object")
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			p := n.s.AdditionalProperties
			if n.shape == structShape {
				if p = n.s.Properties[k]; p == nil {
					return at("has a member %q, which the Go type has no field for", k)
				}
			}
			kptr := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
			if err := g.fits(p, obj[k], kptr); err != nil {
				return err
			}
			if n.shape == structShape && !slices.Contains(n.s.Required, k) && g.omitted(p, obj[k]) {
				return fmt.Errorf("%s is left out when empty, as the Go type says", where(kptr))
			}
		}
	}
	return nil
}

// omitted reports whether the field of an optional property of schema p
// leaves out the value v when encoding: omitempty drops nil, "", 0, false
// and empty arrays and objects, omitzero an empty struct or the zero
// time; a pointer is nil for null only.
func (g *generator) omitted(p *schema.Schema, v any) bool {
	n, _ := classify(cmpSchema(p))
	if n.nullable && g.pointer(n) {
		return v == nil
	}
	d, _ := g.def(n)
	if d.shape == anyShape {
		return false // a json.RawMessage holds even null
	}
	switch x := v.(type) {
	case nil:
		return true
	case string:
		if d.shape == timeShape {
			t, err := time.Parse(time.RFC3339Nano, x)
			return err == nil && t.IsZero()
		}
		return x == ""
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// where names a JSON pointer in messages.
func where(ptr string) string {
	if ptr == "" {
		return "the body"
	}
	return ptr
}

func shapeName(s shape) string {
	switch s {
	case stringShape:
		return "string"
	case timeShape:
		return "time.Time"
	case integerShape:
		return "int64"
	case numberShape:
		return "float64"
	case booleanShape:
		return "bool"
	}
	return "struct"
}
