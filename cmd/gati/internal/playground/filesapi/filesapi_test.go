package filesapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/playground/collection"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, collection.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// call sends a request as the playground UI does, unless edit changes it.
func call(t *testing.T, h http.Handler, method, path, body string, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://localhost:8080"+path, strings.NewReader(body))
	r.Header.Set(Header, "1")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, e := range edit {
		e(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decodeJSON[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	return v
}

func TestIndexListsFilesAndTheBadOnesWithTheirLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"tasks/01-list.yaml":        "name: list\nmethod: GET\nurl: '{{baseUrl}}/tasks'\n",
		"tasks/02-broken.yaml":      "name: broken\nmethod: GET\nurl: /\nexpect:\n  status: [lots\n",
		"environments/staging.yaml": "variables: {baseUrl: 'http://localhost:8080'}\nsecrets: [token]\n",
	})
	w := call(t, &Handler{Dir: dir}, "GET", Prefix, "")
	idx := decodeJSON[Index](t, w)
	if w.Code != 200 || len(idx.Collections) != 1 || len(idx.Collections[0].Requests) != 1 || idx.Collections[0].Requests[0].Slug != "01-list" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if len(idx.Environments) != 1 || idx.Environments[0].Variables["baseUrl"] != "http://localhost:8080" || idx.Environments[0].Secrets[0] != "token" {
		t.Errorf("environments %+v", idx.Environments)
	}
	if len(idx.Errors) != 1 || idx.Errors[0].File != ".gati/playground/tasks/02-broken.yaml" || idx.Errors[0].Line < 4 {
		t.Errorf("errors %+v", idx.Errors)
	}
}

func TestSaveAndDeleteRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := &Handler{Dir: dir}
	body := `{"name":"create","method":"POST","url":"{{baseUrl}}/tasks","body":"{\"title\":\"x\"}",
		"auth":{"type":"bearer","token":"{{token}}"},"scripts":{"post":"test('created', () => expect(gati.response.status).toBe(201))"}}`
	if w := call(t, h, "PUT", Prefix+"requests/tasks/01-create", body); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	b, err := os.ReadFile(filepath.Join(dir, ".gati/playground/tasks/01-create.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"method: POST", "auth:\n  type: bearer\n  token: '{{token}}'", "post: test('created'"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the saved file lacks %q:\n%s", want, b)
		}
	}
	idx := decodeJSON[Index](t, call(t, h, "GET", Prefix, ""))
	if got := idx.Collections[0].Requests[0]; got.Auth == nil || got.Auth.Token != "{{token}}" || got.Scripts.Post == "" {
		t.Errorf("read back %+v", got)
	}
	if w := call(t, h, "DELETE", Prefix+"requests/tasks/01-create", ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	if _, err := os.Stat(filepath.Join(dir, ".gati/playground/tasks")); !os.IsNotExist(err) {
		t.Errorf("the emptied collection folder is still there: %v", err)
	}
	if w := call(t, h, "DELETE", Prefix+"requests/tasks/01-create", ""); w.Code != http.StatusNotFound {
		t.Errorf("deleting again: %d", w.Code)
	}
}

func TestSaveRefusesCredentialsAndBadNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := &Handler{Dir: dir}
	tests := []struct{ path, body, want string }{
		{"requests/tasks/x", `{"method":"GET","url":"/","auth":{"type":"bearer","token":"abc123"}}`, "auth.token holds a credential"},
		{"requests/tasks/.hidden", `{"method":"GET","url":"/"}`, "must be non-empty, without slashes, and not start with a dot"},
		{"requests/environments/x", `{"method":"GET","url":"/"}`, "reserved for environments"},
		{"requests/tasks/x", `{"method":"GET","url":"/","extra":1}`, `unknown field \"extra\"`},
		{"requests/tasks/x", `{"method":"get","url":"/"}`, `method \"get\" must be upper case`},
	}
	for _, tt := range tests {
		w := call(t, h, "PUT", Prefix+tt.path, tt.body)
		if w.Code < 400 || !strings.Contains(w.Body.String(), tt.want) || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("PUT %s %s: %d %s, want %q", tt.path, tt.body, w.Code, w.Body, tt.want)
		}
	}
	if w := call(t, h, "DELETE", Prefix+"requests/..%2F..%2Fgo.mod/x", ""); w.Code != http.StatusNotFound {
		t.Errorf("a traversal: %d %s", w.Code, w.Body)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, collection.Dir)); len(entries) > 1 { // .gitignore at most
		t.Errorf("refused saves left files: %v", entries)
	}
}

func TestSaveEnvironmentKeepsSecretsOutOfTheCommittedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := &Handler{Dir: dir}
	w := call(t, h, "PUT", Prefix+"environments/staging", `{"variables":{"baseUrl":"http://localhost:8080"},"secrets":{"token":"s3cret-value"}}`)
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	committed, _ := os.ReadFile(filepath.Join(dir, ".gati/playground/environments/staging.yaml"))
	if strings.Contains(string(committed), "s3cret-value") || !strings.Contains(string(committed), "- token") {
		t.Errorf("the committed file:\n%s", committed)
	}
	fi, err := os.Stat(filepath.Join(dir, ".gati/playground/.secrets/staging.yaml"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the secrets file: %v %v", fi, err)
	}
	got := decodeJSON[struct{ Values map[string]string }](t, call(t, h, "GET", Prefix+"secrets/staging", ""))
	if got.Values["token"] != "s3cret-value" {
		t.Errorf("secrets read back %v", got.Values)
	}
	w = call(t, h, "PUT", Prefix+"environments/staging", `{"variables":{"copy":"s3cret-value"},"secrets":{"token":"s3cret-value"}}`)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "holds the value of secret token") {
		t.Errorf("a variable holding a secret's value: %d %s", w.Code, w.Body)
	}
	w = call(t, h, "PUT", Prefix+"environments/staging", `{"variables":{"token":"x"},"secrets":{"token":"y"}}`)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "both a variable and a secret") {
		t.Errorf("a name both variable and secret: %d %s", w.Code, w.Body)
	}
	if w := call(t, h, "GET", Prefix+"secrets/production", ""); w.Code != http.StatusNotFound {
		t.Errorf("secrets of an unknown environment: %d %s", w.Code, w.Body)
	}
}

// TestOnlyItsOwnPagesOnThisMachine: another origin, another machine's
// name for the server (DNS rebinding) and a request without the header a
// cross-origin page cannot send are refused before any file is touched.
func TestOnlyItsOwnPagesOnThisMachine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"environments/e.yaml": "secrets: [token]\n", ".secrets/e.yaml": "token: s3cret\n"})
	h := &Handler{Dir: dir}
	tests := map[string]func(*http.Request){
		"rebinding host": func(r *http.Request) { r.Host = "attacker.example:8080" },
		"LAN address":    func(r *http.Request) { r.Host = "192.168.1.20:8080" },
		"no header":      func(r *http.Request) { r.Header.Del(Header) },
		"cross-site":     func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
		"same-site":      func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") },
	}
	for name, edit := range tests {
		for _, m := range []struct{ method, path string }{{"GET", Prefix + "secrets/e"}, {"PUT", Prefix + "requests/c/r"}} {
			w := call(t, h, m.method, m.path, `{"method":"GET","url":"/"}`, edit)
			if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "s3cret") {
				t.Errorf("%s: %s %s: %d %s", name, m.method, m.path, w.Code, w.Body)
			}
		}
	}
	for _, host := range []string{"127.0.0.1:9", "[::1]:9", "localhost"} {
		if w := call(t, h, "GET", Prefix+"secrets/e", "", func(r *http.Request) { r.Host = host }); w.Code != 200 {
			t.Errorf("Host %s: %d %s", host, w.Code, w.Body)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".gati/playground/c")); !os.IsNotExist(err) {
		t.Errorf("a refused save wrote a file")
	}
}

func TestExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"environments/e.yaml": "variables: {baseUrl: 'http://x'}\n"})
	var gotEnv *collection.Environment
	h := &Handler{Dir: dir, Export: func(format string, reqs []*collection.Request, env *collection.Environment) ([]byte, error) {
		gotEnv = env
		return []byte(format + " " + reqs[0].URL), nil
	}}
	w := call(t, h, "POST", Prefix+"export", `{"format":"curl","environment":"e","requests":[{"method":"GET","url":"{{baseUrl}}/"}]}`)
	if w.Code != 200 || w.Body.String() != "curl {{baseUrl}}/" || gotEnv == nil || gotEnv.Name != "e" {
		t.Errorf("%d %q %+v", w.Code, w.Body, gotEnv)
	}
	if w := call(t, h, "POST", Prefix+"export", `{"format":"curl","environment":"nope","requests":[]}`); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("unknown environment: %d %s", w.Code, w.Body)
	}
	if w := call(t, &Handler{Dir: dir}, "POST", Prefix+"export", `{}`); w.Code != http.StatusNotImplemented {
		t.Errorf("no exporter: %d", w.Code)
	}
}
