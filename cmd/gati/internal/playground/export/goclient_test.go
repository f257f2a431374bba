package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/playground/collection"
	"gati.dev/gati/cmd/gati/internal/sdk/goclient"
)

// exampleGoClient is the import path of examples/tasks' generated Go
// client in the module goModule writes.
const exampleGoClient = "example.com/playgroundexport/client"

// goModule writes a module that holds the Go export src as
// playground_test.go and examples/tasks' generated Go client in client/,
// requiring this repository's gati. It returns the module's directory.
func goModule(t *testing.T, src []byte) string {
	t.Helper()
	a, err := exampleAPI()
	if err != nil {
		t.Fatal(err)
	}
	client, err := goclient.Generate(a, "client")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join(exampleDir, "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"go.mod":             []byte("module example.com/playgroundexport\n\ngo 1.26\n\nrequire gati.dev/gati v0.0.0\n\nreplace gati.dev/gati => " + root + "\n"),
		"playground_test.go": src,
	}
	for name, b := range client {
		files["client/"+name] = b
	}
	for name, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goCmd runs the go command in dir, outside this repository's workspace.
func goCmd(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(env, "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestGoClientTestRunsAgainstExample exports the example's collection to
// a Go test that calls the example's generated Go client, and runs it: it
// builds and starts the example with gatitest and passes as saved, and
// fails with a wrong expectation, of a result and of an error's problem.
func TestGoClientTestRunsAgainstExample(t *testing.T) {
	t.Parallel()
	reqs, env := exampleCollection(t)
	a, err := exampleAPI()
	if err != nil {
		t.Fatal(err)
	}
	appDir, err := filepath.Abs(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	run := func(reqs []*collection.Request, env2 []string) (string, string, error) {
		src, err := Export(FormatGo, reqs, env, Options{API: a, GoClient: exampleGoClient})
		if err != nil {
			t.Fatal(err)
		}
		out, err := goCmd(goModule(t, src), env2, "test", "-count=1", "-v", ".")
		return string(src), out, err
	}
	selfStart := append(withoutEnv("TASKS_TOKEN"), "GATI_APP_DIR="+appDir, collection.EnvVar("test", "token")+"="+exampleToken)
	src, out, err := run(reqs, selfStart)
	if err != nil || strings.Count(out, "--- PASS") != len(reqs)+1 {
		t.Fatalf("exported Go test: %v\n%s\n%s", err, out, src)
	}
	// Every request of the example calls its operation on the client.
	for _, call := range []string{
		`c := pg.client(pg.v(t, "GATI_BASE_URL"), "", [][2]string{`,
		"var body playgroundclient.CreateInput\n",
		"out, resp, err := c.Create(t.Context(), body)",
		"out, resp, err := c.List(t.Context(), playgroundclient.ListParams{\n\t\t\tDone: new(\"false\"),\n\t\t})",
		"out, resp, err := c.Get(t.Context(), playgroundclient.GetParams{\n\t\t\tID: \"1\",\n\t\t})",
		`playgroundclient "` + exampleGoClient + `"`,
		"gatitest.Start(t, cmd)",
		"res.problem(t)",
	} {
		if !strings.Contains(src, call) {
			t.Errorf("the export has no %q:\n%s", call, src)
		}
	}
	if strings.Contains(src, "Sent with net/http") || strings.Contains(src, "pg.do(") {
		t.Errorf("a request of the example is sent with net/http:\n%s", src)
	}

	bad := wrong(reqs)
	last := *bad[3]
	exp := *last.Expect
	exp.JSON = map[string]any{"/code": "not_found"}
	last.Expect = &exp
	bad[3] = &last
	_, out, err = run(bad, startApp(t))
	for _, want := range []string{
		`POST /tasks (Client.Create): /title = "Write docs", want "Write the docs"`,
		"--- FAIL: TestPlaygroundTasks/Create_a_task",
		`POST /tasks (Client.Create): /code = "validation_failed", want "not_found"`,
		"--- FAIL: TestPlaygroundTasks/Create_without_a_title",
	} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("a wrong expectation passed (no %q): %v\n%s", want, err, out)
		}
	}
}

// TestGoClientTestFallbacks exports requests that map to no operation,
// or whose values do not convert, beside some that do, and checks the
// file says why each is sent with net/http and compiles and vets with the
// client.
func TestGoClientTestFallbacks(t *testing.T) {
	t.Parallel()
	reqs, env := exampleCollection(t)
	a, err := exampleAPI()
	if err != nil {
		t.Fatal(err)
	}
	extra := []*collection.Request{
		{Collection: "x", Slug: "a", Name: "Unknown path", Method: "GET", URL: "{{baseUrl}}/nope"},
		{Collection: "x", Slug: "b", Name: "Unknown query", Method: "GET", URL: "{{baseUrl}}/tasks", Query: map[string]string{"sort": "asc"}},
		{Collection: "x", Slug: "c", Name: "Not JSON", Method: "POST", URL: "{{baseUrl}}/tasks", Headers: map[string]string{"Content-Type": "text/plain"}, Body: "hi"},
		{Collection: "x", Slug: "d", Name: "Literal origin", Method: "GET", URL: "http://127.0.0.1:1/tasks", Query: map[string]string{"limit": "2"}, Version: "2025-01-01"},
		{Collection: "x", Slug: "e", Name: "Not an integer", Method: "GET", URL: "{{baseUrl}}/tasks", Query: map[string]string{"limit": "two"}},
		{Collection: "x", Slug: "f", Name: "Run-time integer", Method: "GET", URL: "{{baseUrl}}/tasks", Query: map[string]string{"limit": "{{token}}"}},
		{Collection: "x", Slug: "g", Name: "No body", Method: "POST", URL: "{{baseUrl}}/tasks"},
		{Collection: "x", Slug: "h", Name: "A body to a GET", Method: "GET", URL: "{{baseUrl}}/tasks/1", Body: "{}"},
		{Collection: "x", Slug: "i", Name: "A stream", Method: "GET", URL: "{{baseUrl}}/tasks/stream"},
		{Collection: "x", Slug: "j", Name: "Delete", Method: "DELETE", URL: "{{baseUrl}}/tasks/1"},
		{Collection: "x", Slug: "k", Name: "A title that is no string", Method: "POST", URL: "{{baseUrl}}/tasks", Body: `{"title": 5}`},
		{Collection: "x", Slug: "l", Name: "A member the type has not", Method: "PATCH", URL: "{{baseUrl}}/tasks/1", Body: `{"title": "x", "{{token}}": 1}`},
	}
	src, err := GoClientTest(append(reqs, extra...), env, "main", "", a, exampleGoClient)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"// Sent with net/http: GET /nope is not an operation of the app's JSON API.",
		"// Sent with net/http: the query parameter sort is not one of Client.List.",
		"// Sent with net/http: its body is not JSON.",
		`// Sent with net/http: the query parameter limit has Go type int64, which "two" does not convert to.`,
		"// Sent with net/http: the query parameter limit has Go type int64, and its value is only known when the test runs.",
		"// Sent with net/http: Client.Create needs a body and the request has none.",
		"// Sent with net/http: Client.Get sends no body and the request has one.",
		"// Sent with net/http: GET /tasks/stream is not an operation of the app's JSON API.",
		"// Sent with net/http: its body does not fit Client.Create's CreateInput: /title is not a string.",
		`// Sent with net/http: its body does not fit Client.Update's UpdateInput: the body has a member "x", which the Go type has no field for.`,
		`c := pg.client("http://127.0.0.1:1", "2025-01-01", nil)`,
		"Limit: new(int64(2)),",
		"resp, err := c.Delete(t.Context(), playgroundclient.DeleteParams{",
		`pg.result(t, "DELETE /tasks/1 (Client.Delete)", nil, resp, err)`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("no %q in:\n%s", want, src)
		}
	}
	if out, err := goCmd(goModule(t, src), os.Environ(), "vet", "."); err != nil {
		t.Fatalf("go vet: %v\n%s\n%s", err, out, src)
	}

	// When no request maps, the client is not imported.
	src, err = GoClientTest(extra[:1], env, "main", "", a, exampleGoClient)
	if err != nil || strings.Contains(string(src), "playgroundclient") || !strings.Contains(string(src), "none maps to an operation") {
		t.Fatalf("%v\n%s", err, src)
	}
	if out, err := goCmd(goModule(t, src), os.Environ(), "vet", "."); err != nil {
		t.Fatalf("go vet: %v\n%s\n%s", err, out, src)
	}

	// Without the API or the client, the export is GoTest's.
	want, err := GoTest(reqs, env, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{API: a}, {GoClient: exampleGoClient}} {
		if got, err := Export(FormatGo, reqs, env, o); err != nil || string(got) != string(want) {
			t.Errorf("%+v: the export is not GoTest's: %v", o, err)
		}
	}
}

// TestGoValue checks how parameter values convert to the fields' Go
// types, and which do not.
func TestGoValue(t *testing.T) {
	t.Parallel()
	p := func(typ, kind string, ptr, list bool) goclient.Param {
		elem := strings.TrimPrefix(strings.TrimPrefix(typ, "*"), "[]")
		return goclient.Param{Field: "F", In: "query", Name: "f", Type: typ, Elem: elem, Kind: kind, Pointer: ptr, List: list}
	}
	for _, c := range []struct {
		val  text
		p    goclient.Param
		want string // the expression, or "!" and the reason
	}{
		{text{"a b"}, p("string", "string", false, false), `"a b"`},
		{text{"a"}, p("*string", "string", true, false), `new("a")`},
		{text{"open"}, p("*c.Status", "string", true, false), `new(c.Status("open"))`},
		{text{"open"}, p("c.Status", "string", false, false), `"open"`},
		{text{"", "TOKEN", ""}, p("*c.Status", "string", true, false), `new(c.Status(pg.v(t, "TOKEN")))`},
		{text{"x", "TOKEN", ""}, p("*string", "string", true, false), `new("x" + pg.v(t, "TOKEN"))`},
		{text{"2"}, p("int64", "integer", false, false), `2`},
		{text{"2"}, p("*int64", "integer", true, false), `new(int64(2))`},
		{text{"2"}, p("[]int64", "integer", false, true), `[]int64{2}`},
		{text{"2"}, p("*c.Priority", "integer", true, false), `new(c.Priority(2))`},
		{text{"2.5"}, p("*float64", "number", true, false), `new(float64(2.5))`},
		{text{"NaN"}, p("*float64", "number", true, false), `!has Go type float64, which "NaN" does not convert to`},
		{text{"true"}, p("*bool", "boolean", true, false), `new(true)`},
		{text{"yes"}, p("bool", "boolean", false, false), `!has Go type bool, which "yes" does not convert to`},
		{text{"2026-03-01T17:00:00Z"}, p("*time.Time", "time", true, false), `new(playgroundTime(t, "2026-03-01T17:00:00Z"))`},
		{text{"March"}, p("time.Time", "time", false, false), `!has Go type time.Time, which "March" does not convert to (RFC 3339)`},
		{text{"", "TOKEN", ""}, p("*int64", "integer", true, false), `!has Go type int64, and its value is only known when the test runs`},
	} {
		got, why := goValue(c.val, c.p)
		if why != "" {
			got = "!" + why
		}
		if got != c.want {
			t.Errorf("%q as %s: %s, want %s", c.val, c.p.Type, got, c.want)
		}
	}
}

// TestGoMapHeaders checks that the saved version becomes the client's
// and a header parameter a field, not a header of the client.
func TestGoMapHeaders(t *testing.T) {
	t.Parallel()
	m := goclient.Method{
		Op:   &api.Operation{Method: "GET", Path: "/items/{id}", Kind: api.JSON},
		Name: "GetItem", Params: "playgroundclient.GetItemParams", Result: "playgroundclient.Item",
		Fields: []goclient.Param{
			{Field: "ID", In: "path", Name: "id", Type: "int64", Elem: "int64", Kind: "integer", Required: true},
			{Field: "XTrace", In: "header", Name: "X-Trace", Type: "string", Elem: "string", Kind: "string", Required: true},
		},
	}
	r := request{Method: "GET", Path: text{"", BaseURLVar, "/items/7"}, Body: text{""},
		Headers: [][2]text{{{"X-API-Version"}, {"2025-01-01"}}, {{"x-trace"}, {"abc"}}, {{"Accept"}, {"application/json"}}}}
	call, why := goMap(r, nil, []goclient.Method{m})
	if why != "" {
		t.Fatal(why)
	}
	for _, want := range []string{
		`c := pg.client(pg.v(t, "GATI_BASE_URL"), "2025-01-01", [][2]string{` + "\n" + `{"Accept", "application/json"},` + "\n}",
		"ID: 7,\nXTrace: \"abc\",\n",
		"pg.result(t, \"GET /items/7 (Client.GetItem)\", out, resp, err)",
	} {
		if !strings.Contains(call.stmts, want) {
			t.Errorf("no %q in:\n%s", want, call.stmts)
		}
	}
	r.Headers = r.Headers[:1]
	if _, why := goMap(r, nil, []goclient.Method{m}); why != "it has no value for the required header parameter X-Trace" {
		t.Errorf("without the header: %q", why)
	}
	r.Path = text{"", BaseURLVar, "/items/seven"}
	if _, why := goMap(r, nil, []goclient.Method{m}); why != `the path parameter id has Go type int64, which "seven" does not convert to` {
		t.Errorf("a path value that is no integer: %q", why)
	}
}
