package export

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/playground/collection"
	"gati.dev/gati/cmd/gati/internal/sdk/tsclient"
)

// nodeDir holds the pinned TypeScript compiler (npm ci'd by scripts/test).
var nodeDir = filepath.Join("..", "..", "sdk", "node")

// exampleAPI is the API of examples/tasks' current code, analyzed once.
var exampleAPI = sync.OnceValues(func() (*api.API, error) {
	m, err := analyze.Load(context.Background(), exampleDir)
	if err != nil {
		return nil, err
	}
	return api.Load(exampleDir, m, api.Head)
})

// tsProject writes a TypeScript project: the generated client of
// examples/tasks in client/, the export as tasks.test.ts beside it with
// Node.js's types (testdata/node.d.ts), and the client's strict
// tsconfig.json widened to both. It returns the project's directory.
func tsProject(t *testing.T, src []byte) string {
	t.Helper()
	a, err := exampleAPI()
	if err != nil {
		t.Fatal(err)
	}
	files, err := tsclient.Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	node, err := os.ReadFile(filepath.Join("testdata", "node.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	all := map[string][]byte{
		"tasks.test.ts":     src,
		"node.d.ts":         node,
		"dist/package.json": []byte(`{"type": "module"}` + "\n"),
		"tsconfig.json": []byte(strings.Replace(string(files["tsconfig.json"]),
			`"include": ["*.ts"]`, `"include": ["*.ts", "client/*.ts"]`, 1)),
	}
	for name, b := range files {
		all["client/"+name] = b
	}
	for _, name := range slicesSorted(all) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, all[name], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func slicesSorted(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		keys = append(keys, k)
	}
	return keys
}

// tsc type-checks and compiles the project in dir with the pinned
// TypeScript compiler.
func tsc(t *testing.T, dir string) (string, error) {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join(nodeDir, "node_modules", "typescript", "bin", "tsc"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the TypeScript export test needs the TypeScript compiler in %s: npm ci --prefix cmd/gati/internal/sdk/node (scripts/test does it)", nodeDir)
	}
	out, err := exec.Command("node", bin, "-p", dir).CombinedOutput()
	return string(out), err
}

// TestTSTestRunsAgainstExample exports the example's collection to
// TypeScript with the example's API, type-checks it strictly with its
// generated client, and runs it with node --test against the example:
// green as saved, red with a wrong expectation.
func TestTSTestRunsAgainstExample(t *testing.T) {
	t.Parallel()
	reqs, env := exampleCollection(t)
	a, err := exampleAPI()
	if err != nil {
		t.Fatal(err)
	}
	run := func(reqs []*collection.Request) (string, string, error) {
		src, err := TSTest(reqs, env, a, "./client/index.js")
		if err != nil {
			t.Fatal(err)
		}
		dir := tsProject(t, src)
		if out, err := tsc(t, dir); err != nil {
			t.Fatalf("tsc: %v\n%s\n%s", err, out, src)
		}
		cmd := exec.Command("node", "--test", filepath.Join(dir, "dist", "tasks.test.js"))
		cmd.Env = startApp(t)
		out, err := cmd.CombinedOutput()
		return string(src), string(out), err
	}
	src, out, err := run(reqs)
	if err != nil || !strings.Contains(out, fmt.Sprintf("# pass %d", len(reqs))) {
		t.Fatalf("exported TypeScript test: %v\n%s\n%s", err, out, src)
	}
	// Every request of the example maps to an operation of its client.
	for _, call := range []string{"client(env(\"GATI_BASE_URL\")).create(", ".list({ done: \"false\" }", ".get(\"1\""} {
		if !strings.Contains(src, call) {
			t.Errorf("the export does not call %s:\n%s", call, src)
		}
	}
	if strings.Contains(src, "Sent with fetch") {
		t.Errorf("a request of the example is sent with fetch:\n%s", src)
	}
	_, out, err = run(wrong(reqs))
	if err == nil || !strings.Contains(out, `/title = "Write docs", want "Write the docs"`) {
		t.Fatalf("a wrong expectation passed: %v\n%s", err, out)
	}
}

// TestTSTestTypeChecksFallbacks exports requests that map to no operation
// (an unknown path, a query the operation does not take, a body that is
// not JSON, a literal origin) and checks the file type-checks, says why
// each is sent with fetch, and maps what it can.
func TestTSTestTypeChecksFallbacks(t *testing.T) {
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
		{Collection: "x", Slug: "d", Name: "Literal origin", Method: "GET", URL: "http://127.0.0.1:1/tasks", Query: map[string]string{"limit": "2"}},
		{Collection: "x", Slug: "e", Name: "Healthz", Method: "GET", URL: "{{baseUrl}}/healthz/ready"},
	}
	src, err := TSTest(append(reqs, extra...), env, a, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"// Sent with fetch: GET /nope is not an operation of the app's JSON API.",
		"// Sent with fetch: the query parameter sort is not one of TasksClient.list.",
		"// Sent with fetch: its body is not JSON.",
		`client("http://127.0.0.1:1").list({ limit: 2 }`,
		`from "./client/index.js"`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("no %q in:\n%s", want, src)
		}
	}
	if out, err := tsc(t, tsProject(t, src)); err != nil {
		t.Fatalf("tsc: %v\n%s\n%s", err, out, src)
	}
	// Without the API, nothing is imported and all goes through fetch.
	src, err = TSTest(reqs, env, nil, "")
	if err != nil || strings.Contains(string(src), "import { ApiError") || strings.Count(string(src), "Sent with fetch") != len(reqs) {
		t.Fatalf("%v\n%s", err, src)
	}
	if out, err := tsc(t, tsProject(t, src)); err != nil {
		t.Fatalf("tsc: %v\n%s\n%s", err, out, src)
	}
}
