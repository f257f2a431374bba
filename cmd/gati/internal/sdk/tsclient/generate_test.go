package tsclient

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/golden"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// goldenFiles are the generated files compared with testdata/golden;
// runtime.ts is this package's runtime.ts behind the header, which
// TestGolden checks instead.
var goldenFiles = []string{"client.ts", "index.ts", "tsconfig.json", "types.ts"}

// TestGolden compares each client with testdata/golden/<case>; go test
// -update rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			files := generated(t, c)
			names := slices.Sorted(func(yield func(string) bool) {
				for n := range files {
					if !yield(n) {
						return
					}
				}
			})
			if want := append(slices.Clone(goldenFiles), "runtime.ts"); !slices.Equal(names, slices.Sorted(slices.Values(want))) {
				t.Fatalf("files %v, want %v", names, want)
			}
			rt := string(files["runtime.ts"])
			if !strings.HasPrefix(rt, Header+"\n") || !strings.HasSuffix(rt, "\n"+runtimeSource) {
				t.Errorf("runtime.ts is not the header and the runtime:\n%.300s", rt)
			}
			for _, name := range goldenFiles {
				golden.Check(t, filepath.Join("testdata", "golden", c.name, name), files[name])
			}
		})
	}
}

// TestDeterministic generates each client several times: Go's map order
// changes between runs, the output must not.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			first := generated(t, c)
			for range 5 {
				again := generated(t, c)
				for name, data := range first {
					if !bytes.Equal(again[name], data) {
						t.Fatalf("%s differs between runs:\n%s", name, golden.LineDiff(string(data), string(again[name])))
					}
				}
			}
		})
	}
}

// TestCompile checks that every client compiles with tsc under the
// generated tsconfig (strict and stricter) into ESM JavaScript and
// declarations, and that the declarations never say any.
func TestCompile(t *testing.T) {
	t.Parallel()
	tl := nodeTools(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := compiled(t, c)
			for _, f := range []string{"index", "client", "types", "runtime"} {
				for _, ext := range []string{".js", ".d.ts"} {
					if _, err := os.Stat(filepath.Join(dir, "dist", f+ext)); err != nil {
						t.Error(err)
					}
				}
			}
			js, err := os.ReadFile(filepath.Join(dir, "dist", "client.js"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(js, []byte(`from "./runtime.js"`)) || bytes.Contains(js, []byte("require(")) {
				t.Errorf("client.js is not an ES module importing ./runtime.js:\n%.500s", js)
			}
			var decls []string
			for _, f := range []string{"index", "client", "types", "runtime"} {
				decls = append(decls, filepath.Join(dir, "dist", f+".d.ts"))
			}
			out, err := exec.Command(tl.node, append([]string{"testdata/noany.mjs", tl.tsc}, decls...)...).CombinedOutput()
			if err != nil {
				t.Errorf("any in the public declarations: %v\n%s", err, out)
			}
		})
	}
}

// TestNoAnyCheckFails guards the check of TestCompile: it must notice an
// any.
func TestNoAnyCheckFails(t *testing.T) {
	t.Parallel()
	tl := nodeTools(t)
	d := filepath.Join(t.TempDir(), "x.d.ts")
	src := "/** any word in a comment is fine */\nexport declare const ok: \"any\";\nexport declare function f(x: Record<string, any>): void;\n"
	if err := os.WriteFile(d, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tl.node, "testdata/noany.mjs", tl.tsc, d).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "x.d.ts:3") || strings.Contains(string(out), "x.d.ts:1") {
		t.Fatalf("noany.mjs: %v\n%s", err, out)
	}
}

func ref(name string) *schema.Schema { return &schema.Schema{Ref: api.RefPrefix + name} }

func typ(types ...string) *schema.Schema { return &schema.Schema{Type: types} }

func TestTypeOf(t *testing.T) {
	t.Parallel()
	g := &generator{a: &api.API{Schemas: map[string]*schema.Schema{"User": typ("object")}},
		typeNames: map[string]string{"User": "User"}}
	min0 := 0.0
	tests := []struct {
		name string
		s    *schema.Schema
		want string
	}{
		{"any", &schema.Schema{}, "unknown"},
		{"nil", nil, "unknown"},
		{"string", typ("string"), "string"},
		{"date-time", &schema.Schema{Type: schema.Types{"string"}, Format: "date-time"}, "string"},
		{"bytes", &schema.Schema{Type: schema.Types{"string"}, Format: "byte"}, "string"},
		{"integer", typ("integer"), "number"},
		{"unsigned", &schema.Schema{Type: schema.Types{"integer"}, Minimum: &min0}, "number"},
		{"nullable", typ("boolean", "null"), "boolean | null"},
		{"null", typ("null"), "null"},
		{"ref", ref("User"), "User"},
		{"nullable ref", &schema.Schema{AnyOf: []*schema.Schema{ref("User"), typ("null")}}, "User | null"},
		{"array", &schema.Schema{Type: schema.Types{"array"}, Items: typ("string")}, "string[]"},
		{"array of nullable", &schema.Schema{Type: schema.Types{"array"}, Items: typ("string", "null")}, "(string | null)[]"},
		{"nullable array", &schema.Schema{Type: schema.Types{"array", "null"}, Items: ref("User")}, "User[] | null"},
		{"map", &schema.Schema{Type: schema.Types{"object"}, AdditionalProperties: typ("integer")}, "Record<string, number>"},
		{"map of any", &schema.Schema{Type: schema.Types{"object"}, AdditionalProperties: &schema.Schema{}}, "Record<string, unknown>"},
		{"empty struct", typ("object"), "Record<string, never>"},
		{"string enum", &schema.Schema{Type: schema.Types{"string"}, Enum: []any{"a", "b\"c"}}, `"a" | "b\"c"`},
		{"int enum", &schema.Schema{Type: schema.Types{"integer", "null"}, Enum: []any{1, 2.5}}, "1 | 2.5 | null"},
		{"struct", &schema.Schema{Type: schema.Types{"object"}, Required: []string{"b"}, Properties: map[string]*schema.Schema{
			"b": typ("string"), "a-b": {Type: schema.Types{"integer"}, Deprecated: true},
		}}, "{\n  /** @deprecated */\n  \"a-b\"?: number;\n  b: string;\n}"},
	}
	for _, tt := range tests {
		got, err := g.typeOf(tt.s, "", "")
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

// TestUnsupported checks that a schema TypeScript cannot express is an
// *api.UnsupportedError naming the operation and where in it.
func TestUnsupported(t *testing.T) {
	t.Parallel()
	bad := []struct {
		name    string
		a       *api.API
		op, ptr string
	}{
		{"type", &api.API{Operations: []api.Operation{{ID: "get", Method: "GET", Path: "/x", Kind: api.JSON, Status: 200,
			Response: &schema.Schema{Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{"c": typ("channel")}}}}},
			"GET /x", "/response/properties/c/type"},
		{"dangling ref", &api.API{Operations: []api.Operation{{ID: "put", Method: "PUT", Path: "/x/{id}", Kind: api.JSON, Status: 200,
			Request: &schema.Schema{Type: schema.Types{"array"}, Items: ref("Gone")}}}},
			"PUT /x/{id}", "/request/items/$ref"},
		{"named type", &api.API{
			Schemas:    map[string]*schema.Schema{"T": {Type: schema.Types{"object"}, AdditionalProperties: typ("func")}},
			Operations: []api.Operation{{ID: "get", Method: "GET", Path: "/x", Kind: api.JSON, Status: 200, Response: ref("T")}}},
			"schema T", "/components/schemas/T/additionalProperties/type"},
	}
	for _, tt := range bad {
		files, err := Generate(tt.a)
		var u *api.UnsupportedError
		if !errors.As(err, &u) || u.Operation != tt.op || u.Pointer != tt.ptr || files != nil {
			t.Errorf("%s: got %v (%#v), files %d; want an UnsupportedError of %s at %s", tt.name, err, u, len(files), tt.op, tt.ptr)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"User": "User", "users.User": "users_User", "Page_User": "Page_User",
		"example.com.app.User": "example_com_app_User", "9lives": "T9lives", "é": "T",
	} {
		if got := typeName(in); got != want {
			t.Errorf("typeName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"id": "id", "user-id": "userId", "X-Request-Id": "xRequestId", "default": "defaultParam",
		"options": "optionsParam", "9": "_9", "": "value",
	} {
		if got := localName(in); got != want {
			t.Errorf("localName(%q) = %q, want %q", in, got, want)
		}
	}
	n := newNamer()
	if got := []string{n.claim("ApiError"), n.claim("User"), n.claim("User"), n.claim("string")}; !slices.Equal(got, []string{"ApiError2", "User", "User2", "string2"}) {
		t.Errorf("claims %v", got)
	}
	if len(runtimeExports) < 10 || !slices.Contains(runtimeExports, export{"class", "ApiError"}) {
		t.Errorf("runtime exports not found: %v", runtimeExports)
	}
}

func TestIsUnion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"string": false, "string | null": true, "{\n  c?: string | null;\n}": false,
		"Record<string, number | null>": false, `"a|b"`: false, `"a\"|" | "b"`: true, "(a | b)[]": false,
	} {
		if got := isUnion(in); got != want {
			t.Errorf("isUnion(%q) = %v", in, got)
		}
	}
}

// TestBodilessMethods checks that a GET reading a JSON body gets no body
// argument, which fetch would refuse, but a note saying so.
func TestBodilessMethods(t *testing.T) {
	t.Parallel()
	a := &api.API{Title: "x", Operations: []api.Operation{{ID: "search", Method: "GET", Path: "/search", Kind: api.JSON,
		Status: 200, Request: typ("object"), Response: typ("string")}}}
	files, err := Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	client := string(files["client.ts"])
	if !strings.Contains(client, "search(options?: CallOptions): ApiPromise<string>") ||
		!strings.Contains(client, "fetch cannot send with GET") {
		t.Errorf("client.ts:\n%s", client)
	}
}

func TestClassName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"tasks": "TasksClient", "versioned-api": "VersionedApiClient", "value store": "ValueStoreClient",
		"": "Client", "日本": "Client", "9 lives": "_9LivesClient",
	} {
		if got := className(in); got != want {
			t.Errorf("className(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParamsShareName checks that a query and a header parameter of one
// name get distinct properties, each sent under its own name.
func TestParamsShareName(t *testing.T) {
	t.Parallel()
	a := &api.API{Title: "x", Operations: []api.Operation{{ID: "list", Method: "GET", Path: "/x", Kind: api.JSON, Status: 200,
		Params: []api.Param{{In: "query", Name: "v", Schema: typ("string")}, {In: "header", Name: "v", Required: true, Schema: typ("integer")}}}}}
	files, err := Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	client := string(files["client.ts"])
	for _, want := range []string{"  v?: string | undefined;\n", "  headerV: number;\n", "query: { v: params.v }", "headers: { v: params.headerV }"} {
		if !strings.Contains(client, want) {
			t.Errorf("client.ts lacks %q:\n%s", want, client)
		}
	}
}

func TestClientClass(t *testing.T) {
	t.Parallel()
	a := &api.API{Title: "tasks", Schemas: map[string]*schema.Schema{"TasksClient": typ("string")},
		Operations: []api.Operation{{ID: "get", Method: "GET", Path: "/", Kind: api.JSON, Status: 200, Response: ref("TasksClient")}}}
	files, err := Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	got := ClientClass(a)
	if got != "TasksClient2" || !strings.Contains(string(files["index.ts"]), " "+got+" ") {
		t.Errorf("ClientClass = %q; index.ts:\n%s", got, files["index.ts"])
	}
}
