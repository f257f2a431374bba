package tsclient

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/manifest"
)

// work holds what the tests build once per test binary: the clients
// compiled with tsc and the example binaries.
var work string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "gati-tsclient-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	work = dir
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// nodeDir holds the Node.js tools the tests run, pinned by its lock file.
const nodeDir = "../node"

// tools are the paths of node and of the pinned TypeScript compiler.
type tools struct {
	node, tsc string
	// nodeMajor is node's major version.
	nodeMajor int
}

var findTools = sync.OnceValues(func() (tools, error) {
	const fix = "install them with `npm ci --prefix cmd/gati/internal/sdk/node` (./scripts/test does it)"
	node, err := exec.LookPath("node")
	if err != nil {
		return tools{}, fmt.Errorf("the TypeScript client tests need Node.js 18 or newer on $PATH (%v), and its tools: %s", err, fix)
	}
	tsc, err := filepath.Abs(filepath.Join(nodeDir, "node_modules", "typescript", "bin", "tsc"))
	if err != nil {
		return tools{}, err
	}
	if _, err := os.Stat(tsc); err != nil {
		return tools{}, fmt.Errorf("the TypeScript client tests need the TypeScript compiler in %s: %s", nodeDir, fix)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return tools{}, fmt.Errorf("node --version: %v", err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, err := strconv.Atoi(strings.Split(v, ".")[0])
	if err != nil || major < 18 {
		return tools{}, fmt.Errorf("node %s is too old: the clients need Node.js 18 or newer", v)
	}
	return tools{node: node, tsc: tsc, nodeMajor: major}, nil
})

// nodeTools returns the Node.js tools, failing the test (not skipping
// it) when they are missing.
func nodeTools(t testing.TB) tools {
	t.Helper()
	tl, err := findTools()
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// A client case is a generated client the tests compile: an example at
// a version (api.Head for its current code), or the synthetic API.
type clientCase struct {
	name    string // its directory under testdata/golden and work
	example string // the directory under examples/; "" for the synthetic API
	version string
	// scripts are the files of testdata/e2e compiled with the client.
	scripts []string
}

var cases = []clientCase{
	{name: "hello-world", example: "hello-world"},
	{name: "tasks", example: "tasks", scripts: []string{"harness.ts", "node.d.ts", "tasks.e2e.ts"}},
	{name: "versioned-api", example: "versioned-api"},
	{name: "versioned-api@2025-01-01", example: "versioned-api", version: "2025-01-01",
		scripts: []string{"harness.ts", "node.d.ts", "versioned.e2e.ts"}},
	{name: "synthetic", scripts: []string{"harness.ts", "node.d.ts", "runtime.e2e.ts"}},
}

func caseNamed(name string) clientCase {
	for _, c := range cases {
		if c.name == name {
			return c
		}
	}
	panic("no client case " + name)
}

// examplesDir is the repository's examples directory.
const examplesDir = "../../../../../examples"

// analyses caches the manifest of each example.
var analyses sync.Map // example name → func() (*manifest.Manifest, error)

// apiOf returns the API of c, analyzing its example once per test binary.
func apiOf(c clientCase) (*api.API, error) {
	if c.example == "" {
		return syntheticAPI(), nil
	}
	dir := filepath.Join(examplesDir, c.example)
	load, _ := analyses.LoadOrStore(c.example, sync.OnceValues(func() (*manifest.Manifest, error) {
		return analyze.Load(context.Background(), dir)
	}))
	m, err := load.(func() (*manifest.Manifest, error))()
	if err != nil {
		return nil, err
	}
	return api.Load(dir, m, c.version)
}

// generated returns the files of c's client.
func generated(t testing.TB, c clientCase) map[string][]byte {
	t.Helper()
	a, err := apiOf(c)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// build is the result of compiling every client case with one tsc run.
type build struct {
	dir string // work/clients: a directory per case, its output in dist/
	// out is tsc's output when it failed; err a failure before it ran.
	out string
	err error
}

// buildClients writes each case's client and e2e scripts to a directory
// and compiles them all with one tsc -b, which checks each with its
// generated tsconfig.json (strict, noUncheckedIndexedAccess,
// exactOptionalPropertyTypes) and emits ESM JavaScript and declarations.
var buildClients = sync.OnceValue(func() build {
	tl, err := findTools()
	if err != nil {
		return build{err: err}
	}
	dir := filepath.Join(work, "clients")
	args := []string{tl.tsc, "-b"}
	for _, c := range cases {
		a, err := apiOf(c)
		if err != nil {
			return build{err: err}
		}
		files, err := Generate(a)
		if err != nil {
			return build{err: fmt.Errorf("%s: %w", c.name, err)}
		}
		for _, s := range c.scripts {
			if files[s], err = os.ReadFile(filepath.Join("testdata", "e2e", s)); err != nil {
				return build{err: err}
			}
		}
		// Node runs dist/*.js as ES modules.
		files["dist/package.json"] = []byte(`{"type": "module"}` + "\n")
		if err := writeFiles(filepath.Join(dir, c.name), files); err != nil {
			return build{err: err}
		}
		args = append(args, filepath.Join(dir, c.name))
	}
	out, err := exec.Command(tl.node, args...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return build{dir: dir, out: string(out)}
	case err != nil:
		return build{err: fmt.Errorf("tsc -b: %v\n%s", err, out)}
	}
	return build{dir: dir}
})

// compiled returns the directory of c's compiled client, failing the
// test with tsc's errors in c's files.
func compiled(t testing.TB, c clientCase) string {
	t.Helper()
	nodeTools(t)
	b := buildClients()
	if b.err != nil {
		t.Fatal(b.err)
	}
	if b.out != "" {
		// An error is a line naming the file, then indented lines.
		var mine []string
		in := false
		for line := range strings.Lines(b.out) {
			if !strings.HasPrefix(line, " ") {
				in = strings.Contains(line, string(filepath.Separator)+c.name+string(filepath.Separator))
			}
			if in {
				mine = append(mine, line)
			}
		}
		if len(mine) > 0 {
			t.Fatalf("tsc found errors in %s:\n%s", c.name, strings.Join(mine, ""))
		}
		if !strings.Contains(b.out, "error TS") { // a failure of no file
			t.Fatalf("tsc -b failed:\n%s", b.out)
		}
	}
	return filepath.Join(b.dir, c.name)
}

func writeFiles(dir string, files map[string][]byte) error {
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// runNode runs a compiled e2e script of dir with env, failing the test
// with its output when it exits non-zero.
func runNode(t *testing.T, dir, script string, env ...string) {
	t.Helper()
	tl := nodeTools(t)
	var args []string
	if tl.nodeMajor < 22 {
		args = append(args, "--experimental-websocket") // the global WebSocket of Node.js 22
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tl.node, append(args, filepath.Join(dir, "dist", script))...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if testing.Verbose() || err != nil {
		t.Logf("node %s (%s):\n%s", script, time.Since(start).Round(time.Millisecond), out.String())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("node %s failed: %v", script, err)
	} else if err != nil {
		t.Fatal(err)
	}
}

// buildExample builds an example's binary once per test binary.
var exampleBinaries sync.Map // example name → func() (string, error)

func exampleBinary(t *testing.T, example string) string {
	t.Helper()
	b, _ := exampleBinaries.LoadOrStore(example, sync.OnceValues(func() (string, error) {
		bin := filepath.Join(work, "bin", example)
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = filepath.Join(examplesDir, example)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build in %s: %v\n%s", cmd.Dir, err, out)
		}
		return bin, nil
	}))
	bin, err := b.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
