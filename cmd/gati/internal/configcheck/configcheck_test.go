package configcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

func shape(k analyze.ShapeKind) *analyze.Shape { return &analyze.Shape{Kind: k} }

// storeConfig is the shape of
//
//	struct {
//		MaxTasks int           `yaml:"max_tasks"`
//		Timeout  time.Duration `yaml:"timeout"`
//		Tags     []string      `yaml:"tags"`
//		Limits   map[string]uint
//		TLS      struct{ Enabled bool `yaml:"enabled"` } `yaml:"tls"`
//		Custom   Level // with UnmarshalText
//	}
var storeConfig = &analyze.Shape{Kind: analyze.ShapeStruct, Fields: map[string]*analyze.Shape{
	"max_tasks": shape(analyze.ShapeInt),
	"timeout":   shape(analyze.ShapeDuration),
	"tags":      {Kind: analyze.ShapeSeq, Elem: shape(analyze.ShapeString)},
	"limits":    {Kind: analyze.ShapeMap, Elem: shape(analyze.ShapeUint)},
	"tls":       {Kind: analyze.ShapeStruct, Fields: map[string]*analyze.Shape{"enabled": shape(analyze.ShapeBool)}},
	"custom":    shape(analyze.ShapeAny),
	"ratio":     shape(analyze.ShapeFloat),
}}

var mods = []analyze.ModuleConfig{
	{Module: manifest.Module{Package: "example.com/app/store", Type: "Store"}, Name: "store", Shape: storeConfig},
	{Module: manifest.Module{Package: "example.com/app", Type: "auth"}, Name: "auth"},
	{Module: manifest.Module{Package: "example.com/app", Type: "dyn"}},
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		yaml       string
		wantErrs   []string
		wantNotes  []string
		noErrsWith string
	}{
		{name: "valid", yaml: `
modules:
  store:
    max_tasks: 10
    timeout: 1m30s
    tags: [a, b]
    limits: {x: 1}
    tls: {enabled: true}
    custom: anything
    ratio: 0.5
  auth:
    token: x
`},
		{name: "null section", yaml: "modules:\n  store:\n"},
		{name: "unknown field", yaml: "modules:\n  store:\n    max_taks: 10\n",
			wantErrs: []string{"gati.yaml:3: modules.store.max_taks: unknown field; the fields are custom, limits, max_tasks, ratio, tags, timeout, tls"}},
		{name: "wrong types", yaml: `
modules:
  store:
    max_tasks: lots
    timeout: 90
    tags: a
    limits: {x: -1}
    tls: {enabled: maybe}
    ratio: half
`, wantErrs: []string{
			`gati.yaml:3: modules.store.max_tasks: "lots" is not an integer`,
			`gati.yaml:4: modules.store.timeout: "90" is not a duration such as "1m30s"`,
			`gati.yaml:5: modules.store.tags: want a list, not "a"`,
			`gati.yaml:6: modules.store.limits.x: "-1" is not a non-negative integer`,
			`gati.yaml:7: modules.store.tls.enabled: "maybe" is not true or false`,
			`gati.yaml:8: modules.store.ratio: "half" is not a number`,
		}},
		{name: "in an environment", yaml: `
environments:
  test:
    modules:
      store:
        tls: yes-please
`, wantErrs: []string{`gati.yaml:5: environments.test.modules.store.tls: want a mapping (key: value lines), not "yes-please"`}},
		{name: "unclaimed section", yaml: "modules:\n  cache:\n    size: 1\n",
			wantNotes: []string{"gati.yaml:2: modules.cache: no module of the app is named cache (modules: auth, store); unchecked"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "gati.yaml")
			if err := os.WriteFile(path, []byte(strings.TrimPrefix(tt.yaml, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Check(path, mods)
			if err != nil {
				t.Fatal(err)
			}
			for i := range res.Errors {
				res.Errors[i] = strings.TrimPrefix(res.Errors[i], dir+string(filepath.Separator))
			}
			if got, want := strings.Join(res.Errors, "\n"), strings.Join(tt.wantErrs, "\n"); got != want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
			notes := strings.Join(res.Notes, "\n")
			for _, n := range append(tt.wantNotes, "module auth: its Init does not call DecodeConfig", "module example.com/app.dyn: its name is not a constant") {
				if !strings.Contains(strings.ReplaceAll(notes, dir+string(filepath.Separator), ""), n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
		})
	}
}

func TestCheckWithoutConfigFile(t *testing.T) {
	t.Parallel()
	res, err := Check(filepath.Join(t.TempDir(), "gati.yaml"), mods)
	if err != nil || res.Err() != nil || len(res.Notes) != 0 {
		t.Fatalf("Check = %+v, %v", res, err)
	}
}

// TestCheckTasksExample analyzes examples/tasks, whose two modules decode
// a named struct and an anonymous one: its gati.yaml passes, and a typo
// in a copy of it is caught.
func TestCheckTasksExample(t *testing.T) {
	t.Parallel()
	app := filepath.Join("..", "..", "..", "..", "examples", "tasks")
	r, err := analyze.Analyze(t.Context(), app)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(filepath.Join(app, "gati.yaml"), r.ModuleConfigs)
	if err != nil || res.Err() != nil || len(res.Notes) != 0 {
		t.Fatalf("Check(examples/tasks) = %+v, %v", res, err)
	}
	data, err := os.ReadFile(filepath.Join(app, "gati.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "gati.yaml")
	typo := strings.Replace(string(data), "max_tasks: 3", "max_task: 3", 1)
	if err := os.WriteFile(bad, []byte(typo), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Check(bad, r.ModuleConfigs)
	if err != nil || res.Err() == nil || !strings.Contains(res.Err().Error(), "environments.test.modules.store.max_task: unknown field; the fields are max_tasks") {
		t.Fatalf("Check(typo) = %+v, %v", res, err)
	}
}
