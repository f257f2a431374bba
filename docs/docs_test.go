package docs

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gati.dev/gati"
)

// The documentation's code must work as written. Every ```go block in
// docs/**/*.md is a complete, gofmt-formatted Go file (it starts with a
// package clause); TestGoSnippets type-checks them all with one go vet
// run in a temporary module that uses this checkout of gati.dev/gati.
// Each block is a package of its own, except that blocks of one Markdown
// file whose info strings say the same group= form one package, so a page
// can show an app file by file: ```go group=hello file=main.go.
// Every ```yaml block is a gati.yaml file that LoadConfig accepts.

// snippet is one fenced code block of a Markdown file.
type snippet struct {
	file  string // slash-separated, relative to the repository root: "docs/handlers.md"
	line  int    // line of the opening fence
	lang  string // first word of the info string: "go", "yaml", "sh"
	group string // group= in the info string: blocks compiled as one package
	code  string
}

func (s snippet) pos(offset int) string { return fmt.Sprintf("%s:%d", s.file, s.line+offset) }

var fenceRE = regexp.MustCompile("^( {0,3})(```+|~~~+)\\s*([^`\\s]*)([^`]*)$")

// extract returns the fenced code blocks of a Markdown file, with the
// fence's indentation removed from their lines.
func extract(file string, src []byte) ([]snippet, error) {
	var out []snippet
	lines := strings.Split(string(src), "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, fence := len(m[1]), m[2]
		s := snippet{file: file, line: i + 1, lang: m[3], group: infoAttr(m[4], "group")}
		var body []string
		closed := false
		for i++; i < len(lines); i++ {
			if t := strings.TrimSpace(lines[i]); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				closed = true
				break
			}
			body = append(body, trimIndent(lines[i], indent))
		}
		if !closed {
			return nil, fmt.Errorf("%s:%d: code fence is never closed", file, s.line)
		}
		s.code = strings.Join(body, "\n") + "\n"
		out = append(out, s)
	}
	return out, nil
}

// infoAttr returns the value of key=value among the words of an info string.
func infoAttr(info, key string) string {
	for _, w := range strings.Fields(info) {
		if v, ok := strings.CutPrefix(w, key+"="); ok {
			return v
		}
	}
	return ""
}

func trimIndent(line string, n int) string {
	for ; n > 0 && strings.HasPrefix(line, " "); n-- {
		line = line[1:]
	}
	return line
}

// docSnippets reads every Markdown file under the docs directory.
func docSnippets(t *testing.T) []snippet {
	t.Helper()
	var all []snippet
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".md" {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s, err := extract("docs/"+filepath.ToSlash(path), src)
		all = append(all, s...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestGoSnippets(t *testing.T) {
	var code []snippet
	for _, s := range docSnippets(t) {
		if s.lang != "go" {
			continue
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "", s.code, parser.PackageClauseOnly); err != nil {
			t.Errorf("%s: Go snippet has no package clause; write a complete file", s.pos(0))
			continue
		}
		if formatted, err := format.Source([]byte(s.code)); err == nil && !bytes.Equal(formatted, []byte(s.code)) {
			t.Errorf("%s: Go snippet is not gofmt-formatted", s.pos(0))
		}
		code = append(code, s)
	}
	if len(code) == 0 || t.Failed() {
		return
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not installed")
	}
	dir := writeModule(t, code)
	cmd := exec.Command(gobin, "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the Go snippets do not compile (%v):\n%s", err, mapPositions(string(out), code))
	}
}

// writeModule writes each snippet into its own package of a new module
// that requires this checkout's gati.dev/gati and gati.dev/gati/promclient
// and shares their go.sum files, so it builds offline once they have.
func writeModule(t *testing.T, code []snippet) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The promclient module too, for the snippets that show it; its
	// go.sum brings client_golang's sums.
	// The effects backends' modules too, for the snippets that link one.
	promclient := filepath.Join(root, "promclient")
	sqlite := filepath.Join(root, "effects", "sqlite")
	postgres := filepath.Join(root, "effects", "postgres")
	goMod := fmt.Sprintf("module snippets\n\ngo %s\n\nrequire (\n\tgati.dev/gati v0.0.0\n\tgati.dev/gati/promclient v0.0.0\n"+
		"\tgati.dev/gati/effects/sqlite v0.0.0\n\tgati.dev/gati/effects/postgres v0.0.0\n)\n\n"+
		"replace gati.dev/gati => %s\n\nreplace gati.dev/gati/promclient => %s\n\n"+
		"replace gati.dev/gati/effects/sqlite => %s\n\nreplace gati.dev/gati/effects/postgres => %s\n",
		goVersion(t, filepath.Join(root, "go.mod")), strconv.Quote(root), strconv.Quote(promclient), strconv.Quote(sqlite), strconv.Quote(postgres))
	write(t, filepath.Join(dir, "go.mod"), goMod)
	var sum []byte
	for _, m := range []string{root, promclient, sqlite, postgres} {
		s, err := os.ReadFile(filepath.Join(m, "go.sum"))
		if err != nil {
			t.Fatal(err)
		}
		sum = append(sum, s...)
	}
	write(t, filepath.Join(dir, "go.sum"), string(sum))
	writeTasksClient(t, root, dir)
	pkgs := map[string]string{} // group key to package directory
	for i, s := range code {
		key := s.file + "#" + s.group
		if s.group == "" {
			key = strconv.Itoa(i)
		}
		if pkgs[key] == "" {
			pkgs[key] = fmt.Sprintf("p%03d", i) // named after its first snippet
		}
		write(t, filepath.Join(dir, pkgs[key], fmt.Sprintf("s%03d.go", i)), s.code)
	}
	return dir
}

// writeTasksClient puts the Go client that gati generate writes for
// examples/tasks into the module as package snippets/tasksclient, for the
// snippets that show a generated client: the goclient generator's golden
// files, which its tests keep current.
func writeTasksClient(t *testing.T, root, dir string) {
	t.Helper()
	golden := filepath.Join(root, "cmd", "gati", "internal", "sdk", "goclient", "testdata", "golden", "tasks")
	files, err := filepath.Glob(filepath.Join(golden, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated tasks client in %s (%v)", golden, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "tasksclient", filepath.Base(f)), string(b))
	}
}

func goVersion(t *testing.T, goMod string) string {
	t.Helper()
	data, err := os.ReadFile(goMod)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("%s has no go directive", goMod)
	}
	return string(m[1])
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var snippetPosRE = regexp.MustCompile(`(?:\./)?\bp\d{3}/s(\d{3})\.go:(\d+)(?::(\d+))?|snippets/p(\d{3})\b`)

// mapPositions rewrites "p002/s003.go:5:2" in go command output to the
// Markdown position of that line of snippet 3, "docs/handlers.md:47:2",
// and package paths "snippets/p002" to the fence of the package's first
// snippet, "docs/handlers.md:30".
func mapPositions(out string, code []snippet) string {
	return snippetPosRE.ReplaceAllStringFunc(out, func(m string) string {
		sm := snippetPosRE.FindStringSubmatch(m)
		if sm[4] != "" {
			n, _ := strconv.Atoi(sm[4])
			return code[n].pos(0)
		}
		n, _ := strconv.Atoi(sm[1])
		line, _ := strconv.Atoi(sm[2])
		pos := code[n].pos(line)
		if sm[3] != "" {
			pos += ":" + sm[3]
		}
		return pos
	})
}

var yamlLineRE = regexp.MustCompile(`line \d+`)

func TestYAMLSnippets(t *testing.T) {
	dir := t.TempDir()
	for i, s := range docSnippets(t) {
		if s.lang != "yaml" {
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("gati%d.yaml", i))
		write(t, path, s.code)
		for _, env := range []string{"production", "development"} {
			if _, err := gati.LoadConfig(path, env); err != nil {
				msg := strings.ReplaceAll(err.Error(), path+": ", "")
				msg = yamlLineRE.ReplaceAllStringFunc(msg, func(m string) string {
					n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
					return s.pos(n)
				})
				t.Errorf("%s: gati.yaml snippet (GATI_ENV=%s): %s", s.pos(0), env, msg)
				break
			}
		}
	}
}

func TestExtract(t *testing.T) {
	md := strings.Join([]string{
		"# Title",                      // 1
		"```go group=app file=main.go", // 2
		"package a",
		"```",
		"text",
		"1. a list",   // 6
		"   ```sh",    // 7
		"   go run .", // 8
		"     indented",
		"   ```",
		"````markdown", // 11
		"```go",
		"package inner",
		"```",
		"````",
		"~~~yaml", // 16
		"name: x",
		"~~~",
	}, "\n")
	got, err := extract("docs/x.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	want := []snippet{
		{"docs/x.md", 2, "go", "app", "package a\n"},
		{"docs/x.md", 7, "sh", "", "go run .\n  indented\n"},
		{"docs/x.md", 11, "markdown", "", "```go\npackage inner\n```\n"},
		{"docs/x.md", 16, "yaml", "", "name: x\n"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("extract:\n got %+v\nwant %+v", got, want)
	}
	if _, err := extract("docs/y.md", []byte("a\n```go\npackage a\n")); err == nil || err.Error() != "docs/y.md:2: code fence is never closed" {
		t.Fatalf("unclosed fence: %v", err)
	}
}

func TestMapPositions(t *testing.T) {
	code := []snippet{{file: "docs/a.md", line: 10}, {file: "docs/b.md", line: 40}}
	out := "# snippets/p001\nvet: p001/s001.go:5:2: undefined: x\n./p000/s000.go:3: declared and not used"
	want := "# docs/b.md:40\nvet: docs/b.md:45:2: undefined: x\ndocs/a.md:13: declared and not used"
	if got := mapPositions(out, code); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestTypeScriptSnippets type-checks every ```ts block under --strict
// against the TypeScript client gati generate writes for examples/tasks
// (the tsclient generator's golden files and its runtime), importable as
// "./generated/ts/index.js". Blocks of one file with the same group= form
// one module. The compiler is the SDK tests' pinned one, which
// ./scripts/test installs.
func TestTypeScriptSnippets(t *testing.T) {
	var code []snippet
	for _, s := range docSnippets(t) {
		if s.lang == "ts" {
			code = append(code, s)
		}
	}
	if len(code) == 0 {
		return
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sdk := filepath.Join(root, "cmd", "gati", "internal", "sdk")
	tsc := filepath.Join(sdk, "node", "node_modules", "typescript", "bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		t.Fatalf("the TypeScript compiler is not installed: run ./scripts/test, or npm ci --prefix cmd/gati/internal/sdk/node (%v)", err)
	}
	dir := t.TempDir()
	client := filepath.Join(sdk, "tsclient", "testdata", "golden", "tasks")
	for _, f := range []string{"types.ts", "client.ts", "index.ts"} {
		b, err := os.ReadFile(filepath.Join(client, f))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "generated", "ts", f), string(b))
	}
	runtimeTS, err := os.ReadFile(filepath.Join(sdk, "tsclient", "runtime.ts"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "generated", "ts", "runtime.ts"), string(runtimeTS))
	write(t, filepath.Join(dir, "tsconfig.json"), `{"compilerOptions": {"target": "ES2022", "module": "ES2022",
  "moduleResolution": "bundler", "lib": ["ES2022", "DOM", "DOM.Iterable"], "strict": true, "noEmit": true,
  "skipLibCheck": true}, "include": ["*.ts", "generated/ts/*.ts"]}
`)
	modules := map[string][]snippet{} // file name to its snippets, in order
	var order []string
	for i, s := range code {
		name := fmt.Sprintf("s%03d.ts", i)
		if s.group != "" {
			name = strings.NewReplacer("/", "_", ".", "_").Replace(s.file) + "_" + s.group + ".ts"
		}
		if modules[name] == nil {
			order = append(order, name)
		}
		modules[name] = append(modules[name], s)
	}
	for _, name := range order {
		var b strings.Builder
		for _, s := range modules[name] {
			fmt.Fprintf(&b, "// %s\n%s", s.pos(0), s.code)
		}
		src := b.String()
		if !strings.Contains(src, "import ") {
			src += "\nexport {};\n" // a module, so that top-level await is allowed
		}
		write(t, filepath.Join(dir, name), src)
	}
	cmd := exec.Command("node", tsc, "-p", "tsconfig.json")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the TypeScript snippets do not type-check (%v):\n%s", err, out)
	}
}
