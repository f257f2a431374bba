package versions

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
)

func str() *schema.Schema { return &schema.Schema{Type: schema.Types{"string"}} }

// object is an object schema with string properties, all required, as
// the $ref'd definition name.
func object(name string, fields ...string) *schema.Schema {
	props := map[string]*schema.Schema{}
	for _, f := range fields {
		props[f] = str()
	}
	return &schema.Schema{Ref: "#/$defs/" + name, Defs: map[string]*schema.Schema{
		name: {Type: schema.Types{"object"}, Properties: props, Required: fields},
	}}
}

// userSnapshots writes the snapshots of the name split: 2025-01-01 with
// name, 2025-06-01 with first_name and last_name, DELETE /users/{id}
// removed and GET /health added.
func userSnapshots(t *testing.T, appDir string) {
	t.Helper()
	idParam := []schema.Param{{In: "path", Name: "id", Required: true, Schema: str()}}
	routes := func(fields ...string) []timescape.RouteSchema {
		return []timescape.RouteSchema{
			{Method: "POST", Path: "/users", Status: 201, ContentType: "application/json",
				Request: object("CreateUser", fields...), Response: object("User", append([]string{"id"}, fields...)...)},
			{Method: "GET", Path: "/users/{id}", Status: 200, ContentType: "application/json", Params: idParam,
				Response: object("User", append([]string{"id"}, fields...)...)},
		}
	}
	old := routes("name")
	old = append(old, timescape.RouteSchema{Method: "DELETE", Path: "/users/{id}", Status: 204, Params: idParam})
	cur := routes("first_name", "last_name")
	cur = append(cur, timescape.RouteSchema{Method: "GET", Path: "/health", Status: 200, ContentType: "application/json", Response: str()})
	for _, s := range []*timescape.Snapshot{
		{ID: "2025-01-01", Date: date(t, "2025-01-01"), Semver: "1.0.0", Routes: old},
		{ID: "2025-06-01", Date: date(t, "2025-06-01"), Semver: "2.0.0", Routes: cur},
	} {
		if _, err := timescape.WriteSnapshot(Dir(appDir), s); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, dir string) *State {
	t.Helper()
	st, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

const appMain = "package main\n\nimport \"gati.dev/gati\"\n\nfunc main() { gati.New() }\n"

func TestNewChange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	userSnapshots(t, dir)
	writeFile(t, filepath.Join(dir, "main.go"), appMain)
	res, err := NewChange(dir, load(t, dir), NewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "2025-06-01" || res.From != "2025-01-01" || res.Var != "changes20250601" {
		t.Errorf("result %+v", res)
	}
	if filepath.Base(res.Path) != "version_2025_06_01.go" || filepath.Base(res.TestPath) != "version_2025_06_01_test.go" {
		t.Errorf("paths %s, %s", res.Path, res.TestPath)
	}
	if want := []string{"POST /users", "GET /users/{id}"}; !slices.Equal(res.Routes, want) {
		t.Errorf("routes %q, want %q", res.Routes, want)
	}
	if want := []string{"upgradePostUsers20250601", "downgradePostUsers20250601", "downgradeGetUsersID20250601"}; !slices.Equal(res.Funcs, want) {
		t.Errorf("funcs %q, want %q", res.Funcs, want)
	}
	if len(res.Untranslatable) != 1 || res.Untranslatable[0].Route != "DELETE /users/{id}" {
		t.Errorf("untranslatable %+v", res.Untranslatable)
	}
	src, _ := os.ReadFile(res.Path)
	test, _ := os.ReadFile(res.TestPath)
	for _, want := range []string{
		"var changes20250601 = []gati.VersionChange{",
		`Route:             "POST /users",`,
		"UpgradeRequest:    upgradePostUsers20250601,",
		"DowngradeResponse: downgradeGetUsersID20250601,",
		`var errChange20250601NotWritten = errors.New("gati: version change not written yet")`,
		"//   - request-field-removed /request/properties/name: ",
		"//   - response-field-removed /response/properties/name: ",
		"func upgradePostUsers20250601(body map[string]any) error {\n\treturn errChange20250601NotWritten\n}",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("change file lacks %q:\n%s", want, src)
		}
	}
	if strings.Count(string(src), "UpgradeRequest:") != 1 || strings.Contains(string(src), "DELETE") || strings.Contains(string(src), "/health") {
		t.Errorf("change file has more than the breaking changes:\n%s", src)
	}
	for _, want := range []string{
		"func TestUpgradePostUsers20250601(t *testing.T) {",
		"sampleBody20250601(t, `{\"name\":\"sample name\"}`)",
		`requireFields20250601(t, body, "first_name", "last_name")`,
		`requireFields20250601(t, body, "id", "name")`,
	} {
		if !strings.Contains(string(test), want) {
			t.Errorf("test file lacks %q:\n%s", want, test)
		}
	}

	// Never overwritten.
	if _, err := NewChange(dir, load(t, dir), NewOptions{}); err == nil || !strings.Contains(err.Error(), "version_2025_06_01.go exists already") {
		t.Errorf("second run: %v", err)
	}

	if testing.Short() {
		return
	}
	// The files compile, and the tests fail until the functions are
	// written.
	modFiles(t, dir)
	goCmd(t, dir, true, "vet", ".")
	out := goCmd(t, dir, false, "test", ".")
	for _, want := range []string{
		"write upgradePostUsers20250601 in version_2025_06_01.go: it must turn a 2025-01-01 POST /users request body into a 2025-06-01 one",
		"see docs/versioning.md",
		"--- FAIL: TestDowngradeGetUsersID20250601",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("go test output lacks %q:\n%s", want, out)
		}
	}
	writeFile(t, filepath.Join(dir, "names.go"), `package main

import "strings"

func splitName(body map[string]any) error {
	name, _ := body["name"].(string)
	first, last, _ := strings.Cut(name, " ")
	delete(body, "name")
	body["first_name"], body["last_name"] = first, last
	return nil
}

func joinName(body map[string]any) error {
	first, _ := body["first_name"].(string)
	last, _ := body["last_name"].(string)
	delete(body, "first_name")
	delete(body, "last_name")
	body["name"] = strings.TrimSpace(first + " " + last)
	return nil
}
`)
	s := string(src)
	for name, impl := range map[string]string{
		"upgradePostUsers20250601": "splitName", "downgradePostUsers20250601": "joinName", "downgradeGetUsersID20250601": "joinName",
	} {
		stub := fmt.Sprintf("func %s(body map[string]any) error {\n\treturn errChange20250601NotWritten\n}", name)
		s = strings.Replace(s, stub, fmt.Sprintf("func %s(body map[string]any) error {\n\treturn %s(body)\n}", name, impl), 1)
	}
	writeFile(t, res.Path, s)
	goCmd(t, dir, true, "test", ".")
}

// modFiles writes a go.mod requiring the working tree's gati, and its
// go.sum.
func modFiles(t *testing.T, dir string) {
	t.Helper()
	root, err := filepath.Abs("../../../..")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.mod"), fmt.Sprintf("module example.com/app\n\ngo 1.26.0\n\nrequire gati.dev/gati v0.0.0\n\nreplace gati.dev/gati => %s\n", root))
	goCmd(t, dir, true, "mod", "tidy")
}

// goCmd runs the go command in dir, checking that it succeeds (or fails),
// and returns its output.
func goCmd(t *testing.T, dir string, succeed bool, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if (err == nil) != succeed {
		t.Fatalf("go %s: %v (want success %v)\n%s", strings.Join(args, " "), err, succeed, out)
	}
	return string(out)
}

func TestNewChangeErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.go"), appMain)
	const first = "take a snapshot of the new version first: gati version snapshot"
	if _, err := NewChange(dir, load(t, dir), NewOptions{}); err == nil || err.Error() != first {
		t.Errorf("no snapshots: %v", err)
	}
	userSnapshots(t, dir)
	st := load(t, dir)
	for _, tc := range []struct {
		o    NewOptions
		want string
	}{
		{NewOptions{Version: "2025-01-01"}, "version 2025-01-01 is the first"},
		{NewOptions{From: "2025-06-01"}, "--from 2025-06-01 is not older than version 2025-06-01"},
		{NewOptions{Version: "2024-01-01"}, `unknown version "2024-01-01"`},
		{NewOptions{From: "2024-01-01"}, `unknown version "2024-01-01"`},
	} {
		if _, err := NewChange(dir, st, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}

	// Another package.
	lib := t.TempDir()
	userSnapshots(t, lib)
	writeFile(t, filepath.Join(lib, "lib.go"), "package lib\n")
	if _, err := NewChange(lib, load(t, lib), NewOptions{}); err == nil || !strings.Contains(err.Error(), "is package lib: change files belong in the app's main package") {
		t.Errorf("package lib: %v", err)
	}

	// The variable is declared already.
	writeFile(t, filepath.Join(dir, "changes.go"), "package main\n\nvar changes20250601 = 1\n")
	if _, err := NewChange(dir, st, NewOptions{}); err == nil || !strings.Contains(err.Error(), "the package already declares changes20250601 (in changes.go)") {
		t.Errorf("declared variable: %v", err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "version_*")); names != nil {
		t.Errorf("wrote %q after an error", names)
	}
}

func TestNewChangeReusesNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	userSnapshots(t, dir)
	writeFile(t, filepath.Join(dir, "main.go"), appMain+`
var errChange20250601NotWritten = errNotYet

var errNotYet error

func upgradePostUsers20250601() {}
`)
	writeFile(t, filepath.Join(dir, "main_ext_test.go"), "package main_test\n")
	res, err := NewChange(dir, load(t, dir), NewOptions{Version: "2025-06-01", From: "2025-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Funcs[0] != "upgradePostUsers20250601_2" {
		t.Errorf("funcs %q", res.Funcs)
	}
	src, _ := os.ReadFile(res.Path)
	if strings.Contains(string(src), "var errChange20250601NotWritten") || strings.Contains(string(src), `"errors"`) {
		t.Errorf("declares errChange20250601NotWritten again:\n%s", src)
	}
	fset := token.NewFileSet()
	for _, p := range []string{res.Path, res.TestPath} {
		if _, err := parser.ParseFile(fset, p, nil, 0); err != nil {
			t.Error(err)
		}
	}
}

func TestNewChangeNothingBreaking(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.go"), appMain)
	for _, s := range []*timescape.Snapshot{
		{ID: "2025-01-01", Date: date(t, "2025-01-01"), Semver: "1.0.0", Routes: []timescape.RouteSchema{{Method: "GET", Path: "/a", Status: 200}}},
		{ID: "2025-02-01", Date: date(t, "2025-02-01"), Semver: "1.1.0", Routes: []timescape.RouteSchema{{Method: "GET", Path: "/a", Status: 200}, {Method: "GET", Path: "/b", Status: 200}}},
	} {
		if _, err := timescape.WriteSnapshot(Dir(dir), s); err != nil {
			t.Fatal(err)
		}
	}
	res, err := NewChange(dir, load(t, dir), NewOptions{})
	if err != nil || res.Path != "" || len(res.Routes) != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "version_*")); names != nil {
		t.Errorf("wrote %q", names)
	}
}

func TestSampleValue(t *testing.T) {
	min := 5.0
	s := &schema.Schema{Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{
		"n":    {Type: schema.Types{"integer"}, Minimum: &min},
		"tags": {Type: schema.Types{"array"}, Items: str()},
		"at":   {Type: schema.Types{"string", "null"}, Format: "date-time"},
		"kind": {Type: schema.Types{"string"}, Enum: []any{"a", "b"}},
		"ok":   {Type: schema.Types{"boolean"}},
		"ref":  {AnyOf: []*schema.Schema{{Ref: "#/$defs/Self"}, {Type: schema.Types{"null"}}}},
	}, Defs: map[string]*schema.Schema{"Self": {Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{"x": {Type: schema.Types{"number"}}}}}}
	got := fmt.Sprint(sampleValue(s, s, "", 0))
	want := "map[at:2025-01-01T00:00:00Z kind:a n:5 ok:true ref:map[x:1.5] tags:[sample tags]]"
	if got != want {
		t.Errorf("sample %s, want %s", got, want)
	}
}

func TestRouteName(t *testing.T) {
	for route, want := range map[string]string{
		"GET /users/{id}":            "GetUsersID",
		"POST /users":                "PostUsers",
		"DELETE /api/v2/orders/{id}": "DeleteAPIV2OrdersID",
		"GET /":                      "Get",
	} {
		if got := routeName(route); got != want {
			t.Errorf("routeName(%q) = %q, want %q", route, got, want)
		}
	}
}
