package versions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/manifest"
	"gati.dev/gati/schema"
	"gati.dev/gati/timescape/diff"
)

// userManifest is an app with GET /users/{id}, returning a user with the
// given fields, and a raw GET /hello.
func userManifest(fields ...string) *manifest.Manifest {
	props := map[string]*schema.Schema{}
	for _, f := range fields {
		props[f] = &schema.Schema{Type: schema.Types{"string"}}
	}
	return &manifest.Manifest{Routes: []manifest.Route{
		{Method: "GET", Path: "/hello", Handler: manifest.Handler{Kind: manifest.Raw}},
		{
			Method: "GET", Path: "/users/{id}", Handler: manifest.Handler{Kind: manifest.Typed},
			Request: &manifest.TypeRef{
				Fields: []manifest.Field{{Name: "ID", Source: manifest.SourcePath, Param: "id"}},
				Schema: &schema.Schema{Type: schema.Types{"object"}},
				Params: []schema.Param{{In: "path", Name: "id", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}}},
			},
			Response: &manifest.TypeRef{Schema: &schema.Schema{Type: schema.Types{"object"}, Properties: props, Required: fields}},
		},
		{
			Method: "POST", Path: "/users", Status: 201, Handler: manifest.Handler{Kind: manifest.Typed},
			Request: &manifest.TypeRef{
				Fields: []manifest.Field{{Name: "Name", JSON: "name", Source: manifest.SourceBody}},
				Schema: &schema.Schema{Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{"name": {Type: schema.Types{"string"}}}},
			},
		},
	}}
}

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := ParseTime("date", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRoutes(t *testing.T) {
	rs := Routes(userManifest("id"))
	if len(rs) != 3 {
		t.Fatalf("%d routes", len(rs))
	}
	hello, get, post := rs[0], rs[1], rs[2]
	if hello.Status != 0 || hello.Response != nil || hello.ContentType != "" {
		t.Errorf("raw route: %+v", hello)
	}
	if get.Status != 200 || get.Request != nil || len(get.Params) != 1 || get.Response == nil || get.ContentType != "application/json" {
		t.Errorf("GET /users/{id}: %+v", get)
	}
	if post.Status != 201 || post.Request == nil {
		t.Errorf("POST /users: %+v", post)
	}
}

func TestSnapshotLifecycle(t *testing.T) {
	app := t.TempDir()
	now := date(t, "2026-01-01")
	load := func() *State {
		t.Helper()
		st, err := Load(app)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	snap := func(m *manifest.Manifest, d string) *SnapshotResult {
		t.Helper()
		res, err := Snapshot(load(), m, SnapshotOptions{Date: date(t, d), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	r1 := snap(userManifest("id", "email"), "2025-01-01")
	if s := r1.Snapshot; s.ID != "2025-01-01" || s.Semver != "1.0.0" || !strings.HasPrefix(s.Changelog, "First version") {
		t.Fatalf("first snapshot: %s %s %q", s.ID, s.Semver, s.Changelog)
	}
	if r := snap(userManifest("id", "email"), "2025-03-01"); !r.Unchanged || r.Previous.ID != "2025-01-01" {
		t.Fatalf("unchanged API: %+v", r)
	}
	r2 := snap(userManifest("id"), "2025-06-01")
	if s := r2.Snapshot; s.ID != "2025-06-01" || s.Semver != "2.0.0" || r2.Report.Severity != diff.Breaking {
		t.Fatalf("second snapshot: %s %s %v", s.ID, s.Semver, r2.Report.Severity)
	}
	if want := "1 breaking: response field removed on GET /users/{id}"; r2.Snapshot.Changelog != want {
		t.Errorf("changelog %q, want %q", r2.Snapshot.Changelog, want)
	}
	r3 := snap(userManifest("id", "name"), "2025-06-01")
	if s := r3.Snapshot; s.ID != "2025-06-01.2" || s.Semver != "2.1.0" {
		t.Fatalf("same-day snapshot: %s %s", s.ID, s.Semver)
	}
	// An earlier date, or a lower semver, is refused.
	if _, err := Snapshot(load(), userManifest(), SnapshotOptions{Date: date(t, "2025-02-01"), Now: now}); err == nil {
		t.Error("a snapshot dated before the newest succeeded")
	}
	if _, err := Snapshot(load(), userManifest(), SnapshotOptions{Semver: "2.2.0", Now: now}); err == nil || !strings.Contains(err.Error(), "--semver") {
		t.Errorf("--semver below the proposal: %v", err)
	}

	st := load()
	if err := Deprecate(st, "2025-01-01", date(t, "2030-01-01"), now); err != nil {
		t.Fatal(err)
	}
	if err := Deprecate(st, "2025-01-01", date(t, "2025-12-01"), now); err == nil || !strings.Contains(err.Error(), "--sunset") {
		t.Errorf("past sunset: %v", err)
	}
	if err := Deprecate(st, "2024-01-01", date(t, "2030-01-01"), now); err == nil || !strings.Contains(err.Error(), "known: 2025-01-01, 2025-06-01, 2025-06-01.2") {
		t.Errorf("unknown id: %v", err)
	}
	if err := Rollback(load(), "2025-06-01", now); err != nil {
		t.Fatal(err)
	}
	st = load()
	list := List(st, now)
	if len(list) != 3 || list[0].Status != "deprecated" || !list[1].Default || list[2].Default || list[2].Tags[0] != "latest" {
		t.Errorf("list: %+v", list)
	}
	set, err := st.Set(now)
	if err != nil || set.Default().ID != "2025-06-01" {
		t.Fatalf("set: %v", err)
	}
	h := History(st)
	var events []string
	for _, e := range h {
		events = append(events, e.Event+" "+e.Version+" "+e.Serving)
	}
	want := "snapshot 2025-01-01 2025-01-01|snapshot 2025-06-01 2025-06-01|snapshot 2025-06-01.2 2025-06-01.2|deprecate 2025-01-01 2025-06-01.2|rollback 2025-06-01 2025-06-01"
	if got := strings.Join(events, "|"); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if err := Rollback(st, "", now); err != nil {
		t.Fatal(err)
	}
	if st = load(); st.Lifecycle.Default != "" || st.DefaultID() != "2025-06-01.2" {
		t.Errorf("after clearing: default %q", st.Lifecycle.Default)
	}
}

func TestCorruptSnapshot(t *testing.T) {
	app := t.TempDir()
	if _, err := Snapshot(mustLoad(t, app), userManifest("id"), SnapshotOptions{Date: date(t, "2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(Dir(app), "2025-01-01.json")
	data, _ := os.ReadFile(p)
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), `"/hello"`, `"/bye"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(app)
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("corrupt snapshot: %v", err)
	}
}

func mustLoad(t *testing.T, app string) *State {
	t.Helper()
	st, err := Load(app)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
