package tsclient

import (
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
)

// Method is how the generated client calls one operation, for code that
// writes calls to it (the playground's TypeScript export): the method's
// arguments are the path parameters in PathArgs order, then the body when
// HasBody, then an object of Params when there are some, then the call's
// options.
type Method struct {
	Op *api.Operation
	// Name is the client method's name.
	Name string
	// PathArgs are the path parameters, in argument order: Property is
	// the argument's name, Name the parameter's in the route pattern.
	PathArgs []Param
	HasBody  bool
	// Params are the properties of the params argument.
	Params []Param
	// Result is the TypeScript type the method resolves to.
	Result string
}

// Param is one property of a method's params argument.
type Param struct {
	Property string // its name in the params object
	In, Name string // where the parameter goes and its name on the wire
	Type     string // its TypeScript type, without "| undefined"
	Required bool
}

// Methods returns the client class Generate writes for a and how it calls
// each operation, in a.Operations order.
func Methods(a *api.API) (class string, methods []Method, err error) {
	g := newGenerator(a)
	for i := range a.Operations {
		o, err := g.operation(&a.Operations[i])
		if err != nil {
			return "", nil, err
		}
		m := Method{Op: o.op, Name: o.method, Params: o.props, Result: o.result}
		var names []string
		for _, n := range api.PathParams(o.op.Path) {
			if n != "$" {
				names = append(names, n)
			}
		}
		for _, arg := range o.args {
			name, t, _ := strings.Cut(arg, ": ")
			switch {
			case name == "body":
				m.HasBody = true
			case name == "params":
			case len(m.PathArgs) < len(names):
				m.PathArgs = append(m.PathArgs, Param{Property: name, In: "path", Name: names[len(m.PathArgs)], Type: t, Required: true})
			}
		}
		methods = append(methods, m)
	}
	return g.className, methods, nil
}
