package export

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/playground/collection"
	"gati.dev/gati/gatitest"
)

// The tests below export the committed collection of examples/tasks and
// run each export against the example app, started fresh for each run
// in its test environment (token test-token, at most 3 tasks).

const exampleToken = "test-token"

var exampleDir = filepath.Join("..", "..", "..", "..", "..", "examples", "tasks")

// appBin is the example app, built once by TestMain.
var appBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "pgexport")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		appBin = filepath.Join(dir, "tasks")
		cmd := exec.Command("go", "build", "-o", appBin, ".")
		cmd.Dir = exampleDir
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building examples/tasks: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// exampleCollection loads examples/tasks' collection "tasks" and its
// test environment.
func exampleCollection(t *testing.T) ([]*collection.Request, *collection.Environment) {
	t.Helper()
	set, errs := collection.Load(exampleDir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c, env := set.Collection("tasks"), set.Environment("test")
	if c == nil || env == nil || len(c.Requests) != 4 {
		t.Fatalf("examples/tasks collection: %+v, %+v", c, env)
	}
	return c.Requests, env
}

// startApp runs the example and returns the environment an export runs
// with: its base URL and token.
func startApp(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command(appBin)
	cmd.Dir = exampleDir // for its gati.yaml
	cmd.Env = append(withoutEnv("TASKS_TOKEN"), "GATI_ENV=test")
	p := gatitest.Start(t, cmd)
	return append(os.Environ(), BaseURLVar+"="+p.URL, collection.EnvVar("test", "token")+"="+exampleToken)
}

func withoutEnv(name string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, name+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// wrong returns reqs with the first request's expected title changed.
func wrong(reqs []*collection.Request) []*collection.Request {
	first := *reqs[0]
	exp := *first.Expect
	exp.JSON = map[string]any{"/title": "Write the docs"}
	first.Expect = &exp
	return append([]*collection.Request{&first}, reqs[1:]...)
}

func TestCurlReplaysExample(t *testing.T) {
	t.Parallel()
	reqs, env := exampleCollection(t)
	script, err := Curl(reqs, env)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(script), exampleToken) {
		t.Fatalf("the script inlines the secret:\n%s", script)
	}
	path := filepath.Join(t.TempDir(), "tasks.sh")
	if err := os.WriteFile(path, script, 0o755); err != nil {
		t.Fatal(err)
	}

	// Without the secret the script stops before sending anything.
	cmd := exec.Command("sh", path)
	cmd.Env = withoutEnv(collection.EnvVar("test", "token"))
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "GATI_PLAYGROUND_TEST_TOKEN") || strings.Contains(string(out), "###") {
		t.Fatalf("without the token: %v\n%s", err, out)
	}

	cmd = exec.Command("sh", path)
	cmd.Env = startApp(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	blocks := strings.Split(string(out), "### ")[1:]
	if len(blocks) != len(reqs) {
		t.Fatalf("%d responses, want %d:\n%s", len(blocks), len(reqs), out)
	}
	for i, block := range blocks {
		r := reqs[i]
		lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
		body, status := strings.Join(lines[1:len(lines)-1], "\n"), lines[len(lines)-1]
		if status != "HTTP "+strconv.Itoa(r.Expect.Status) {
			t.Errorf("%s: %s, want %d; body %s", r.Name, status, r.Expect.Status, body)
		}
		var doc any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("%s: body %q: %v", r.Name, body, err)
		}
		for ptr, want := range r.Expect.JSON {
			if got := lookup(doc, ptr); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, want %v", r.Name, ptr, got, want)
			}
		}
	}
}

// lookup resolves a JSON pointer whose tokens need no unescaping.
func lookup(doc any, ptr string) any {
	for _, tok := range strings.Split(ptr, "/")[1:] {
		switch v := doc.(type) {
		case map[string]any:
			doc = v[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			doc = v[i]
		}
	}
	if f, ok := doc.(float64); ok { // YAML gives ints
		return int(f)
	}
	return doc
}

// TestGoTestRunsAgainstExample runs the exported Go test in a module of
// its own: first as CI would, letting it build and start the example with
// gatitest, then, with a wrong expectation, against an app started here
// ($GATI_BASE_URL).
func TestGoTestRunsAgainstExample(t *testing.T) {
	t.Parallel()
	reqs, env := exampleCollection(t)
	root, err := filepath.Abs(filepath.Join(exampleDir, "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	appDir, err := filepath.Abs(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	run := func(reqs []*collection.Request, env2 []string) (string, error) {
		src, err := GoTest(reqs, env, "main", "")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), "gatitest.Start(t, cmd)") || !strings.Contains(string(src), "res.problem(t)") {
			t.Fatalf("the export does not use gatitest:\n%s", src)
		}
		dir := t.TempDir()
		for name, body := range map[string][]byte{
			"go.mod":             []byte("module example.com/playgroundexport\n\ngo 1.26\n\nrequire gati.dev/gati v0.0.0\n\nreplace gati.dev/gati => " + root + "\n"),
			"playground_test.go": src,
		} {
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("go", "test", "-count=1", "-v", ".")
		cmd.Dir = dir
		cmd.Env = append(env2, "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// As in CI: the test builds the app (GATI_APP_DIR, the example here
	// since the module is not the app's) and starts it in GATI_ENV=test.
	selfStart := append(withoutEnv("TASKS_TOKEN"), "GATI_APP_DIR="+appDir, collection.EnvVar("test", "token")+"="+exampleToken)
	if out, err := run(reqs, selfStart); err != nil || strings.Count(out, "--- PASS") != len(reqs)+1 {
		t.Fatalf("exported Go test: %v\n%s", err, out)
	}
	out, err := run(wrong(reqs), startApp(t))
	if err == nil || !strings.Contains(out, `/title = "Write docs", want "Write the docs"`) || !strings.Contains(out, "--- FAIL: TestPlaygroundTasks/Create_a_task") {
		t.Fatalf("a wrong expectation passed: %v\n%s", err, out)
	}
}

func TestJSTestRunsAgainstExample(t *testing.T) {
	t.Parallel()
	reqs, env := exampleCollection(t)
	run := func(reqs []*collection.Request, env2 ...string) (string, error) {
		src, err := JSTest(reqs, env)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "tasks.test.mjs")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("node", "--test", path)
		if env2 == nil {
			env2 = startApp(t)
		}
		cmd.Env = env2
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// With no app at the address, the failure says so.
	noApp := append(os.Environ(), BaseURLVar+"=http://127.0.0.1:1", collection.EnvVar("test", "token")+"=x")
	if out, err := run(reqs[:1], noApp...); err == nil || !strings.Contains(out, "is the app running?") {
		t.Fatalf("without an app: %v\n%s", err, out)
	}
	if out, err := run(reqs); err != nil || !strings.Contains(out, fmt.Sprintf("# pass %d", len(reqs))) {
		t.Fatalf("exported JS test: %v\n%s", err, out)
	}
	out, err := run(wrong(reqs))
	if err == nil || !strings.Contains(out, `/title = "Write docs", want "Write the docs"`) {
		t.Fatalf("a wrong expectation passed: %v\n%s", err, out)
	}
}
