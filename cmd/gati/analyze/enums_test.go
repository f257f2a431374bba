package analyze_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

// TestGenerateEnums generates the registration of the enums fixture,
// whose enums have exported and unexported constants in package main and
// another package, then runs a test inside the app: after gatiRegister,
// the schemas schema.For computes at run time equal the manifest's, and
// a request with a value outside an enum gets a 422 naming the allowed
// values.
func TestGenerateEnums(t *testing.T) {
	t.Parallel()
	dir := fixture(t, "enums")
	m, err := analyze.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := manifest.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "enums.manifest.json", data)
	path, _, err := analyze.Generate(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "enums.gati_gen.go.golden", src)
	if err := manifest.Write(dir, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "runtime_test.go"), []byte(runtimeTest), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test in the generated app: %v\n%s", err, out)
	}
}

// runtimeTest runs inside the enums fixture app.
const runtimeTest = `package main

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
	"gati.dev/gati/manifest"
	"gati.dev/gati/schema"
)

func TestRuntimeSchemas(t *testing.T) {
	m, err := manifest.Read(".")
	if err != nil {
		t.Fatal(err)
	}
	app := gati.New(gati.WithEnv("test"))
	gatiRegister(app)
	infos := map[string]gati.RouteInfo{}
	for _, ri := range app.Routes() {
		infos[ri.Pattern] = ri
	}
	typed := 0
	for _, r := range m.Routes {
		if r.Request == nil {
			continue
		}
		typed++
		ri := infos[r.Pattern]
		for _, c := range []struct {
			what string
			t    reflect.Type
			want *schema.Schema
		}{{"request", ri.In, r.Request.Schema}, {"response", ri.Out, r.Response.Schema}} {
			got, err := schema.For(c.t)
			if err != nil {
				t.Fatal(err)
			}
			if !schema.Equal(got, c.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(c.want)
				t.Errorf("%s %s schema at run time:\n%s\nmanifest:\n%s", r.Pattern, c.what, g, w)
			}
		}
		params, err := schema.Params(ri.In)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(params)
		w, _ := json.Marshal(r.Request.Params)
		if string(g) != string(w) {
			t.Errorf("%s params at run time:\n%s\nmanifest:\n%s", r.Pattern, g, w)
		}
	}
	if typed == 0 || len(m.Enums) == 0 {
		t.Fatalf("the manifest has %d typed routes and %d enums", typed, len(m.Enums))
	}

	srv := gatitest.Serve(t, app)
	for _, c := range []struct{ query, body, allowed string }{
		{"", ` + "`" + `{"title":"x","priority":3,"status":"todo"}` + "`" + `, "1, 2"},
		{"", ` + "`" + `{"title":"x","priority":1,"status":"doing"}` + "`" + `, "archived"},
		{"?level=7", ` + "`" + `{"title":"x","priority":1,"status":"todo"}` + "`" + `, "200"},
	} {
		resp, err := srv.Client().Post(srv.URL+"/tasks"+c.query, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		p := gatitest.DecodeProblem(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fmtProblem(p), c.allowed) {
			t.Errorf("POST /tasks%s %s: %d %+v; want 422 naming %s", c.query, c.body, resp.StatusCode, p, c.allowed)
		}
	}
	resp, err := srv.Client().Post(srv.URL+"/tasks?level=200", "application/json",
		strings.NewReader(` + "`" + `{"title":"x","priority":2,"status":"archived"}` + "`" + `))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST /tasks with allowed values: %d; want 200", resp.StatusCode)
	}
}

func fmtProblem(p gati.Problem) string {
	b, _ := json.Marshal(p)
	return string(b)
}
`

// TestRenderEnums covers what the enums fixture cannot: a package named
// schema, values as decoded from manifest.json (float64), and an
// unexported type of another package, which gati_gen.go cannot name.
func TestRenderEnums(t *testing.T) {
	t.Parallel()
	m := &manifest.Manifest{
		Module: "example.com/app", MainDir: ".",
		Packages: []manifest.Package{{Path: "example.com/app/schema", Name: "schema"}},
		Enums: []manifest.Enum{
			{Package: "example.com/app/schema", Name: "Level", Values: []any{1.0, -2.0}, Consts: []string{"LevelOne", "levelMinus"}},
			{Package: "example.com/app/schema", Name: "kind", Values: []any{"a"}, Consts: []string{"KindA"}},
		},
	}
	src, err := analyze.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	want := "\tschema.RegisterEnum(reflect.TypeFor[schema2.Level](), schema2.LevelOne, schema2.Level(-2))\n}\n"
	if !strings.HasSuffix(string(src), want) || !strings.Contains(string(src), `schema2 "example.com/app/schema"`) {
		t.Errorf("generated code does not end with %q:\n%s", want, src)
	}

	m.Enums = m.Enums[1:]
	if src, err = analyze.Render(m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "reflect") || strings.Contains(string(src), "RegisterEnum") {
		t.Errorf("an unexported type of another package is registered:\n%s", src)
	}
}
