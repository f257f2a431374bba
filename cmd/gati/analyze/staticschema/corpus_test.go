package staticschema_test

import (
	"bytes"
	"encoding/json"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"golang.org/x/tools/go/packages"

	"gati.dev/gati/cmd/gati/analyze/staticschema"
)

const corpusPath = "gati.dev/gati/schema/internal/corpus"

// result is what For and Params return for one type, as the corpus's
// dump command writes it for the run-time side.
type result struct {
	Schema      string `json:"schema,omitempty"`
	SchemaError string `json:"schema_error,omitempty"`
	Params      string `json:"params,omitempty"`
	ParamsError string `json:"params_error,omitempty"`
}

// TestCorpusMatchesRuntime checks that the static schema of every corpus
// type equals the run-time one. The run-time side comes from a helper
// command in the corpus (the test cannot import an internal package of
// the gati module), which registers the corpus's enums as generated code
// does and calls schema.For and schema.Params.
func TestCorpusMatchesRuntime(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), "go", "run", corpusPath+"/dump")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run %s/dump: %v\n%s", corpusPath, err, stderr.Bytes())
	}
	var runtime map[string]result
	if err := json.Unmarshal(out, &runtime); err != nil {
		t.Fatal(err)
	}

	// Both packages from source, as the analyzer loads an app's packages:
	// export data holds only the constants other packages use, and the
	// enums' values are the constants.
	mode := packages.NeedName | packages.NeedFiles | packages.NeedTypes
	pkgs, err := packages.Load(&packages.Config{Context: t.Context(), Mode: mode}, corpusPath, corpusPath+"/other")
	if err != nil {
		t.Fatal(err)
	}
	var scope *types.Scope
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			t.Fatalf("loading %s: %v", p.PkgPath, p.Errors)
		}
		readFiles(t, p.GoFiles)
		if p.PkgPath == corpusPath && len(p.GoFiles) > 0 {
			scope = p.Types.Scope()
			dump, _ := filepath.Glob(filepath.Join(filepath.Dir(p.GoFiles[0]), "dump", "*.go"))
			readFiles(t, dump)
		}
	}
	if scope == nil {
		t.Fatalf("%s not loaded", corpusPath)
	}
	static := map[string]result{}
	add := func(prefix, roots string) {
		st := scope.Lookup(roots).Type().Underlying().(*types.Struct)
		for i := range st.NumFields() {
			static[prefix+st.Field(i).Name()] = staticResult(t, st.Field(i).Type())
		}
	}
	add("", "Roots")
	add("Bad.", "BadRoots")
	static["Roots"] = staticResult(t, scope.Lookup("Roots").Type())

	if len(static) != len(runtime) || len(static) < 80 {
		t.Errorf("%d static cases, %d run-time ones", len(static), len(runtime))
	}
	names := make([]string, 0, len(runtime))
	for name := range runtime {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want, got := runtime[name], static[name]
		if got.Schema != want.Schema || got.SchemaError != want.SchemaError {
			t.Errorf("%s: schemas differ\nstatic:   %s%s\nrun time: %s%s", name, got.Schema, got.SchemaError, want.Schema, want.SchemaError)
		}
		if got.Params != want.Params || got.ParamsError != want.ParamsError {
			t.Errorf("%s: params differ\nstatic:   %s%s\nrun time: %s%s", name, got.Params, got.ParamsError, want.Params, want.ParamsError)
		}
	}
}

// readFiles reads files the go command reads for the test, so that go
// test's cache, which sees only the files the test itself opens, knows
// the result depends on them.
func readFiles(t *testing.T, files []string) {
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
}

func staticResult(t *testing.T, typ types.Type) result {
	var r result
	if s, err := staticschema.For(typ); err != nil {
		r.SchemaError = err.Error()
	} else {
		r.Schema = canonical(t, s)
	}
	if ps, err := staticschema.Params(typ); err != nil {
		r.ParamsError = err.Error()
	} else {
		r.Params = canonical(t, ps)
	}
	return r
}

func canonical(t *testing.T, v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
