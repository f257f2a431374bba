package openapi

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

func TestRawHandler(t *testing.T) {
	t.Parallel()
	doc := documentOf(t, syntheticAPI())
	if has(doc, "paths", "/files/{bucket}/{path...}") {
		t.Error("the wildcard's ... is left in the path")
	}
	op := at(t, doc, "paths", "/files/{bucket}/{path}", "get")
	if got := paramList(t, op); got != "path:bucket!,path:path!,$ref:X-API-Version" {
		t.Errorf("parameters %s, want the path's as required strings, then the version", got)
	}
	if got := at(t, op, "parameters", "1", "schema", "type"); got != "string" {
		t.Errorf("path parameter schema type %v, want string", got)
	}
	if got, want := statuses(t, op), "2XX,400,404,410,500,503,default"; got != want {
		t.Errorf("responses %s, want %s", got, want)
	}
	success := at(t, op, "responses", "2XX")
	if d := at(t, success, "description").(string); !strings.Contains(d, "not described") {
		t.Errorf("success description %q does not say the response is not described", d)
	}
	if got := slices.Collect(maps.Keys(at(t, success, "content").(map[string]any))); !slices.Equal(got, []string{"*/*"}) {
		t.Errorf("success content %v, want */* alone", got)
	}
	if at(t, op, "summary") != "Get serves a file as J. Doe stored it." ||
		at(t, op, "description") != "Its type is the stored one.\n\nRanges are not supported." {
		t.Errorf("summary %q description %q", at(t, op, "summary"), at(t, op, "description"))
	}
	if at(t, op, "x-gati-handler") != "files.Get" || at(t, op, "x-gati-source") != "files/files.go:12" {
		t.Errorf("handler %v source %v", at(t, op, "x-gati-handler"), at(t, op, "x-gati-source"))
	}
	root := at(t, doc, "paths", "/", "get")
	if at(t, root, "summary") != "GET /" || has(root, "tags") || has(root, "description") {
		t.Errorf("an undocumented operation on /{$}: %v", root)
	}
}

func TestServerSentEvents(t *testing.T) {
	t.Parallel()
	doc := documentOf(t, oneOperation(api.Operation{ID: "events", Method: "GET", Path: "/events", Kind: api.SSE}))
	op := at(t, doc, "paths", "/events", "get")
	if got, want := statuses(t, op), "200,400,500,503,default"; got != want {
		t.Errorf("responses %s, want %s", got, want)
	}
	content := at(t, op, "responses", "200", "content").(map[string]any)
	if _, ok := content["text/event-stream"]; !ok || len(content) != 1 {
		t.Errorf("200 content %v, want text/event-stream alone", content)
	}
	if has(op, "x-gati-websocket") {
		t.Error("an SSE operation is marked as a WebSocket")
	}
}

func TestWebSocket(t *testing.T) {
	t.Parallel()
	doc := documentOf(t, oneOperation(api.Operation{ID: "socket", Method: "GET", Path: "/ws", Kind: api.WebSocket}))
	op := at(t, doc, "paths", "/ws", "get")
	if got, want := statuses(t, op), "101,400,500,503,default"; got != want {
		t.Errorf("responses %s, want %s", got, want)
	}
	if has(op, "responses", "101", "content") {
		t.Error("the 101 response has content")
	}
	if at(t, op, "x-gati-websocket") != true {
		t.Error("x-gati-websocket is not true")
	}
}

// TestDeprecatedVersion guards the life cycle: a deprecated version's
// operations are deprecated with their sunset, its responses always carry
// Deprecation and Sunset, and the newest version's do only when a client
// asks for the old one.
func TestDeprecatedVersion(t *testing.T) {
	t.Parallel()
	doc := documentOf(t, syntheticAPI())
	for path, methods := range at(t, doc, "paths").(map[string]any) {
		for method, op := range methods.(map[string]any) {
			if at(t, op, "deprecated") != true || at(t, op, "x-gati-sunset") != "2026-01-01T00:00:00Z" {
				t.Errorf("%s %s: deprecated %v, sunset %v", method, path, at(t, op, "deprecated"), at(t, op, "x-gati-sunset"))
			}
		}
	}
	headers := at(t, doc, "components", "headers")
	for name, example := range map[string]string{"Deprecation": "@1740832200", "Sunset": "Thu, 01 Jan 2026 00:00:00 GMT"} {
		if at(t, headers, name, "required") != true || at(t, headers, name, "schema", "examples", "0") != example {
			t.Errorf("header %s: %v, want required with example %s", name, at(t, headers, name), example)
		}
	}
	for _, part := range []string{"deprecated since 2025-03-01T12:30:00Z", "retired on 2026-01-01T00:00:00Z"} {
		if d := at(t, doc, "info", "description").(string); !strings.Contains(d, part) {
			t.Errorf("info description %q does not say %q", d, part)
		}
	}

	head := syntheticAPI()
	head.Version, head.Semver, head.Head, head.Deprecated, head.Sunset = "2024-06-01", "2.0.0", true, nil, nil
	doc = documentOf(t, head)
	op := at(t, doc, "paths", "/items", "post")
	if has(op, "deprecated") || has(op, "x-gati-sunset") || has(op, "responses", "410") {
		t.Errorf("the newest version's operation is deprecated, has a sunset or answers 410: %v", op)
	}
	for _, name := range []string{"Deprecation", "Sunset", "Link"} {
		if has(doc, "components", "headers", name, "required") {
			t.Errorf("header %s is required in the newest version", name)
		}
		if !has(op, "responses", "201", "headers", name) {
			t.Errorf("header %s is missing: a client may ask for the deprecated version", name)
		}
	}

	doc = documentOf(t, goldenAPI(t, "versioned-api", "2025-01-01"))
	op = at(t, doc, "paths", "/users/{id}", "get")
	if at(t, op, "deprecated") != true || at(t, op, "x-gati-sunset") != "2030-01-01T00:00:00Z" {
		t.Errorf("versioned-api 2025-01-01: deprecated %v, sunset %v", at(t, op, "deprecated"), at(t, op, "x-gati-sunset"))
	}
}

// TestParameters guards order (path parameters in path order, then the
// others as declared, then X-API-Version) and required flags.
func TestParameters(t *testing.T) {
	t.Parallel()
	doc := documentOf(t, syntheticAPI())
	op := at(t, doc, "paths", "/items/{id}", "get")
	if got, want := paramList(t, op), "path:id!,query:fields!,header:X-Trace,cookie:session,$ref:X-API-Version"; got != want {
		t.Errorf("parameters %s, want %s", got, want)
	}
	if at(t, op, "parameters", "1", "description") != "The fields to return, comma-separated." || has(op, "parameters", "1", "schema", "description") {
		t.Errorf("the schema's description is not lifted to the parameter: %v", at(t, op, "parameters", "1"))
	}
	version := at(t, doc, "components", "parameters", "X-API-Version")
	if at(t, version, "name") != "X-API-Version" || at(t, version, "in") != "header" || has(version, "required") ||
		at(t, version, "schema", "default") != "2024-01-01" || !reflect.DeepEqual(at(t, version, "schema", "enum"), []any{"2024-01-01", "2024-06-01"}) {
		t.Errorf("X-API-Version parameter %v", version)
	}

	unordered := oneOperation(api.Operation{ID: "get", Method: "GET", Path: "/a/{x}/{y}", Kind: api.JSON, Status: 200, Params: []api.Param{
		{In: "query", Name: "q", Schema: str()},
		{In: "header", Name: "x-api-version", Schema: str()},
		{In: "path", Name: "y", Schema: str()},
		{In: "path", Name: "x", Schema: str()},
	}})
	unordered.Versions = []api.Version{{ID: "2025-01-01"}}
	op = at(t, documentOf(t, unordered), "paths", "/a/{x}/{y}", "get")
	if got, want := paramList(t, op), "path:x!,path:y!,query:q,header:x-api-version"; got != want {
		t.Errorf("parameters %s, want %s (path parameters required, and no second version header)", got, want)
	}

	doc = documentOf(t, goldenAPI(t, "hello-world", api.Head))
	if has(doc, "components", "parameters") || has(doc, "components", "headers", "X-API-Version") {
		t.Error("an app without versions has X-API-Version")
	}
}

// TestProblemResponses guards which errors each operation documents and
// that they are all problem documents.
func TestProblemResponses(t *testing.T) {
	t.Parallel()
	id := []api.Param{{In: "path", Name: "id", Required: true, Schema: str()}}
	query := []api.Param{{In: "query", Name: "q", Schema: str()}}
	cases := []struct {
		name string
		op   api.Operation
		want string
	}{
		{"typed, nothing to bind", api.Operation{Method: "GET", Path: "/x", Kind: api.JSON, Status: 200}, "200,400,500,503,default"},
		{"typed with a query", api.Operation{Method: "GET", Path: "/x", Kind: api.JSON, Status: 200, Params: query}, "200,400,422,500,503,default"},
		{"typed with a body", api.Operation{Method: "POST", Path: "/x", Kind: api.JSON, Status: 201, Request: str()}, "201,400,413,415,422,500,503,default"},
		{"typed with a path parameter", api.Operation{Method: "GET", Path: "/x/{id}", Kind: api.JSON, Status: 200, Params: id}, "200,400,404,422,500,503,default"},
		{"raw with a path parameter", api.Operation{Method: "GET", Path: "/x/{id}", Kind: api.Raw}, "2XX,400,404,500,503,default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.op.ID = "op"
			doc := documentOf(t, oneOperation(c.op))
			op := at(t, doc, "paths", pathKey(c.op.Path), strings.ToLower(c.op.Method))
			if got := statuses(t, op); got != c.want {
				t.Errorf("responses %s, want %s", got, c.want)
			}
			for status, r := range at(t, op, "responses").(map[string]any) {
				if status[0] < '4' && status != "default" {
					continue
				}
				name, ok := strings.CutPrefix(at(t, r, "$ref").(string), "#/components/responses/")
				if !ok {
					t.Fatalf("%s: %v is no reference to a shared response", status, r)
				}
				if got := at(t, doc, "components", "responses", name, "content", "application/problem+json", "schema", "$ref"); got != "#/components/schemas/Problem" {
					t.Errorf("%s: schema %v, want the Problem", status, got)
				}
			}
		})
	}
	doc := documentOf(t, oneOperation(cases[0].op))
	problem := at(t, doc, "components", "schemas", "Problem")
	if got := at(t, problem, "required"); !reflect.DeepEqual(got, []any{"code", "status", "title", "type"}) {
		t.Errorf("Problem requires %v", got)
	}
	if got := at(t, problem, "properties", "errors", "items", "$ref"); got != "#/components/schemas/ProblemFieldError" {
		t.Errorf("Problem errors items %v", got)
	}
}

// TestProblemMatchesRuntime holds the Problem components to the problem
// document the gati package writes, but for the stack trace it sends in
// development only.
func TestProblemMatchesRuntime(t *testing.T) {
	t.Parallel()
	if problemContentType != gati.ProblemContentType || problemTypeBase != gati.ProblemTypeBase {
		t.Errorf("constants %q %q, gati has %q %q", problemContentType, problemTypeBase, gati.ProblemContentType, gati.ProblemTypeBase)
	}
	same := func(name string, got *schema.Schema, typ reflect.Type, skip ...string) {
		root, err := schema.For(typ)
		if err != nil {
			t.Fatal(err)
		}
		want := root.Defs[strings.TrimPrefix(root.Ref, "#/$defs/")] // a named struct is a $ref
		if want == nil {
			t.Fatalf("%s: no definition in %+v", typ, root)
		}
		wantProps := slices.DeleteFunc(slices.Sorted(maps.Keys(want.Properties)), func(p string) bool { return slices.Contains(skip, p) })
		if gotProps := slices.Sorted(maps.Keys(got.Properties)); !slices.Equal(gotProps, wantProps) {
			t.Errorf("%s properties %v, %s has %v", name, gotProps, typ, wantProps)
		}
		if !slices.Equal(got.Required, want.Required) {
			t.Errorf("%s requires %v, %s %v", name, got.Required, typ, want.Required)
		}
		for p, s := range got.Properties {
			if w := want.Properties[p]; w != nil && !slices.Equal(s.Type, w.Type) {
				t.Errorf("%s.%s is %v, in %s %v", name, p, s.Type, typ, w.Type)
			}
		}
	}
	names := problemNames{"Problem", "ProblemFieldError"}
	same("Problem", problemSchema(names), reflect.TypeFor[gati.Problem](), "stack")
	same("ProblemFieldError", fieldErrorSchema(), reflect.TypeFor[gati.FieldError]())
}

// TestProblemNames guards the app's own types named like the problem
// document's: they keep their names, and the problem's move aside.
func TestProblemNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		taken []string
		want  string // problem schema name, or an error's text
	}{
		{nil, "Problem"},
		{[]string{"Problem"}, "GatiProblem"},
		{[]string{"ProblemFieldError"}, "GatiProblem"},
		{[]string{"Problem", "GatiProblemFieldError"}, "rename one of those types"},
	}
	for _, c := range cases {
		schemas := map[string]*schema.Schema{}
		for _, n := range c.taken {
			schemas[n] = object(nil)
		}
		names, err := problemNamesFor(schemas)
		got := names.problem
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("taken %v: got %q, want %q", c.taken, got, c.want)
		}
	}

	doc := documentOf(t, syntheticAPI())
	if !has(doc, "components", "schemas", "Problem", "properties", "reason") {
		t.Error("the app's Problem type is overwritten")
	}
	if got := at(t, doc, "components", "responses", "NotFound", "content", "application/problem+json", "schema", "$ref"); got != "#/components/schemas/GatiProblem" {
		t.Errorf("error responses refer to %v, want GatiProblem", got)
	}
	if got := at(t, doc, "components", "schemas", "GatiProblem", "properties", "errors", "items", "$ref"); got != "#/components/schemas/GatiProblemFieldError" {
		t.Errorf("GatiProblem's errors refer to %v", got)
	}
}

// TestResponses guards the success responses of typed handlers: a
// pointer response also answers 204, and 204 has no content.
func TestResponses(t *testing.T) {
	t.Parallel()
	doc := documentOf(t, syntheticAPI())
	get := at(t, doc, "paths", "/items/{id}", "get")
	if got := at(t, get, "responses", "200", "content", "application/json", "schema"); !reflect.DeepEqual(got, map[string]any{"$ref": "#/components/schemas/Item"}) {
		t.Errorf("200 schema %v, want the Item without null", got)
	}
	if !has(get, "responses", "204") || has(get, "responses", "204", "content") {
		t.Errorf("a pointer response: 204 %v", at(t, get, "responses"))
	}
	del := at(t, doc, "paths", "/items/{id}", "delete")
	if has(del, "responses", "200") || has(del, "responses", "204", "content") {
		t.Errorf("a 204 operation: %v", at(t, del, "responses"))
	}
	post := at(t, doc, "paths", "/items", "post")
	if at(t, post, "requestBody", "required") != true || at(t, post, "requestBody", "content", "application/json", "schema", "$ref") != "#/components/schemas/CreateItem" {
		t.Errorf("request body %v", at(t, post, "requestBody"))
	}
	for _, name := range []string{"X-Request-Id", "X-API-Version"} {
		if !has(post, "responses", "201", "headers", name) {
			t.Errorf("201 lacks the %s header", name)
		}
	}
}

// TestRefsResolve guards every document in testdata's worth: every $ref
// points at something in the document, and no $defs remain.
func TestRefsResolve(t *testing.T) {
	t.Parallel()
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			t.Parallel()
			doc := documentOf(t, goldenAPI(t, g.example, g.version))
			refs := 0
			walk(doc, "", func(pointer, key string, v any) {
				switch key {
				case "$defs":
					t.Errorf("%s: $defs remain", pointer)
				case "$ref":
					refs++
					target, ok := strings.CutPrefix(v.(string), "#/components/")
					if !ok || !has(doc, append([]string{"components"}, strings.Split(target, "/")...)...) {
						t.Errorf("%s: $ref %v resolves to no component", pointer, v)
					}
				}
			})
			if refs == 0 {
				t.Error("no $ref found: the walk is broken")
			}
		})
	}
}

// TestDocumentRejects guards the errors for APIs that cannot be written.
func TestDocumentRejects(t *testing.T) {
	t.Parallel()
	op := func(path string, response *schema.Schema) api.Operation {
		return api.Operation{ID: "op", Method: "GET", Path: path, Kind: api.JSON, Status: 200, Response: response}
	}
	cases := []struct {
		name string
		api  *api.API
		want string
	}{
		{"a $ref to nothing", oneOperation(op("/x", &schema.Schema{Type: schema.Types{"array"}, Items: ref("Missing")})),
			`GET /x: /response/items: $ref "#/components/schemas/Missing" names no schema of the API`},
		{"$defs left", oneOperation(op("/x", &schema.Schema{Defs: map[string]*schema.Schema{"T": str()}})),
			"GET /x: /response: $defs remain"},
		{"a $ref to nothing in a named type", withSchemas(oneOperation(op("/x", ref("Task"))),
			map[string]*schema.Schema{"Task": object(map[string]*schema.Schema{"owner": ref("User")})}),
			`schema Task: /properties/owner: $ref "#/components/schemas/User" names no schema`},
		{"a name OpenAPI does not allow", withSchemas(oneOperation(op("/x", ref("Page[User]"))),
			map[string]*schema.Schema{"Page[User]": object(nil)}),
			`schema "Page[User]": not a valid component name`},
		{"a method OpenAPI lacks", oneOperation(api.Operation{ID: "op", Method: "QUERY", Path: "/x", Kind: api.Raw}),
			"QUERY /x: OpenAPI 3.1 cannot describe the method QUERY"},
		{"two routes on one path", withOps(oneOperation(op("/x/{id}", nil)), op("/x/{id...}", nil)),
			"GET /x/{id...}: a second GET route on the OpenAPI path /x/{id}"},
		{"both problem names taken", withSchemas(oneOperation(op("/x", nil)),
			map[string]*schema.Schema{"ProblemFieldError": object(nil), "GatiProblem": object(nil)}),
			"rename one of those types"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Document(c.api)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "openapi: ") {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestSplitDoc(t *testing.T) {
	t.Parallel()
	cases := []struct{ doc, summary, rest string }{
		{"", "", ""},
		{"Get returns one task.", "Get returns one task.", ""},
		{"Get returns one task", "Get returns one task", ""},
		{"Delete removes a task. The nil pointer means 204.", "Delete removes a task.", "The nil pointer means 204."},
		{"List returns the tasks\nin order.\nEach has an id.", "List returns the tasks in order.", "Each has an id."},
		{"Events streams changes: {\"task\":{...}}.\n\nIt subscribes first.", "Events streams changes: {\"task\":{...}}.", "It subscribes first."},
		{"Users reads them\n\nfrom the store.", "Users reads them", "from the store."},
		{"Greet says hi to J. Doe and others. Then stops.", "Greet says hi to J. Doe and others.", "Then stops."},
		{"Version 1.2 is old.\r\nUse 2.", "Version 1.2 is old.", "Use 2."},
	}
	for _, c := range cases {
		summary, rest := splitDoc(c.doc)
		if summary != c.summary || rest != c.rest {
			t.Errorf("splitDoc(%q) = %q, %q, want %q, %q", c.doc, summary, rest, c.summary, c.rest)
		}
	}
}

// documentOf returns the document of a, decoded.
func documentOf(t *testing.T, a *api.API) map[string]any {
	t.Helper()
	b, err := Document(a)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func oneOperation(op api.Operation) *api.API {
	return &api.API{Title: "t", Module: "example.com/t", Head: true, Semver: "0.0.0",
		Operations: []api.Operation{op}, Schemas: map[string]*schema.Schema{}}
}

func withSchemas(a *api.API, schemas map[string]*schema.Schema) *api.API {
	a.Schemas = schemas
	return a
}

func withOps(a *api.API, ops ...api.Operation) *api.API {
	a.Operations = append(a.Operations, ops...)
	return a
}

// at returns the value at path in v, object members by name and array
// items by index, failing the test when there is none.
func at(t *testing.T, v any, path ...string) any {
	t.Helper()
	got, ok := lookup(v, path...)
	if !ok {
		t.Fatalf("nothing at %s", strings.Join(path, "/"))
	}
	return got
}

// has reports whether v has a value at path.
func has(v any, path ...string) bool {
	_, ok := lookup(v, path...)
	return ok
}

func lookup(v any, path ...string) (any, bool) {
	for _, k := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[k]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// walk calls f with every object member under v, and its JSON pointer.
func walk(v any, pointer string, f func(pointer, key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := pointer + "/" + pointerToken(k)
			f(p, k, child)
			walk(child, p, f)
		}
	case []any:
		for i, child := range x {
			walk(child, pointer+"/"+strconv.Itoa(i), f)
		}
	}
}

// statuses lists an operation's response keys, sorted.
func statuses(t *testing.T, op any) string {
	t.Helper()
	return strings.Join(slices.Sorted(maps.Keys(at(t, op, "responses").(map[string]any))), ",")
}

// paramList lists an operation's parameters as in:name, with ! when
// required, or $ref:component.
func paramList(t *testing.T, op any) string {
	t.Helper()
	var out []string
	for _, p := range at(t, op, "parameters").([]any) {
		p := p.(map[string]any)
		if ref, ok := p["$ref"].(string); ok {
			out = append(out, "$ref:"+strings.TrimPrefix(ref, "#/components/parameters/"))
			continue
		}
		s := p["in"].(string) + ":" + p["name"].(string)
		if p["required"] == true {
			s += "!"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}
