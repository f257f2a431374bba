package collection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveRequestDeterministic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"tasks/create.yaml": createTask})
	set, errs := Load(dir)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	r := set.Collection("tasks").Requests[0]
	read := func() string {
		b, err := os.ReadFile(filepath.Join(dir, r.File()))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if err := SaveRequest(dir, r); err != nil {
		t.Fatal(err)
	}
	first := read()
	want := `name: Create a task
method: POST
url: '{{baseUrl}}/tasks'
version: "2025-01-01"
headers:
  Authorization: Bearer {{token}}
  Content-Type: application/json
query:
  done: "false"
body: |
  {"title": "Write docs"}
expect:
  status: 201
  json:
    /done: false
    /title: Write docs
  headers:
    Content-Type: application/json
scripts:
  post: |
    test("created", () => {})
`
	if first != want {
		t.Errorf("saved:\n%s\nwant:\n%s", first, want)
	}
	for range 5 { // map order varies from run to run; the file must not
		if err := SaveRequest(dir, r); err != nil {
			t.Fatal(err)
		}
		if got := read(); got != first {
			t.Fatalf("second save differs:\n%s", got)
		}
	}
	// What was saved loads back the same.
	again, errs := Load(dir)
	if len(errs) != 0 || again.Collection("tasks").Requests[0].Expect.JSON["/title"] != "Write docs" {
		t.Fatalf("reload: %v", errs)
	}
	gi, err := os.ReadFile(filepath.Join(dir, Dir, ".gitignore"))
	if err != nil || string(gi) != "/.secrets/\n" {
		t.Errorf(".gitignore = %q, %v", gi, err)
	}
	if err := SaveRequest(dir, &Request{Collection: "../x", Slug: "r", Method: "GET", URL: "/"}); err == nil {
		t.Error("a collection name with a slash was saved")
	}
	bad := &Request{Collection: "c", Slug: "r", Method: "get", URL: "/", Expect: &Expect{JSON: map[string]any{"title": "x"}}}
	err = SaveRequest(dir, bad)
	if err == nil || !strings.Contains(err.Error(), `method "get" must be upper case`) || !strings.Contains(err.Error(), `expect.json key "title" is not a JSON pointer`) {
		t.Errorf("an invalid request: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, bad.File())); !os.IsNotExist(err) {
		t.Errorf("an invalid request was written: %v", err)
	}
}

func TestSaveEnvironmentRefusesSecretValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := SaveSecrets(dir, "test", map[string]string{"token": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, SecretsFile("test")))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file mode %v, %v; want 0600", fi.Mode(), err)
	}

	named := &Environment{Name: "test", Variables: map[string]string{"token": "x"}, Secrets: []string{"token"}}
	err = SaveEnvironment(dir, named)
	if err == nil || !strings.Contains(err.Error(), "token is a secret") {
		t.Errorf("a variable named like a secret: %v", err)
	}
	copied := &Environment{Name: "test", Variables: map[string]string{"auth": "s3cret"}, Secrets: []string{"token"}}
	err = SaveEnvironment(dir, copied)
	if err == nil || !strings.Contains(err.Error(), "variable auth holds the value of secret token") {
		t.Errorf("a variable holding a secret's value: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, named.File())); !os.IsNotExist(err) {
		t.Fatalf("a refused environment was written: %v", err)
	}

	ok := &Environment{Name: "test", Variables: map[string]string{"baseUrl": "http://x", "a": "1"}, Secrets: []string{"token"}}
	if err := SaveEnvironment(dir, ok); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, ok.File()))
	if want := "variables:\n  a: \"1\"\n  baseUrl: http://x\nsecrets:\n  - token\n"; string(b) != want {
		t.Errorf("environment file:\n%s\nwant:\n%s", b, want)
	}
	set, errs := Load(dir)
	if len(errs) != 0 || len(set.Collections) != 0 || set.Environment("test") == nil {
		t.Fatalf("reload: %+v %v (.secrets must not load as a collection)", set, errs)
	}
	secrets, err := Secrets(dir, set.Environment("test"))
	if err != nil || secrets["token"] != "s3cret" {
		t.Errorf("secrets = %v, %v", secrets, err)
	}
}
