package goclient

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// operationsFile is operations.go: a method per operation, after the
// struct of its parameters.
func (g *generator) operationsFile() *file {
	f := newFile()
	f.use("context")
	for i := range g.api.Operations {
		g.operation(f, i)
	}
	return f
}

// param is one parameter as a field of a parameters struct.
type param struct {
	api.Param
	field string
	typ   string
	// text writes the Go expression of a value (an element, for a list)
	// as the parameter's text.
	text func(expr string) string
	// escape is set when the text may need escaping in a path.
	escape   bool
	list     bool
	optional bool // a pointer: nil is not sent
	verbatim bool // sent as the caller writes it: the API describes no text form
}

// opParams returns op's parameters, with a string parameter for each
// path wildcard the route does not describe (a raw handler's).
func (g *generator) opParams(op *api.Operation) []api.Param {
	ps := slices.Clone(op.Params)
	for _, name := range api.PathParams(op.Path) {
		if name == "$" || slices.ContainsFunc(ps, func(p api.Param) bool { return p.In == "path" && p.Name == name }) {
			continue
		}
		ps = append(ps, api.Param{In: "path", Name: name, Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}})
	}
	return ps
}

func (g *generator) paramFields(op *api.Operation, f *file) []param {
	fields := namespace{}
	var out []param
	for _, p := range g.opParams(op) {
		pf := param{Param: p, field: fields.take(exported(p.Name))}
		n, _ := classify(cmpSchema(p.Schema))
		if n.shape == arrayShape {
			pf.list = true
			n, _ = classify(cmpSchema(n.s.Items))
		}
		var ok bool
		if pf.typ, pf.text, pf.escape, ok = g.scalar(n, f); !ok {
			pf.typ, pf.text, pf.escape, pf.verbatim = "string", identity, true, true
		}
		switch {
		case pf.list:
			pf.typ = "[]" + pf.typ
		case !p.Required:
			pf.typ, pf.optional = "*"+pf.typ, true
		}
		out = append(out, pf)
	}
	return out
}

func cmpSchema(s *schema.Schema) *schema.Schema {
	if s == nil {
		return &schema.Schema{}
	}
	return s
}

func identity(expr string) string { return expr }

// receiver drops the dereference of a pointer to call a method of its
// value: Go does it.
func receiver(expr string) string {
	return strings.TrimPrefix(expr, "*")
}

// scalar returns the Go type of a parameter of n and how to write it as
// text; ok is false when n is not a string, number, boolean or time.
func (g *generator) scalar(n node, f *file) (typ string, text func(string) string, escape, ok bool) {
	typ = g.baseType(n, f)
	if n.shape == refShape {
		d, found := g.def(n)
		if !found || !scalarShape(d.shape) {
			return "", nil, false, false
		}
		base := g.baseType(d, f) // the conversion to the underlying type
		_, baseText, escape, ok := g.scalar(d, f)
		return typ, func(expr string) string { return baseText(base + "(" + expr + ")") }, escape, ok
	}
	switch n.shape {
	case stringShape:
		return typ, identity, true, true
	case timeShape:
		return typ, func(expr string) string { return receiver(expr) + ".Format(time.RFC3339Nano)" }, true, true
	case integerShape:
		f.use("strconv")
		return typ, func(expr string) string { return "strconv.FormatInt(" + expr + ", 10)" }, false, true
	case numberShape:
		f.use("strconv")
		return typ, func(expr string) string { return "strconv.FormatFloat(" + expr + ", 'g', -1, 64)" }, false, true
	case booleanShape:
		f.use("strconv")
		return typ, func(expr string) string { return "strconv.FormatBool(" + expr + ")" }, false, true
	}
	return "", nil, false, false
}

func (g *generator) operation(f *file, i int) {
	op := &g.api.Operations[i]
	m, paramsType := g.methods[i], g.params[i]
	ps := g.paramFields(op, f)
	args := []string{"ctx context.Context"}
	if paramsType != "" {
		g.paramsStruct(f, m, paramsType, ps)
		args = append(args, "params "+paramsType)
	}
	fields := []string{"method: " + methodExpr(op.Method, f), "path: " + g.pathExpr(op.Path, ps, f)}
	var stmts strings.Builder
	for _, in := range []string{"query", "header", "cookie"} {
		if s, field := g.sendParams(in, ps, f); s != "" {
			stmts.WriteString(s)
			fields = append(fields, field)
		}
	}
	switch {
	case op.Request != nil:
		args = append(args, "body "+g.goType(op.Request, f))
		fields = append(fields, "json: body")
	case op.Kind == api.Raw && hasBody(op.Method):
		f.use("io")
		args = append(args, "contentType string", "body io.Reader")
		fields = append(fields, "body: body", "contentType: contentType")
	}
	req := "&request{" + strings.Join(fields, ", ") + "}"

	f.printf("%s", comment("", g.methodDoc(op, m)))
	sig := fmt.Sprintf("func (c *Client) %s(%s)", m, strings.Join(args, ", "))
	switch op.Kind {
	case api.SSE:
		f.printf("%s (*EventStream, error) {\n%sreturn c.stream(ctx, %s)\n}\n\n", sig, stmts.String(), req)
	case api.WebSocket:
		f.printf("%s (WebSocketRequest, error) {\n%sreturn c.webSocket(ctx, %s)\n}\n\n", sig, stmts.String(), req)
	case api.Raw:
		f.use("net/http")
		f.printf("%s (*http.Response, error) {\n%sreturn c.raw(ctx, %s)\n}\n\n", sig, stmts.String(), req)
	default:
		if !informative(op.Response) {
			f.printf("%s (*Response, error) {\n%sreturn c.do(ctx, %s, nil)\n}\n\n", sig, stmts.String(), req)
			return
		}
		out := g.goType(op.Response, f)
		f.printf("%s (%s, *Response, error) {\n%svar out %s\nresp, err := c.do(ctx, %s, &out)\nreturn out, resp, err\n}\n\n",
			sig, out, stmts.String(), out, req)
	}
}

// informative reports whether a response of schema s says anything: not
// when there is none, or it is an object without properties (the
// *struct{} of a handler that answers 204 No Content).
func informative(s *schema.Schema) bool {
	if s == nil {
		return false
	}
	n, _ := classify(s)
	return n.shape != structShape || len(n.s.Properties) > 0
}

func hasBody(method string) bool {
	switch method {
	case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE":
		return false
	}
	return true
}

// methodExpr is the net/http constant of method, else a string.
func methodExpr(method string, f *file) string {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE":
		f.use("net/http")
		return "http.Method" + method[:1] + strings.ToLower(method[1:])
	}
	return strconv.Quote(method)
}

func (g *generator) paramsStruct(f *file, method, name string, ps []param) {
	f.printf("// %s are the parameters of %s.\ntype %s struct {\n", name, method, name)
	for _, p := range ps {
		doc := fmt.Sprintf("%s is the %s parameter %q.", p.field, p.In, p.Name)
		switch {
		case p.verbatim:
			doc += " It is sent as written: the API does not describe its text."
		case p.Schema != nil:
			n, _ := classify(p.Schema)
			if extra := fieldDoc(p.Schema, n); extra != "" {
				doc += " " + extra
			}
		}
		f.printf("%s%s %s\n", comment("\t", doc), p.field, p.typ)
	}
	f.printf("}\n\n")
}

// pathExpr returns the Go expression of path with its parameters
// filled in and escaped.
func (g *generator) pathExpr(path string, ps []param, f *file) string {
	var parts []string
	lit := func(s string) {
		if s != "" {
			parts = append(parts, strconv.Quote(s))
		}
	}
	for {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path[max(i, 0):], '}')
		if i < 0 || j < 0 {
			lit(path)
			break
		}
		lit(path[:i])
		name, wildcard := strings.CutSuffix(path[i+1:i+j], "...")
		path = path[i+j+1:]
		if name == "$" {
			continue
		}
		k := slices.IndexFunc(ps, func(p param) bool { return p.In == "path" && p.Name == name })
		p := ps[k]
		expr := p.text("params." + p.field)
		switch {
		case wildcard:
			f.use("net/url")
			expr = "(&url.URL{Path: " + expr + "}).EscapedPath()"
		case p.escape:
			f.use("net/url")
			expr = "url.PathEscape(" + expr + ")"
		}
		parts = append(parts, expr)
	}
	if len(parts) == 0 {
		return `"/"`
	}
	return strings.Join(parts, " + ")
}

// sendParams returns the statements that put the parameters in (query,
// header or cookie) into the request, and the request's field for them;
// "" when there are none.
func (g *generator) sendParams(in string, ps []param, f *file) (stmts, field string) {
	var b strings.Builder
	for _, p := range ps {
		if p.In != in {
			continue
		}
		if b.Len() == 0 {
			switch in {
			case "query":
				f.use("net/url")
				b.WriteString("query := url.Values{}\n")
			case "header":
				f.use("net/http")
				b.WriteString("header := http.Header{}\n")
			case "cookie":
				f.use("net/http")
				b.WriteString("var cookies []*http.Cookie\n")
			}
		}
		add := func(expr string) string {
			switch in {
			case "query":
				return fmt.Sprintf("query.Add(%q, %s)\n", p.Name, expr)
			case "header":
				return fmt.Sprintf("header.Add(%q, %s)\n", p.Name, expr)
			}
			return fmt.Sprintf("cookies = append(cookies, &http.Cookie{Name: %q, Value: %s})\n", p.Name, expr)
		}
		v := "params." + p.field
		switch {
		case p.list:
			fmt.Fprintf(&b, "for _, v := range %s {\n%s}\n", v, add(p.text("v")))
		case p.optional:
			fmt.Fprintf(&b, "if %s != nil {\n%s}\n", v, add(p.text("*"+v)))
		default:
			b.WriteString(add(p.text(v)))
		}
	}
	if b.Len() == 0 {
		return "", ""
	}
	switch in {
	case "query":
		return b.String(), "query: query"
	case "header":
		return b.String(), "header: header"
	}
	return b.String(), "cookies: cookies"
}

// methodDoc is the doc comment of method m of op: the handler's doc
// comment, with its name changed to m's, and the route.
func (g *generator) methodDoc(op *api.Operation, m string) string {
	route := op.Method + " " + op.Path
	doc := strings.TrimSpace(op.Doc)
	if doc == "" {
		doc = m + " calls " + route + "."
	} else {
		if fn := op.Handler[strings.LastIndexByte(op.Handler, '.')+1:]; fn != "" && fn != m {
			if rest, ok := strings.CutPrefix(doc, fn+" "); ok {
				doc = m + " " + rest
			}
		}
		doc += "\n\nIt calls " + route + "."
	}
	switch op.Kind {
	case api.SSE:
		doc += " It returns the Server-Sent Events the route answers with; close the stream when done."
	case api.WebSocket:
		doc += " The route is a WebSocket: " + m + " returns the handshake to dial with a WebSocket library (see WebSocketRequest)."
	case api.Raw:
		doc += " The API does not describe the response: " + m + " returns it for the caller to read and close, or an *ApiError for a status other than 2xx."
	}
	return doc
}
