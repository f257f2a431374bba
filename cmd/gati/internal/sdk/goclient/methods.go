package goclient

import (
	"slices"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
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
