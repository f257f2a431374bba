package cli

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

// TestBuildGood builds the good fixture and checks that the binary is
// static, stripped and stamped.
func TestBuildGood(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", map[string]string{"gati.yaml": goodConfig})
	_, stderr, err := execute(t.Context(), newBuildCmd(), dir, "--version-stamp", "v9.8.7-test")
	if err != nil {
		t.Fatalf("gati build: %v\n%s", err, stderr)
	}
	for _, want := range []string{"analyzing… 7 routes, 2 modules (", "building… (", "built ", filepath.Join("bin", "fixture") + " ("} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	for _, f := range []string{manifest.Path(dir), filepath.Join(dir, analyze.GenFile)} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("gati build did not write %s: %v", f, err)
		}
	}
	checkStaticBinary(t, filepath.Join(dir, "bin", "fixture"), "v9.8.7-test")
}

const goodConfig = `name: fixture
server:
  port: 8081
environments:
  development:
    log:
      level: debug
  staging:
    server:
      port: 9000
`

func checkStaticBinary(t *testing.T, bin, version string) {
	t.Helper()
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("build settings %v, want CGO_ENABLED=0 and -trimpath=true", settings)
	}
	// With -trimpath the go command leaves -ldflags out of the build info,
	// so the stamps are checked in the binary's data below.
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("the binary has a symbol table: -s did not apply")
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(version)) {
		t.Errorf("the binary does not contain the version %q", version)
	}
}

func TestBuildOutputFlag(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", nil)
	out := filepath.Join(t.TempDir(), "nested", "demo")
	_, stderr, err := execute(t.Context(), newBuildCmd(), "-o", out, dir)
	if err != nil {
		t.Fatalf("gati build -o: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no binary at -o %s: %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bin")); !os.IsNotExist(err) {
		t.Errorf("gati build -o also wrote %s/bin", dir)
	}
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	tests := []struct {
		name    string
		fixture string
		extra   map[string]string
		args    []string
		err     string
		stderr  []string
	}{
		{name: "no go.mod", args: []string{empty}, err: "build: " + empty + " has no go.mod: run gati build in an app's directory"},
		{name: "bad directives", fixture: "bad", err: "build: 33 problems", stderr: []string{
			"routes.go:5:1: unknown directive //gati:rout",
			"typed.go:10:1: path parameter {id} has no field in main.ItemIn",
			`typed.go:43:2: field main.BadTagIn.Name: tag maxLength:"x": invalid syntax`,
			"fix the problems above and run gati build again\n",
		}},
		{name: "compiler error", fixture: "good", extra: map[string]string{"nobody.go": "package main\n\nfunc NoBody()\n"},
			err: "build: go build: exit status 1", stderr: []string{
				"nobody.go:3:6: missing function body",
				"the Go compiler rejected the app; fix the errors above and run gati build again\n",
			}},
		{name: "bad config", fixture: "good", extra: map[string]string{"gati.yaml": badConfig},
			err: `environment staging: `, stderr: nil},
		{name: "bad base config", fixture: "good", extra: map[string]string{"gati.yaml": "server:\n  prot: 1\n"},
			err: "gati.yaml", stderr: nil},
		{name: "bad deploy setting", fixture: "good", extra: map[string]string{"gati.yaml": "name: good\ndeploy:\n  replicas: 2\nenvironments:\n  staging:\n    deploy:\n      autoscalng: {max: 3}\n"},
			err: "gati.yaml:7: deploy.autoscalng: unknown setting", stderr: nil},
		{name: "bad version stamp", args: []string{empty, "--version-stamp", "v1 beta"}, err: `--version-stamp "v1 beta" must not contain spaces or quotes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if tt.fixture != "" {
				args = append([]string{fixtureApp(t, tt.fixture, tt.extra)}, args...)
			}
			_, stderr, err := execute(t.Context(), newBuildCmd(), args...)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("gati build %v = %v, want an error containing %q\n%s", args, err, tt.err, stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if tt.fixture != "" {
				if _, err := os.Stat(filepath.Join(args[0], "bin")); !os.IsNotExist(err) {
					t.Errorf("a failed build left %s/bin", args[0])
				}
			}
		})
	}
}

const badConfig = `server:
  port: 8081
environments:
  staging:
    server:
      prot: 9000
`

// TestBuildRelease checks that gati build --release snapshots the API
// when it changed since the newest version, and only then.
func TestBuildRelease(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", nil)
	bin := filepath.Join(t.TempDir(), "fixture")
	build := func() string {
		t.Helper()
		_, stderr, err := execute(t.Context(), newBuildCmd(), "--release", "-o", bin, dir)
		if err != nil {
			t.Fatalf("gati build --release: %v\n%s", err, stderr)
		}
		return stderr
	}
	day := versionNow().UTC().Format(time.DateOnly)
	first := filepath.Join(".gati", "versions", day+".json")
	stderr := build()
	for _, want := range []string{"wrote " + first + ": version " + day + ", semver 1.0.0\n", "changelog: ", "built "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("first release lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, first)); err != nil {
		t.Errorf("no snapshot: %v", err)
	}
	if i, j := strings.Index(stderr, "wrote "), strings.Index(stderr, "building…"); i < 0 || j < i {
		t.Errorf("the snapshot is not written before compiling:\n%s", stderr)
	}

	if stderr := build(); !strings.Contains(stderr, "API unchanged since "+day+"\n") || strings.Contains(stderr, "wrote ") {
		t.Errorf("unchanged release:\n%s", stderr)
	}

	route := "package main\n\nimport \"gati.dev/gati\"\n\n//gati:route GET /ping\nfunc Ping(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {\n\treturn nil\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "ping.go"), []byte(route), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr = build()
	for _, want := range []string{"version " + day + ".2, semver 1.1.0\n", "changes since " + day + " (1.0.0): minor\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("release after adding a route lacks %q:\n%s", want, stderr)
		}
	}
}
