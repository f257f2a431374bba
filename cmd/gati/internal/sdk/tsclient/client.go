package tsclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// operation is one method of the client, ready to write.
type operation struct {
	op *api.Operation
	// method is the method's name: the operation's ID.
	method string
	// path is the template literal (or string literal) of the request path.
	path string
	// args are the method's parameters, written out: "id: string".
	args []string
	// paramsType names the interface of the query, header and cookie
	// parameters; "" when there are none. paramsDecl declares it.
	paramsType, paramsDecl string
	// fields are the properties of the Call object the method passes to
	// its transport, written out: "body", `query: { limit: params.limit }`.
	fields []string
	// result is the type the method's promise resolves to; void when
	// nothing.
	result string
	// props are the properties of paramsType, in declaration order.
	props []Param
}

// args of the methods that are not parameters of the route.
var fixedArgs = setOf("body", "params", "options")

func (g *generator) operation(op *api.Operation) (operation, error) {
	o := operation{op: op, method: op.ID}
	if o.method == "constructor" {
		o.method = "constructor_" // would be the class's constructor
	}
	err := g.fillOperation(&o)
	var u *unsupported
	if errors.As(err, &u) {
		return o, &api.UnsupportedError{Operation: op.Method + " " + op.Path, Pointer: u.pointer, Reason: u.reason}
	}
	return o, err
}

func (g *generator) fillOperation(o *operation) error {
	op := o.op
	var others []api.Param
	for _, p := range op.Params {
		if p.In != "path" {
			others = append(others, p)
		}
	}
	var err error
	if o.path, o.args, err = g.pathExpr(op); err != nil {
		return err
	}
	o.fields = []string{"method: " + stringLiteral(op.Method), "path: " + o.path}
	if op.Request != nil && op.Kind == api.JSON && !bodiless(op.Method) {
		t, err := g.typeOf(op.Request, "  ", "/request")
		if err != nil {
			return err
		}
		o.args = append(o.args, "body: "+t)
		o.fields = append(o.fields, "body")
	}
	if len(others) > 0 {
		if err := g.params(o, others); err != nil {
			return err
		}
	}
	return g.result(o)
}

// pathExpr returns the expression of op's path, a template literal that
// encodes the path parameters when it has some, and those parameters as
// arguments, in path order.
func (g *generator) pathExpr(op *api.Operation) (string, []string, error) {
	var text, templ strings.Builder
	var args []string
	for i, seg := range strings.Split(op.Path, "/") {
		if i > 0 {
			text.WriteByte('/')
			templ.WriteByte('/')
		}
		name, ok := strings.CutPrefix(seg, "{")
		if name, ok = strings.CutSuffix(name, "}"); !ok {
			text.WriteString(seg)
			templ.WriteString(templateText(seg))
			continue
		}
		if name == "$" { // {$} anchors the pattern at the trailing slash
			continue
		}
		name, rest := strings.CutSuffix(name, "...")
		arg, t := localName(name), "string"
		for _, p := range op.Params {
			if p.In == "path" && p.Name == name {
				var err error
				if t, err = g.paramType(p.Schema, "/params/path/"+pointerEscape(name)); err != nil {
					return "", nil, err
				}
			}
		}
		args = append(args, arg+": "+t)
		switch {
		case !rest:
			fmt.Fprintf(&templ, "${encodeURIComponent(%s)}", arg)
		case t == "string":
			fmt.Fprintf(&templ, "${encodePathRest(%s)}", arg)
		default:
			fmt.Fprintf(&templ, "${encodePathRest(String(%s))}", arg)
		}
	}
	if args == nil {
		return stringLiteral(text.String()), nil, nil
	}
	return "`" + templ.String() + "`", args, nil
}

// params declares the interface of the query, header and cookie
// parameters, adds the params argument and sends them.
func (g *generator) params(o *operation, ps []api.Param) error {
	o.paramsType = g.n.claim(pascal(o.method) + "Params")
	var b strings.Builder
	writeDoc(&b, "", []string{fmt.Sprintf("The parameters of {@link %s.%s}.", g.className, o.method)})
	fmt.Fprintf(&b, "export interface %s {\n", o.paramsType)
	required := false
	byIn := map[string][]string{}
	props := map[string]bool{}
	for _, p := range ps {
		prop := p.Name
		if props[prop] { // a query and a header parameter may share a name
			prop = p.In + pascal(p.Name)
		}
		props[prop] = true
		t, err := g.paramType(p.Schema, "/params/"+p.In+"/"+pointerEscape(p.Name))
		if err != nil {
			return err
		}
		writeDoc(&b, "  ", g.paramDoc(p))
		o.props = append(o.props, Param{Property: prop, In: p.In, Name: p.Name, Type: t, Required: p.Required})
		opt := ""
		if required = required || p.Required; !p.Required {
			opt, t = "?", t+" | undefined" // left out, as when absent
		}
		fmt.Fprintf(&b, "  %s%s: %s;\n", propertyKey(prop), opt, t)
		byIn[p.In] = append(byIn[p.In], propertyKey(p.Name)+": "+member("params", prop))
	}
	b.WriteString("}\n")
	o.paramsDecl = b.String()
	arg := "params: " + o.paramsType
	if !required {
		arg += " = {}"
	}
	o.args = append(o.args, arg)
	for _, in := range []string{"query", "header", "cookie"} {
		if f := byIn[in]; f != nil {
			key := map[string]string{"query": "query", "header": "headers", "cookie": "cookies"}[in]
			o.fields = append(o.fields, key+": { "+strings.Join(f, ", ")+" }")
		}
	}
	return nil
}

// paramDoc is the doc comment of a parameter's property.
func (g *generator) paramDoc(p api.Param) []string {
	doc := []string{fmt.Sprintf("The %s parameter %s.", p.In, stringLiteral(p.Name))}
	if g.isObject(p.Schema) {
		doc = append(doc, "Sent as text: its type parses itself from text on the server.")
	}
	return append(doc, schemaDoc(g.a.Resolve(p.Schema))...)
}

// paramType is the type of a parameter's value. A parameter is text on
// the wire: one whose schema is an object (a Go type that implements
// encoding.TextUnmarshaler but not TextMarshaler) is sent as given.
func (g *generator) paramType(s *schema.Schema, at string) (string, error) {
	if g.isObject(s) {
		return "string | number | boolean", nil
	}
	return g.typeOf(s, "  ", at)
}

// result sets what the method returns.
func (g *generator) result(o *operation) error {
	op := o.op
	switch op.Kind {
	case api.SSE:
		o.result = "EventStream<TData>"
		return nil
	case api.WebSocket:
		o.result = "JsonSocket<TIn, TOut>"
		return nil
	case api.Raw:
		o.result = "Response"
		return nil
	}
	if op.Response == nil || op.Status == 204 || g.isEmptyPointer(op.Response) {
		o.result = "void"
		return nil
	}
	t, err := g.typeOf(op.Response, "  ", "/response")
	if err != nil {
		return err
	}
	o.result = t
	if nullable(g.a.Resolve(op.Response)) || nullable(op.Response) {
		o.fields = append(o.fields, "noContent: null") // a nil pointer is a 204
	}
	return nil
}

// isEmptyPointer reports whether s is a pointer to an empty struct: nil
// answers 204, anything else {}, so the response says nothing.
func (g *generator) isEmptyPointer(s *schema.Schema) bool {
	if len(s.AnyOf) == 2 {
		for _, alt := range s.AnyOf {
			if !slices.Equal(alt.Type, schema.Types{"null"}) {
				s = g.a.Resolve(alt)
			}
		}
		return s != nil && isEmptyObject(s)
	}
	return nullable(s) && isEmptyObject(s)
}

func isEmptyObject(s *schema.Schema) bool {
	return s.Type.Has("object") && len(s.Properties) == 0 && s.AdditionalProperties == nil
}

func nullable(s *schema.Schema) bool {
	if s == nil {
		return false
	}
	if s.Type.Has("null") {
		return true
	}
	return slices.ContainsFunc(s.AnyOf, func(alt *schema.Schema) bool { return slices.Equal(alt.Type, schema.Types{"null"}) })
}

// bodiless reports whether fetch refuses to send a body with method.
func bodiless(method string) bool { return method == "GET" || method == "HEAD" }

// localName makes a path parameter's name an argument name.
func localName(name string) string {
	n := camel(name)
	if keywords[n] || fixedArgs[n] || n == "encodeURIComponent" || n == "encodePathRest" || n == "String" {
		n += "Param"
	}
	return n
}

// templateText escapes s for a template literal.
func templateText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "`", "\\`")
	return strings.ReplaceAll(s, "${", "\\${")
}

func (g *generator) clientFile() ([]byte, error) {
	var b strings.Builder
	b.WriteString(g.header() + "\n")
	g.imports(&b)
	g.versionConst(&b)
	for _, o := range g.ops {
		if o.paramsDecl != "" {
			b.WriteString("\n" + o.paramsDecl)
		}
	}
	b.WriteString("\n")
	g.classDoc(&b)
	fmt.Fprintf(&b, "export class %s {\n", g.className)
	b.WriteString("  readonly #transport: Transport;\n\n")
	b.WriteString("  constructor(options: ClientOptions) {\n")
	b.WriteString("    this.#transport = new Transport(options, API_VERSION);\n")
	b.WriteString("  }\n")
	for _, o := range g.ops {
		b.WriteString("\n")
		g.method(&b, o)
	}
	b.WriteString("}\n")
	return []byte(b.String()), nil
}

// imports imports what the methods use from the runtime and the types.
func (g *generator) imports(b *strings.Builder) {
	rt := map[string]bool{"Transport": true, "type ClientOptions": true}
	for _, o := range g.ops {
		switch o.op.Kind {
		case api.JSON:
			rt["type ApiPromise"], rt["type CallOptions"] = true, true
		case api.Raw:
			rt["type RawCallOptions"] = true
		case api.SSE:
			rt["type EventStream"], rt["type StreamOptions"] = true, true
		case api.WebSocket:
			rt["type JsonSocket"], rt["type SocketOptions"] = true, true
		}
		if strings.Contains(o.path, "encodePathRest(") {
			rt["encodePathRest"] = true
		}
	}
	names := sortedKeys(rt)
	slices.SortFunc(names, func(x, y string) int {
		return strings.Compare(strings.TrimPrefix(x, "type "), strings.TrimPrefix(y, "type "))
	})
	writeImport(b, "", names, "./runtime.js")
	if len(g.typeNames) > 0 {
		var types []string
		for _, n := range g.typeNames {
			types = append(types, n)
		}
		slices.Sort(types)
		writeImport(b, "type ", types, "./types.js")
	}
}

func writeImport(b *strings.Builder, kind string, names []string, module string) {
	line := "import " + kind + "{ " + strings.Join(names, ", ") + " } from \"" + module + "\";\n"
	if len(line) <= 100 {
		b.WriteString(line)
		return
	}
	b.WriteString("import " + kind + "{\n")
	for _, n := range names {
		b.WriteString("  " + n + ",\n")
	}
	b.WriteString("} from \"" + module + "\";\n")
}

func (g *generator) versionConst(b *strings.Builder) {
	a := g.a
	b.WriteString("\n")
	if a.Version == "" {
		writeDoc(b, "", []string{"The API has no versions: the client sends no X-API-Version."})
		b.WriteString("export const API_VERSION = \"\";\n")
		return
	}
	doc := []string{fmt.Sprintf("The API version the client was generated for (%s), sent as X-API-Version.", a.Semver)}
	if a.Deprecated != nil || a.Sunset != nil {
		var parts []string
		if a.Deprecated != nil {
			parts = append(parts, "deprecated since "+a.Deprecated.UTC().Format("2006-01-02"))
		}
		if a.Sunset != nil {
			parts = append(parts, "served until its sunset on "+a.Sunset.UTC().Format("2006-01-02"))
		}
		doc = append(doc, "It is "+strings.Join(parts, " and ")+".")
	}
	writeDoc(b, "", doc)
	fmt.Fprintf(b, "export const API_VERSION = %s;\n", stringLiteral(a.Version))
}

func (g *generator) classDoc(b *strings.Builder) {
	title := strings.Join(strings.Fields(g.a.Title), " ")
	writeDoc(b, "", []string{
		fmt.Sprintf("A client of the %s API: one method per route.", title),
		"",
		"```ts",
		fmt.Sprintf("const client = new %s({ baseUrl: \"http://localhost:8080\" });", g.className),
		"```",
		"",
		"Error statuses reject with an ApiError carrying the problem document.",
	})
}

// method writes the client's method of o.
func (g *generator) method(b *strings.Builder, o operation) {
	writeDoc(b, "  ", methodDoc(o))
	var typeParams, call, optionsType string
	ret := "Promise<" + o.result + ">"
	switch o.op.Kind {
	case api.JSON:
		call, optionsType, ret = "json<"+o.result+">", "CallOptions", "ApiPromise<"+o.result+">"
	case api.Raw:
		call, optionsType = "raw", "RawCallOptions"
	case api.SSE:
		typeParams, call, optionsType = "<TData = unknown>", "stream<TData>", "StreamOptions"
	case api.WebSocket:
		typeParams, call, optionsType = "<TIn = unknown, TOut = unknown>", "socket<TIn, TOut>", "SocketOptions"
	}
	args := append(slices.Clone(o.args), "options?: "+optionsType)
	sig := "  " + o.method + typeParams + "(" + strings.Join(args, ", ") + "): " + ret + " {\n"
	if len(sig) > maxLine {
		sig = "  " + o.method + typeParams + "(\n    " + strings.Join(args, ",\n    ") + ",\n  ): " + ret + " {\n"
	}
	b.WriteString(sig)
	line := "    return this.#transport." + call + "({ " + strings.Join(o.fields, ", ") + " }, options);\n"
	if len(line) > maxLine {
		line = "    return this.#transport." + call + "(\n      {\n        " + strings.Join(o.fields, ",\n        ") +
			",\n      },\n      options,\n    );\n"
	}
	b.WriteString(line)
	b.WriteString("  }\n")
}

// maxLine is the longest line written on one line, its newline included;
// longer ones are split.
const maxLine = 101

// methodDoc is the doc comment of o's method: the handler's doc comment,
// the route, and what the method's kind returns.
func methodDoc(o operation) []string {
	op := o.op
	var doc []string
	if op.Doc != "" {
		doc = append(strings.Split(op.Doc, "\n"), "")
	}
	route := "`" + op.Method + " " + op.Path + "`"
	if len(op.Middleware) > 0 {
		route += ", through " + strings.Join(op.Middleware, ", ")
	}
	doc = append(doc, route+".")
	switch op.Kind {
	case api.JSON:
		if o.result == "void" && op.Status == 204 {
			doc = append(doc, "It answers 204 No Content.")
		}
		if op.Request != nil && bodiless(op.Method) {
			doc = append(doc, "The route reads a JSON body, which fetch cannot send with "+op.Method+".")
		}
	case api.Raw:
		doc = append(doc,
			"A raw handler: its request and response are not described. The promise",
			"resolves to the fetch Response of a 2xx status, its body unread; other",
			"statuses reject with an ApiError.")
	case api.SSE:
		doc = append(doc,
			"Server-Sent Events: the promise resolves once the server has answered;",
			"iterate the stream with for await. TData types the events' json().")
	case api.WebSocket:
		doc = append(doc,
			"A WebSocket: the promise resolves once it is open. Its messages are not",
			"described: TIn types those received, TOut those sent, both as JSON text.")
	}
	return doc
}
