package analyze_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/golden"
	"gati.dev/gati/manifest"
)

// TestGenerateGood generates the registration of the good fixture,
// compares it with the golden file and builds the app with it.
func TestGenerateGood(t *testing.T) {
	t.Parallel()
	dir := fixture(t, "good")
	m, err := analyze.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	path, changed, err := analyze.Generate(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, analyze.GenFile) || !changed {
		t.Errorf("Generate = %q, %v; want %q, true", path, changed, filepath.Join(dir, analyze.GenFile))
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "good.gati_gen.go.golden", src)
	if _, changed, err := analyze.Generate(dir, m); err != nil || changed {
		t.Errorf("second Generate: changed %v, err %v; want an unchanged file", changed, err)
	}
	goBuild(t, dir)

	// With gati_gen.go present, Load analyzes the same app.
	m2, err := analyze.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := manifest.Encode(m)
	b, _ := manifest.Encode(m2)
	if string(a) != string(b) {
		t.Errorf("manifest changed after generating:\n%s", golden.LineDiff(string(a), string(b)))
	}
}

func goBuild(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the generated app: %v\n%s", err, out)
	}
}

// TestLoadStaleGenerated checks that a gati_gen.go naming a removed
// handler or package does not stop the analysis that will rewrite it.
func TestLoadStaleGenerated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, gen string
	}{
		{"missing", ""},
		{"removed handler", "package main\n\nimport \"gati.dev/gati\"\n\nfunc gatiRegister(app *gati.App) { app.HandleFunc(\"GET /gone\", Gone) }\n"},
		{"removed package", "package main\n\nimport (\n\t\"example.com/fixture/gone\"\n\t\"gati.dev/gati\"\n)\n\nfunc gatiRegister(app *gati.App) { app.HandleFunc(\"GET /gone\", gone.Gone) }\n"},
		{"garbage", "package main\n\nfunc gatiRegister(app *gati.App {\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"main.go": mainGo, "hello.go": helloGo}
			if tt.gen != "" {
				files[analyze.GenFile] = tt.gen
			}
			dir := app(t, files)
			m, err := analyze.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Routes) != 1 || m.Routes[0].Pattern != "GET /hello" {
				t.Fatalf("routes = %+v, want GET /hello", m.Routes)
			}
			if _, _, err := analyze.Generate(dir, m); err != nil {
				t.Fatal(err)
			}
			goBuild(t, dir)
		})
	}
}

const mainGo = `package main

import "gati.dev/gati"

func main() {
	app := gati.New()
	gatiRegister(app)
	app.Main()
}
`

const helloGo = `package main

import "gati.dev/gati"

//gati:route GET /hello
func Hello(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
`

func TestRenderImports(t *testing.T) {
	t.Parallel()
	route := func(pkg, fn string) manifest.Route {
		return manifest.Route{Method: "GET", Path: "/" + fn, Pattern: "GET /" + fn, File: "x.go", Line: 1,
			Handler: manifest.Handler{Package: pkg, Func: fn, Kind: manifest.Raw}}
	}
	m := &manifest.Manifest{
		Module: "example.com/app", MainDir: ".",
		Packages: []manifest.Package{
			{Path: "example.com/app/gati", Name: "gati"},
			{Path: "example.com/app/app", Name: "app"},
			{Path: "example.com/app/go-redis", Name: "redis"},
			{Path: "example.com/app/v2/users", Name: "users"},
			{Path: "example.com/app/x/users", Name: "users"},
		},
		Routes: []manifest.Route{
			route("example.com/app/gati", "A"), route("example.com/app/app", "B"),
			route("example.com/app/go-redis", "C"), route("example.com/app/v2/users", "D"),
			route("example.com/app/x/users", "E"), route("example.com/app", "F"),
			route("example.com/app/unlisted-pkg", "G"),
		},
	}
	src, err := analyze.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`gati2 "example.com/app/gati"`, `app2 "example.com/app/app"`, "\t\"example.com/app/go-redis\"\n",
		"\t\"example.com/app/v2/users\"\n", `users2 "example.com/app/x/users"`, `unlistedpkg "example.com/app/unlisted-pkg"`,
		"gati2.A,", "app2.B,", "redis.C,", "users.D,", "users2.E,", "\"GET /F\", F,", "unlistedpkg.G,",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
}

func TestRenderUnknownMiddleware(t *testing.T) {
	t.Parallel()
	m := &manifest.Manifest{Module: "example.com/app", MainDir: ".", Routes: []manifest.Route{{
		Method: "GET", Path: "/", Pattern: "GET /", File: "x.go", Line: 3, Middleware: []string{"Nope"},
		Handler: manifest.Handler{Package: "example.com/app", Func: "H", Kind: manifest.Raw},
	}}}
	if _, err := analyze.Render(m); err == nil || !strings.Contains(err.Error(), "unknown middleware Nope") {
		t.Errorf("Render = %v, want an unknown middleware error", err)
	}
}

// TestSyntaxErrorReportedOnce checks that one typo gives one diagnostic at
// its position, not the compiler's and the parser's copies of it.
func TestSyntaxErrorReportedOnce(t *testing.T) {
	t.Parallel()
	dir := app(t, map[string]string{"main.go": mainGo, "hello.go": helloGo, "broken.go": "package main\n\nfunc broken( {\n"})
	_, err := analyze.Load(context.Background(), dir)
	var errs *analyze.Errors
	if !errors.As(err, &errs) || len(errs.Diagnostics) != 1 {
		t.Fatalf("err = %v, want exactly one diagnostic", err)
	}
	if d := errs.Diagnostics[0]; d.File != "broken.go" || d.Line != 3 || !strings.Contains(d.Msg, "syntax error") {
		t.Fatalf("diagnostic = %s", d)
	}
}
