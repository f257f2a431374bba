package configschema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/golden"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"gati.dev/gati/cmd/gati/analyze"
)

// compile checks the schema against the 2020-12 meta-schema with an
// independent validator and returns it compiled.
func compile(t *testing.T, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("gati.schema.json", v); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("gati.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v\n%s", err, doc)
	}
	return s
}

// yamlValue decodes YAML into the JSON value a validator reads.
func yamlValue(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExamplesConfigsValidate guards the schema against the real files:
// every example's gati.yaml is valid for the schema of its own app.
func TestExamplesConfigsValidate(t *testing.T) {
	for _, ex := range []string{"hello-world", "tasks", "versioned-api"} {
		t.Run(ex, func(t *testing.T) {
			dir := filepath.Join("..", "..", "..", "..", "examples", ex)
			r, err := analyze.Analyze(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Schema(r.ModuleConfigs)
			if err != nil {
				t.Fatal(err)
			}
			s := compile(t, doc)
			src, err := os.ReadFile(filepath.Join(dir, "gati.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(yamlValue(t, string(src))); err != nil {
				t.Errorf("%s/gati.yaml does not validate: %v", ex, err)
			}
		})
	}
}

// TestSchemaRejectsMistakes guards what editors flag: unknown keys at the
// top, in server settings, in a module's section and in an environment;
// values of the wrong form; and that descriptions come from the runtime's
// doc comments.
func TestSchemaRejectsMistakes(t *testing.T) {
	mods := []analyze.ModuleConfig{{
		Name: "store", TypeName: "store.Config",
		Shape: &analyze.Shape{Kind: analyze.ShapeStruct, Fields: map[string]*analyze.Shape{
			"path":  {Kind: analyze.ShapeString},
			"every": {Kind: analyze.ShapeDuration},
			"limit": {Kind: analyze.ShapeUint},
		}},
	}}
	doc, err := Schema(mods)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("how long a handler has to start its answer")) {
		t.Error("server.request_timeout has no description from config.go")
	}
	s := compile(t, doc)
	valid := `
name: demo
server:
  port: 8080
  body_limit: 1MiB
  request_timeout: 1m30s
  drain_delay: 0
  request_id_header: always
log:
  level: debug
  access: true
modules:
  store:
    path: /tmp/db
    every: 250ms
    limit: 10
  unknown_module: {anything: 1}
environments:
  production:
    server:
      port: 80
    modules:
      store:
        limit: 5
`
	if err := s.Validate(yamlValue(t, valid)); err != nil {
		t.Fatalf("a valid gati.yaml fails: %v", err)
	}
	for name, src := range map[string]string{
		"unknown top-level key":    "serverr: {port: 1}",
		"unknown server key":       "server: {prot: 8080}",
		"port as text":             "server: {port: eighty}",
		"bad duration":             "server: {request_timeout: 30 seconds}",
		"bad size":                 "server: {body_limit: 1 megabyte}",
		"unknown request id mode":  "server: {request_id_header: sometimes}",
		"unknown module key":       "modules: {store: {paht: x}}",
		"negative module limit":    "modules: {store: {limit: -1}}",
		"unknown key in env":       "environments: {staging: {servre: {}}}",
		"environments nested deep": "environments: {staging: {environments: {}}}",
	} {
		if err := s.Validate(yamlValue(t, src)); err == nil {
			t.Errorf("%s: %q validates", name, strings.TrimSpace(src))
		}
	}
}

// TestTasksSchemaGolden keeps the schema of examples/tasks' gati.yaml in
// testdata, so a change to what the schema says shows in review; run
// go test -update to accept one. Schema must also be deterministic.
func TestTasksSchemaGolden(t *testing.T) {
	r, err := analyze.Analyze(t.Context(), filepath.Join("..", "..", "..", "..", "examples", "tasks"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Schema(r.ModuleConfigs)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Schema(r.ModuleConfigs)
	if err != nil || !bytes.Equal(got, again) {
		t.Fatalf("two schemas of one app differ (%v)", err)
	}
	golden.Check(t, filepath.Join("testdata", "tasks.schema.json"), got)
}
