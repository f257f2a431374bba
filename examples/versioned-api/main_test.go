package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// startApp serves the app as main builds it, in memory.
func startApp(t *testing.T) string {
	t.Helper()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	app.Module(NewStore())
	gatiRegister(app)
	if err := useVersions(app); err != nil {
		t.Fatal(err)
	}
	return gatitest.Serve(t, app).URL
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func call(t *testing.T, method, url, body string, version string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if version != "" {
		req.Header.Set("X-API-Version", version)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&r.body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, url, err)
	}
	return r
}

// checkVersions runs the scenario of the versioning acceptance against an
// app at base.
func checkVersions(t *testing.T, base string) {
	// An old client creates a user with the 2025-01-01 shape...
	old := call(t, "POST", base+"/users", `{"name":"Ada Lovelace"}`, "2025-03-15")
	if old.status != 201 || old.body["name"] != "Ada Lovelace" || old.body["first_name"] != nil ||
		old.header.Get("X-API-Version") != "2025-01-01" {
		t.Fatalf("old client POST /users: %d %v %v", old.status, old.body, old.header)
	}
	if old.header.Get("Deprecation") == "" || old.header.Get("Sunset") != "Tue, 01 Jan 2030 00:00:00 GMT" {
		t.Errorf("old client: Deprecation=%q Sunset=%q", old.header.Get("Deprecation"), old.header.Get("Sunset"))
	}
	id := old.body["id"].(string)

	// ...which a new client (no header: the head version) reads as first/last name.
	head := call(t, "GET", base+"/users/"+id, "", "")
	if head.status != 200 || head.body["first_name"] != "Ada" || head.body["last_name"] != "Lovelace" ||
		head.body["name"] != nil || head.header.Get("X-API-Version") != "2025-06-01" || head.header.Get("Deprecation") != "" {
		t.Fatalf("new client GET: %d %v %v", head.status, head.body, head.header)
	}
	for _, pin := range []string{"2025-03-15", "1", "v1.0.0"} {
		r := call(t, "GET", base+"/users/"+id, "", pin)
		if r.body["name"] != "Ada Lovelace" || r.body["first_name"] != nil || r.header.Get("X-API-Version") != "2025-01-01" {
			t.Errorf("X-API-Version %s: %v %v", pin, r.body, r.header)
		}
	}
	bad := call(t, "GET", base+"/users/"+id, "", "2025-13-45")
	if bad.status != 400 || bad.body["code"] != "invalid_api_version" || !strings.Contains(bad.body["detail"].(string), "month 13") {
		t.Errorf("X-API-Version 2025-13-45: %d %v", bad.status, bad.body)
	}
	list := call(t, "GET", base+"/versions", "", "")
	if list.body["head"] != "2025-06-01" || len(list.body["versions"].([]any)) != 2 {
		t.Errorf("GET /versions: %v", list.body)
	}
}

func TestVersions(t *testing.T) {
	t.Parallel()
	checkVersions(t, startApp(t))
}

func TestOldClientValidation(t *testing.T) {
	t.Parallel()
	r := call(t, "POST", startApp(t)+"/users", `{"name":""}`, "2025-01-01")
	if r.status != 422 || !strings.Contains(r.body["errors"].([]any)[0].(map[string]any)["pointer"].(string), "first_name") {
		t.Fatalf("got %d %v", r.status, r.body)
	}
}

// TestBinary runs the built app with its embedded snapshots.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	p := gatitest.Start(t, exec.Command(gatitest.Build(t, ".")))
	checkVersions(t, p.URL)
	p.Stop(t)
}
