package collection

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// write creates files under dir's .gati/playground/.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const createTask = `name: Create a task
method: POST
url: "{{baseUrl}}/tasks"
version: "2025-01-01"
headers: {Content-Type: application/json, Authorization: "Bearer {{token}}"}
query: {done: "false"}
body: |
  {"title": "Write docs"}
expect:
  status: 201
  json: {"/title": "Write docs", "/done": false}
  headers: {Content-Type: application/json}
scripts:
  post: |
    test("created", () => {})
`

const testEnv = `variables: {baseUrl: "http://127.0.0.1:8080"}
secrets: [token]
`

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"tasks/01-create.yaml":      createTask,
		"tasks/02-list.yaml":        "method: GET\nurl: \"{{baseUrl}}/tasks\"\n",
		"tasks/notes.txt":           "not a request",
		"environments/test.yaml":    testEnv,
		".secrets/test.yaml":        "token: from-file\n",
		"other/03-broken.yaml":      "method: GET\nurl: [\n",
		"other/04-unknown-key.yaml": "method: GET\nurl: /x\nexpect:\n  status: 200\n  stauts: 201\n",
	})
	set, errs := Load(dir)
	want := []string{
		".gati/playground/other/03-broken.yaml:2: did not find expected node content",
		`.gati/playground/other/04-unknown-key.yaml:5: unknown key "stauts" in expect; valid keys: status, json, headers`,
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %v, want %d", errs, len(want))
	}
	for i, err := range errs {
		var fe *FileError
		if !errors.As(err, &fe) || err.Error() != want[i] {
			t.Errorf("error %d = %q, want %q", i, err, want[i])
		}
	}
	tasks := set.Collection("tasks")
	if tasks == nil || len(tasks.Requests) != 2 || set.Collection("other") == nil || len(set.Collection("other").Requests) != 0 {
		t.Fatalf("collections %+v", set.Collections)
	}
	r := tasks.Requests[0]
	if r.Name != "Create a task" || r.Method != "POST" || r.Version != "2025-01-01" || r.Headers["Authorization"] != "Bearer {{token}}" ||
		r.Body != "{\"title\": \"Write docs\"}\n" || r.Expect.Status != 201 || r.Expect.JSON["/done"] != false || r.Scripts.Post == "" ||
		r.File() != ".gati/playground/tasks/01-create.yaml" {
		t.Errorf("request %+v", r)
	}
	if tasks.Requests[1].Name != "02-list" {
		t.Errorf("a request without a name is named after its file: %q", tasks.Requests[1].Name)
	}
	env := set.Environment("test")
	if env == nil || env.Variables["baseUrl"] != "http://127.0.0.1:8080" || !env.IsSecret("token") {
		t.Fatalf("environment %+v", env)
	}
}

func TestLoadBadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, file, body, want string }{
		{"unknown top key", "c/r.yaml", "method: GET\nurl: /\nheader: {}\n", `c/r.yaml:3: unknown key "header" in a request; valid keys: name, method, url, version, headers, query, body, auth, expect, scripts`},
		{"auth type", "c/r.yaml", "method: GET\nurl: /\nauth:\n  type: digest\n", `c/r.yaml:4: auth.type "digest" is not a type: use one of bearer, basic, apikey, oauth2`},
		{"auth credential in file", "c/r.yaml", "method: GET\nurl: /\nauth:\n  type: basic\n  username: ann\n  password: hunter2\n", "c/r.yaml:6: auth.password holds a credential: keep it out of the committed file, as a secret of the environment, and write {{name}} here"},
		{"auth grant", "c/r.yaml", "method: GET\nurl: /\nauth: {type: oauth2, grant: implicit}\n", `c/r.yaml:3: auth.grant "implicit" is not a grant: use one of client_credentials, authorization_code`},
		{"auth in", "c/r.yaml", "method: GET\nurl: /\nauth: {type: apikey, name: X-Key, value: '{{key}}', in: cookie}\n", `c/r.yaml:3: auth.in "cookie" must be header or query`},
		{"auth client_auth", "c/r.yaml", "method: GET\nurl: /\nauth: {type: oauth2, grant: client_credentials, client_id: c, client_auth: header}\n", `c/r.yaml:3: auth.client_auth "header" must be basic or post`},
		{"no url", "c/r.yaml", "method: GET\n", "c/r.yaml:1: url is required"},
		{"lower-case method", "c/r.yaml", "method: get\nurl: /\n", `c/r.yaml:1: method "get" must be upper case: GET`},
		{"not a pointer", "c/r.yaml", "method: GET\nurl: /\nexpect:\n  json: {title: x}\n", `c/r.yaml:4: expect.json key "title" is not a JSON pointer: start it with / ("/title")`},
		{"wrong type", "c/r.yaml", "method: GET\nurl: /\nexpect: {status: lots}\n", "c/r.yaml:3: cannot unmarshal !!str `lots` into int"},
		{"not a mapping", "c/r.yaml", "- GET\n", "c/r.yaml:1: a request must be a mapping of keys to values"},
		{"empty", "c/r.yaml", "", "c/r.yaml:1: the file is empty"},
		{"unknown env key", "environments/e.yaml", "vars: {}\n", `environments/e.yaml:1: unknown key "vars" in an environment; valid keys: variables, secrets`},
		{"secret value in env", "environments/e.yaml", "variables: {token: abc}\nsecrets: [token]\n", "environments/e.yaml:1: token is a secret: remove its value from variables and keep it in .gati/playground/.secrets/ or $GATI_PLAYGROUND_E_TOKEN"},
		{"loose request", "r.yaml", "method: GET\nurl: /\n", "r.yaml: a request file belongs in a collection folder: move it to .gati/playground/<collection>/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, map[string]string{tt.file: tt.body})
			_, errs := Load(dir)
			if len(errs) != 1 || errs[0].Error() != Dir+"/"+tt.want {
				t.Fatalf("errors %q\nwant %q", errs, Dir+"/"+tt.want)
			}
		})
	}
}

func TestExpectJSONValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"c/r.yaml": "method: GET\nurl: /\nexpect:\n  json:\n    /due: 2026-03-01\n    /at: 2026-03-01T17:00:00Z\n    /n: 3\n    /o: {when: [2026-03-01, 1.5, null]}\n"})
	set, errs := Load(dir)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	got := set.Collection("c").Requests[0].Expect.JSON
	want := map[string]any{"/due": "2026-03-01", "/at": "2026-03-01T17:00:00Z", "/n": 3,
		"/o": map[string]any{"when": []any{"2026-03-01", 1.5, nil}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("expect.json = %#v\nwant %#v", got, want)
	}
	// Saved and loaded again, the values stay the same.
	if err := SaveRequest(dir, set.Collection("c").Requests[0]); err != nil {
		t.Fatal(err)
	}
	again, errs := Load(dir)
	if len(errs) != 0 || !reflect.DeepEqual(again.Collection("c").Requests[0].Expect.JSON, want) {
		t.Errorf("after a save: %#v, %v", again.Collection("c").Requests[0].Expect.JSON, errs)
	}
}

func TestLoadMissingDir(t *testing.T) {
	t.Parallel()
	set, errs := Load(t.TempDir())
	if len(errs) != 0 || len(set.Collections) != 0 || len(set.Environments) != 0 {
		t.Fatalf("Load of an app without a playground = %+v, %v", set, errs)
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"tasks/create.yaml":      createTask,
		"tasks/typo.yaml":        "method: GET\nurl: \"{{baseURL}}/tasks\"\nheaders: {X-Id: \"{{ id }}\"}\n",
		"environments/test.yaml": testEnv,
		"environments/dev.yaml":  testEnv,
		".secrets/test.yaml":     "token: from-file\nother: ignored\n",
	})
	set, errs := Load(dir)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	env := set.Environment("test")
	create := set.Collection("tasks").Requests[0]

	secrets, err := Secrets(dir, env)
	if err != nil || len(secrets) != 1 || secrets["token"] != "from-file" {
		t.Fatalf("secrets from the file = %v, %v", secrets, err)
	}
	r, err := Resolve(create, env, secrets)
	if err != nil {
		t.Fatal(err)
	}
	if r.URL != "http://127.0.0.1:8080/tasks" || r.Headers["Authorization"] != "Bearer from-file" ||
		r.FullURL() != "http://127.0.0.1:8080/tasks?done=false" || create.URL != "{{baseUrl}}/tasks" {
		t.Errorf("resolved %+v", r)
	}

	// The environment variable wins over the file (not parallel: Setenv).
	t.Setenv(EnvVar("test", "token"), "from-env")
	if secrets, _ := Secrets(dir, env); secrets["token"] != "from-env" {
		t.Errorf("secrets with $%s set = %v", EnvVar("test", "token"), secrets)
	}

	_, err = Resolve(set.Collection("tasks").Requests[1], env, secrets)
	want := ".gati/playground/tasks/typo.yaml: unknown variable {{baseURL}} in url; unknown variable {{id}} in headers.X-Id; environment test defines baseUrl, token"
	if err == nil || err.Error() != want {
		t.Errorf("unknown variables: %v\nwant %s", err, want)
	}
	dev := set.Environment("dev")
	_, err = Resolve(create, dev, nil)
	want = ".gati/playground/tasks/create.yaml: secret {{token}} in headers.Authorization has no value: set $GATI_PLAYGROUND_DEV_TOKEN or write it to .gati/playground/.secrets/dev.yaml; environment dev defines baseUrl, token"
	if err == nil || err.Error() != want {
		t.Errorf("secret without a value: %v\nwant %s", err, want)
	}
}

func TestEnvVar(t *testing.T) {
	t.Parallel()
	if got := EnvVar("my-env", "api.key"); got != "GATI_PLAYGROUND_MY_ENV_API_KEY" {
		t.Errorf("EnvVar = %s", got)
	}
}
