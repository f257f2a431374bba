package export

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/sdk/goclient"
)

// goClientName is the name a Go export imports the generated client
// under: prefixed like the export's helpers, it takes no name of the
// package the test lives in.
const goClientName = "playgroundclient"

// goCall is a request mapped to a method of the generated Go client.
type goCall struct {
	label string // for messages: the route and the method
	stmts string // the statements that call it, ending with res := …
	time  bool   // the statements use playgroundTime
}

// goMap maps r to a method of the generated Go client for a (methods,
// qualified with goClientName), or says why it does not map.
func goMap(r request, a *api.API, methods []goclient.Method) (call goCall, why string) {
	base, path, m, values, why := mapRoute(r, methods, func(m *goclient.Method) *api.Operation { return m.Op })
	if why != "" {
		return goCall{}, why
	}
	name := "Client." + m.Name
	if why := bodyMismatch(r, m.Body != "", name); why != "" {
		return goCall{}, why
	}
	if m.Body != "" {
		// The client sends the body re-encoded from its type: map the
		// request only when that is the saved body.
		if err := goclient.CheckBody(a, m.Op, []byte(sample(r.Body))); err != nil {
			return goCall{}, fmt.Sprintf("its body does not fit %s's %s: %v", name, strings.TrimPrefix(m.Body, goClientName+"."), err)
		}
	}
	var fields []string
	used := map[string]bool{}
	consumed := map[int]bool{} // the headers that are parameters
	for _, p := range m.Fields {
		var val text
		found := false
		switch p.In {
		case "path":
			v, ok := values[p.Name]
			val, found = text{v}, ok
		case "query", "header":
			val, found = paramValue(r, p.In, p.Name)
		}
		if !found {
			if p.Required {
				return goCall{}, fmt.Sprintf("it has no value for the required %s parameter %s", p.In, p.Name)
			}
			continue
		}
		switch p.In {
		case "query":
			used[p.Name] = true
		case "header":
			for i, h := range r.Headers {
				if len(h[0]) == 1 && strings.EqualFold(h[0][0], p.Name) {
					consumed[i] = true
				}
			}
		}
		v, why := goValue(val, p)
		if why != "" {
			return goCall{}, fmt.Sprintf("the %s parameter %s %s", p.In, p.Name, why)
		}
		call.time = call.time || p.Kind == "time"
		fields = append(fields, p.Field+": "+v)
	}
	if q, ok := extraQuery(r, used); ok {
		if m.Params == "" {
			return goCall{}, fmt.Sprintf("%s takes no query parameters", name)
		}
		return goCall{}, fmt.Sprintf("the query parameter %s is not one of %s", q, name)
	}
	call.label = fmt.Sprintf("%s %s (%s)", r.Method, path, name)

	var b strings.Builder
	version := `""`
	var hs []string
	for i, h := range r.Headers {
		switch {
		case consumed[i]:
		case version == `""` && strings.EqualFold(strings.Join(h[0], ""), "X-API-Version"):
			version = goText(h[1])
		default:
			hs = append(hs, "{"+goText(h[0])+", "+goText(h[1])+"}")
		}
	}
	headers := "nil"
	if len(hs) > 0 {
		headers = "[][2]string{\n" + strings.Join(hs, ",\n") + ",\n}"
	}
	fmt.Fprintf(&b, "c := pg.client(%s, %s, %s)\n", goText(base), version, headers)
	args := []string{"t.Context()"}
	if m.Params != "" {
		if len(fields) == 0 {
			args = append(args, m.Params+"{}")
		} else {
			args = append(args, m.Params+"{\n"+strings.Join(fields, ",\n")+",\n}")
		}
	}
	if m.Body != "" {
		fmt.Fprintf(&b, "var body %s\npg.decode(t, %q, %s, &body)\n", m.Body, call.label, goText(r.Body))
		args = append(args, "body")
	}
	out := "nil"
	if m.Result != "" {
		b.WriteString("out, ")
		out = "out"
	}
	fmt.Fprintf(&b, "resp, err := c.%s(%s)\n", m.Name, strings.Join(args, ", "))
	res := "res := "
	if !hasExpect(r) {
		res = ""
	}
	fmt.Fprintf(&b, "%spg.result(t, %q, %s, resp, err)\n", res, call.label, out)
	call.stmts = b.String()
	return call, ""
}

// hasExpect reports whether r has an expectation to check.
func hasExpect(r request) bool {
	return r.Expect.Status != 0 || len(r.ExpHdrs) > 0 || len(r.JSON) > 0
}

// goValue is the Go expression of a parameter's value t as the field
// p, or why it cannot be one.
func goValue(t text, p goclient.Param) (expr, why string) {
	literal := len(t) == 1
	var lit string // the value as a constant or an expression of type Elem
	typed := false // lit has type Elem already
	switch p.Kind {
	case "string":
		lit = goText(t)
		switch {
		case p.Elem == "string":
			typed = true // a string constant's default type
		case !literal:
			lit, typed = p.Elem+"("+lit+")", true
		}
	case "integer", "number", "boolean", "time":
		if !literal {
			return "", fmt.Sprintf("has Go type %s, and its value is only known when the test runs", p.Elem)
		}
		s := t[0]
		switch p.Kind {
		case "integer":
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return "", fmt.Sprintf("has Go type %s, which %q does not convert to", p.Elem, s)
			}
			lit = strconv.FormatInt(n, 10)
		case "number":
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return "", fmt.Sprintf("has Go type %s, which %q does not convert to", p.Elem, s)
			}
			lit = strconv.FormatFloat(f, 'g', -1, 64)
		case "boolean":
			if s != "true" && s != "false" {
				return "", fmt.Sprintf("has Go type %s, which %q does not convert to", p.Elem, s)
			}
			lit, typed = s, p.Elem == "bool"
		case "time":
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return "", fmt.Sprintf("has Go type %s, which %q does not convert to (RFC 3339)", p.Elem, s)
			}
			lit = fmt.Sprintf("playgroundTime(t, %q)", s)
			if typed = true; p.Elem != "time.Time" {
				lit = p.Elem + "(" + lit + ")"
			}
		}
	default:
		return "", "has Go type " + p.Elem
	}
	switch {
	case p.List:
		return "[]" + p.Elem + "{" + lit + "}", ""
	case p.Pointer && typed:
		return "new(" + lit + ")", ""
	case p.Pointer:
		return "new(" + p.Elem + "(" + lit + "))", ""
	}
	return lit, ""
}

// goClientImports are the imports of a Go export that calls the client
// at clientPath.
func goClientImports(clientPath string, usesTime bool) string {
	std := []string{"bytes", "encoding/json", "errors", "io", "net/http", "os", "os/exec", "reflect", "strconv", "strings", "testing"}
	if usesTime {
		std = append(std, "time")
	}
	var b strings.Builder
	b.WriteString("import (\n")
	for _, p := range std {
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	fmt.Fprintf(&b, "\n\t%s %q\n\t\"gati.dev/gati/gatitest\"\n)\n\n", goClientName, clientPath)
	return b.String()
}

const goClientHelpers = `
// client returns the generated client of the app at base, sending the
// given API version ("" for none) and headers with every request and
// retrying nothing: a test sees each answer.
func (pg *playground) client(base, version string, headers [][2]string) *playgroundclient.Client {
	opts := []playgroundclient.Option{playgroundclient.WithVersion(version), playgroundclient.WithRetry(1, 0)}
	for _, h := range headers {
		opts = append(opts, playgroundclient.WithHeader(h[0], h[1]))
	}
	return playgroundclient.New(base, opts...)
}

// decode decodes a saved JSON body into the body type of the operation.
// A member the type does not have fails the test: the client would not
// send it.
func (pg *playground) decode(t *testing.T, req, body string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: the saved body does not fit the client's %T: %v", req, v, err)
	}
}

// result is what a call of the client answered, as a response: its
// status and headers, and as the body the result encoded as JSON (none
// when out is nil), or for an error status the body the client read.
func (pg *playground) result(t *testing.T, req string, out any, resp *playgroundclient.Response, err error) *playgroundResponse {
	t.Helper()
	var apiErr *playgroundclient.ApiError
	switch {
	case errors.As(err, &apiErr) && apiErr.Response != nil:
		return &playgroundResponse{req, apiErr.Status, apiErr.Response.Header, apiErr.Body}
	case err != nil:
		t.Fatalf("%s: %v (is the app running? $GATI_BASE_URL is its URL)", req, err)
	}
	var body []byte
	if out != nil {
		if body, err = json.Marshal(out); err != nil {
			t.Fatalf("%s: encoding the result: %v", req, err)
		}
	}
	return &playgroundResponse{req, resp.StatusCode, resp.Header, body}
}
`

const goTimeHelper = `
// playgroundTime is a parameter's value, written in RFC 3339.
func playgroundTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
`
