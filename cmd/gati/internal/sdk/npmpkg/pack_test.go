package npmpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/sdk/tsclient"
	"gati.dev/gati/gatitest"
)

// fixtureTS is a small client in the generator's layout: ESM sources with
// .js import specifiers and a tsconfig.json compiling them to dist/.
var fixtureTS = map[string][]byte{
	"tsconfig.json": []byte(`{
  "compilerOptions": {
    "target": "ES2022", "module": "ES2022", "moduleResolution": "bundler",
    "lib": ["ES2022", "DOM"], "strict": true, "declaration": true, "outDir": "dist"
  },
  "include": ["*.ts"]
}
`),
	"greeting.ts": []byte("export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n"),
	"index.ts":    []byte("export { greet } from \"./greeting.js\";\nexport class Client {\n  constructor(readonly baseUrl: string) {}\n}\n"),
}

func fixtureAPI() *api.API {
	sunset := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return &api.API{
		Title: "Tasks API", Module: "example.com/tasks", Version: "2025-01-01", Semver: "1.2.3",
		Deprecated: &sunset, Sunset: &sunset,
		Operations: []api.Operation{
			{ID: "createTask", Method: "POST", Path: "/tasks", Kind: api.JSON},
			{ID: "getTask", Method: "GET", Path: "/tasks/{id}", Kind: api.JSON, Params: []api.Param{{In: "path", Name: "id", Required: true}}},
		},
	}
}

// tgzFiles reads the files of an npm package tarball.
func tgzFiles(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	}
}

// TestPackBuildsAPublishablePackage guards the package's content: compiled
// ESM and declarations, a package.json with the API's semver, exports,
// engines and license, a README made from the routes; and that packing
// twice gives the same bytes.
func TestPackBuildsAPublishablePackage(t *testing.T) {
	t.Parallel()
	tc := testToolchain(t)
	a := fixtureAPI()
	out := t.TempDir()
	tgz, err := Pack(t.Context(), tc, a, fixtureTS, Options{OutDir: out, License: "MIT"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filepath.Base(tgz), "tasks-api-1.2.3.tgz"; got != want {
		t.Errorf("package file %s, want %s", got, want)
	}
	files := tgzFiles(t, tgz)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"package/README.md", "package/dist/greeting.d.ts", "package/dist/greeting.js",
		"package/dist/index.d.ts", "package/dist/index.js", "package/package.json"}
	if !slices.Equal(names, want) {
		t.Errorf("package holds %v, want %v", names, want)
	}
	var pj struct {
		Name, Version, License, Type, Types string
		Exports                             map[string]map[string]string
		Engines                             map[string]string
		SideEffects                         *bool
	}
	if err := json.Unmarshal(files["package/package.json"], &pj); err != nil {
		t.Fatal(err)
	}
	if pj.Name != "tasks-api" || pj.Version != "1.2.3" || pj.License != "MIT" || pj.Type != "module" ||
		pj.Exports["."]["import"] != "./dist/index.js" || pj.Exports["."]["types"] != "./dist/index.d.ts" ||
		pj.Engines["node"] != ">=18" || pj.SideEffects == nil || *pj.SideEffects {
		t.Errorf("package.json: %s", files["package/package.json"])
	}
	readme := string(files["package/README.md"])
	for _, s := range []string{"npm install tasks-api", "X-API-Version: 2025-01-01", "deprecated", "2030-01-01", "| POST | `/tasks` | `createTask` |", "client.getTask(\"id\")", "new TasksAPIClient({"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q:\n%s", s, readme)
		}
	}
	if !bytes.Contains(files["package/dist/index.js"], []byte(`from "./greeting.js"`)) {
		t.Errorf("dist/index.js is not ESM with .js specifiers:\n%s", files["package/dist/index.js"])
	}

	again, err := Pack(t.Context(), tc, a, fixtureTS, Options{OutDir: t.TempDir(), License: "MIT"})
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(tgz)
	b2, _ := os.ReadFile(again)
	if !bytes.Equal(b1, b2) {
		t.Error("packing twice gave different bytes")
	}
}

// TestPackRejectsBadNames guards the package name check and the default.
func TestPackRejectsBadNames(t *testing.T) {
	t.Parallel()
	for title, want := range map[string]string{"Tasks API": "tasks-api", "versioned-api": "versioned-api", "__": "api-client", "Ünïcode app": "n-code-app"} {
		if got := PackageName(title); got != want {
			t.Errorf("PackageName(%q) = %q, want %q", title, got, want)
		}
	}
	tc := &Toolchain{Node: "node", NPM: "npm", TSC: "tsc"}
	for _, name := range []string{"Tasks", "@acme/", "a b", strings.Repeat("a", 215)} {
		_, err := Pack(t.Context(), tc, fixtureAPI(), fixtureTS, Options{Name: name, OutDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "not a valid npm package name") {
			t.Errorf("name %q: %v", name, err)
		}
	}
}

// TestPublishedClientCallsTheRunningExample guards the whole path to a
// consumer: examples/tasks' generated client is packed, published to a
// real npm registry (Verdaccio on loopback), installed into a fresh
// project whose TypeScript imports it with its types under --strict, and
// run against the built example; publishing the same version again fails
// with what to do.
func TestPublishedClientCallsTheRunningExample(t *testing.T) {
	t.Parallel()
	tc := testToolchain(t)
	reg := startRegistry(t)
	const example = "../../../../../examples/tasks"
	m, err := analyze.Load(t.Context(), example)
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.Load(example, m, api.Head)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tsclient.Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	tgz, err := Pack(t.Context(), tc, a, ts, Options{Name: "@acme/tasks", OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(t.Context(), tc.NPM, tgz, PublishOptions{Registry: reg.URL, UserConfig: reg.npmrc}); err != nil {
		t.Fatal(err)
	}
	consumer := reg.install(t, "@acme/tasks@"+a.Semver)
	files := map[string]string{
		"tsconfig.json": `{"compilerOptions": {"target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
  "strict": true, "noEmitOnError": true, "lib": ["ES2022", "DOM"], "outDir": "out"}, "include": ["main.ts"]}
`,
		"main.ts": `import { TasksClient, ApiError, type Task } from "@acme/tasks";

declare const process: { env: Record<string, string | undefined> };

const client = new TasksClient({ baseUrl: process.env.BASE_URL ?? "", token: process.env.TOKEN });
const created: Task = await client.create({ title: "from npm" });
const got: Task = await client.get(created.id);
if (got.title !== "from npm") throw new Error("read back " + JSON.stringify(got));
try {
  await client.get("missing");
  throw new Error("no 404");
} catch (err) {
  if (!(err instanceof ApiError) || err.status !== 404) throw err;
}
console.log("ok", got.title);
`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(consumer, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tscCmd := exec.CommandContext(t.Context(), tc.Node, tc.TSC, "-p", "tsconfig.json")
	tscCmd.Dir = consumer
	if out, err := tscCmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc --strict on the consumer: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "tasks")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	build.Dir = example
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building examples/tasks: %v\n%s", err, out)
	}
	server := exec.Command(bin)
	server.Env = append(os.Environ(), "TASKS_TOKEN=npm-token")
	p := gatitest.Start(t, server)
	run := exec.CommandContext(t.Context(), tc.Node, "out/main.js")
	run.Dir = consumer
	run.Env = append(os.Environ(), "BASE_URL="+p.URL, "TOKEN=npm-token")
	out, err := run.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok from npm" {
		t.Fatalf("the consumer printed %q: %v", out, err)
	}
	p.Stop(t)

	_, err = Publish(t.Context(), tc.NPM, tgz, PublishOptions{Registry: reg.URL, UserConfig: reg.npmrc})
	if err == nil || !strings.Contains(err.Error(), "gati version snapshot") {
		t.Errorf("publishing the same version again: %v", err)
	}
}

// TestToolchainInstallsThePinnedCompiler guards the first use on a user's
// machine: the embedded lock file is installed with npm ci into the cache
// directory once, and found there the second time; $GATI_TSC overrides it.
func TestToolchainInstallsThePinnedCompiler(t *testing.T) {
	cache := t.TempDir()
	var progress bytes.Buffer
	tc, err := FindToolchain(t.Context(), cache, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tc.TSC, cache) || !strings.Contains(progress.String(), "installing the TypeScript compiler") {
		t.Fatalf("tsc %s, progress %q", tc.TSC, progress.String())
	}
	out, err := exec.CommandContext(t.Context(), tc.Node, tc.TSC, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "Version 5.9.3" {
		t.Errorf("installed tsc --version: %q, %v", out, err)
	}
	progress.Reset()
	again, err := FindToolchain(t.Context(), cache, &progress)
	if err != nil || again.TSC != tc.TSC || progress.Len() != 0 {
		t.Errorf("second FindToolchain: %v, %v, progress %q", again, err, progress.String())
	}
	t.Setenv(TSCEnv, filepath.Join(cache, "missing-tsc"))
	if _, err := FindToolchain(t.Context(), cache, io.Discard); err == nil || !strings.Contains(err.Error(), TSCEnv) {
		t.Errorf("a missing $%s: %v", TSCEnv, err)
	}
}
