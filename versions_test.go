package gati_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/timescape"
)

// The canonical case: in 2025-06-01 (2.0.0) "name" was split into
// "first_name" and "last_name"; 2025-01-01 (1.0.0) clients keep working.

type userOut struct {
	ID        string `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

type createUserIn struct {
	FirstName string `json:"first_name" minLength:"1"`
	LastName  string `json:"last_name"`
}

type userStore struct {
	mu    sync.Mutex
	users map[string]userOut
}

func (s *userStore) create(_ *gati.Global, _ *gati.Local, in createUserIn) (userOut, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := userOut{ID: fmt.Sprint(len(s.users) + 1), FirstName: in.FirstName, LastName: in.LastName}
	s.users[u.ID] = u
	return u, nil
}

func (s *userStore) get(_ *gati.Global, _ *gati.Local, in struct {
	ID string `path:"id"`
}) (userOut, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[in.ID]
	if !ok {
		return u, gati.NewError(404, "user_not_found", "no user "+in.ID)
	}
	return u, nil
}

func splitName(body map[string]any) error {
	name, _ := body["name"].(string)
	first, last, _ := strings.Cut(name, " ")
	delete(body, "name")
	body["first_name"], body["last_name"] = first, last
	return nil
}

func joinName(body map[string]any) error {
	body["name"] = strings.TrimSpace(fmt.Sprint(body["first_name"], " ", body["last_name"]))
	delete(body, "first_name")
	delete(body, "last_name")
	return nil
}

func versionedApp(t testing.TB, sunset time.Time, extra ...gati.VersionChange) *gati.App {
	t.Helper()
	set, err := timescape.NewSet([]timescape.Version{
		{ID: "2025-01-01", Semver: "1.0.0", Deprecated: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Sunset: sunset},
		{ID: "2025-06-01", Semver: "2.0.0", Tags: []string{"stable"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &userStore{users: map[string]userOut{}}
	app := newApp()
	app.Handle("POST /users", gati.Typed(s.create), gati.Status(201))
	app.Handle("GET /users/{id}", gati.Typed(s.get))
	changes := []gati.VersionChange{
		{Version: "2025-06-01", Route: "POST /users", Description: "name is split into first_name and last_name",
			UpgradeRequest: splitName, DowngradeResponse: joinName},
		{Version: "2025-06-01", Route: "GET /users/{id}", Description: "name is split into first_name and last_name",
			DowngradeResponse: joinName},
	}
	app.Versions(set, append(changes, extra...)...)
	return app
}

func TestVersionsTranslateBothWays(t *testing.T) {
	t.Parallel()
	srv := start(t, versionedApp(t, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))

	old := do(t, srv, "POST", "/users", `{"name":"Ada Lovelace"}`, "X-API-Version", "2025-03-15")
	if old.status != 201 || old.body != `{"id":"1","name":"Ada Lovelace"}` || old.header.Get("X-API-Version") != "2025-01-01" {
		t.Fatalf("old client create: %d %s %v", old.status, old.body, old.header)
	}
	if old.header.Get("Deprecation") != "@1748736000" || old.header.Get("Sunset") != "Tue, 01 Jan 2030 00:00:00 GMT" ||
		!strings.Contains(old.header.Get("Link"), `</versions/2025-01-01>; rel="deprecation"`) {
		t.Fatalf("deprecation headers: %v", old.header)
	}
	head := do(t, srv, "GET", "/users/1", "")
	if head.body != `{"id":"1","first_name":"Ada","last_name":"Lovelace"}` || head.header.Get("X-API-Version") != "2025-06-01" ||
		head.header.Get("Deprecation") != "" {
		t.Fatalf("new client read: %s %v", head.body, head.header)
	}
	for _, pin := range []string{"1", "v1.0", "2025-01-01T12:00:00+02:00"} {
		r := do(t, srv, "GET", "/users/1", "", "X-API-Version", pin)
		if r.body != `{"id":"1","name":"Ada Lovelace"}` || r.header.Get("X-API-Version") != "2025-01-01" {
			t.Fatalf("pin %q: %s %v", pin, r.body, r.header)
		}
	}
	if r := do(t, srv, "GET", "/users/1?api-version=stable", ""); r.header.Get("X-API-Version") != "2025-06-01" {
		t.Fatalf("query parameter: %v", r.header)
	}
}

func TestVersionsRequestErrors(t *testing.T) {
	t.Parallel()
	srv := start(t, versionedApp(t, time.Time{}))
	tests := []struct{ name, value, code, has string }{
		{"bad date", "2025-13-45", "invalid_api_version", "month 13"},
		{"unknown tag", "nightly", "invalid_api_version", "tag"},
		{"before the first version", "2024-12-31", "invalid_api_version", "2025-01-01"},
	}
	for _, tt := range tests {
		r := do(t, srv, "GET", "/users/1", "", "X-API-Version", tt.value)
		if r.status != 400 || r.problem.Code != tt.code || !strings.Contains(r.problem.Detail, tt.has) ||
			!strings.Contains(r.problem.Detail, "semver") {
			t.Errorf("%s: %d %+v", tt.name, r.status, r.problem)
		}
	}
	// An upgraded old request is still validated against today's schema.
	r := do(t, srv, "POST", "/users", `{"name":""}`, "X-API-Version", "1")
	if r.status != 422 || r.problem.Errors[0].Pointer != "/first_name" {
		t.Fatalf("upgraded request validation: %d %s", r.status, r.body)
	}
}

func TestVersionPastSunsetIsGone(t *testing.T) {
	t.Parallel()
	srv := start(t, versionedApp(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)))
	r := do(t, srv, "GET", "/users/1", "", "X-API-Version", "2025-01-01")
	if r.status != 410 || r.problem.Code != "version_sunset" || !strings.Contains(r.problem.Detail, "GET /versions/2025-06-01") {
		t.Fatalf("got %d %+v", r.status, r.problem)
	}
	if r := do(t, srv, "GET", "/versions", ""); !strings.Contains(r.body, `"status":"sunset"`) {
		t.Fatalf("GET /versions: %s", r.body)
	}
}

func TestVersionListing(t *testing.T) {
	t.Parallel()
	srv := start(t, versionedApp(t, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	r := do(t, srv, "GET", gati.PathVersions, "")
	for _, want := range []string{`"head":"2025-06-01"`, `"default":"2025-06-01"`, `"id":"2025-06-01","date":"2025-06-01T00:00:00Z","semver":"2.0.0","tags":["stable"],"status":"active"`,
		`"id":"2025-01-01"`, `"status":"deprecated"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("GET /versions lacks %s:\n%s", want, r.body)
		}
	}
	r = do(t, srv, "GET", "/versions/2025-06-01", "")
	if !strings.Contains(r.body, `"changes":[{"route":"POST /users","description":"name is split into first_name and last_name"}`) {
		t.Fatalf("GET /versions/2025-06-01: %s", r.body)
	}
	if r := do(t, srv, "GET", "/versions/1999-01-01", ""); r.status != 404 || r.problem.Code != "version_not_found" {
		t.Fatalf("unknown version: %d %s", r.status, r.body)
	}
}

func TestTransformerPanicIsContained(t *testing.T) {
	t.Parallel()
	boom := gati.VersionChange{Version: "2025-06-01", Route: "GET /users/{id}",
		DowngradeResponse: func(map[string]any) error { panic("bad transformer") }}
	failing := gati.VersionChange{Version: "2025-06-01", Route: "POST /users",
		UpgradeRequest: func(map[string]any) error { return errors.New("cannot upgrade") }}
	srv := start(t, versionedApp(t, time.Time{}, boom, failing))
	do(t, srv, "POST", "/users", `{"first_name":"Ada","last_name":"L"}`) // head: no upgrade
	r := do(t, srv, "GET", "/users/1", "", "X-API-Version", "1", "X-Request-Id", "req-9")
	if r.status != 500 || r.problem.RequestID != "req-9" {
		t.Fatalf("panicking transformer: %d %s", r.status, r.body)
	}
	if r := do(t, srv, "POST", "/users", `{"name":"x y"}`, "X-API-Version", "1"); r.status != 500 {
		t.Fatalf("failing upgrade: %d %s", r.status, r.body)
	}
	if r := do(t, srv, "GET", "/users/1", ""); r.status != 200 {
		t.Fatalf("the server stopped serving: %d", r.status)
	}
}

func TestVersionChangesAreChecked(t *testing.T) {
	t.Parallel()
	app := versionedApp(t, time.Time{},
		gati.VersionChange{Version: "2025-02-30", Route: "GET /users/{id}"},
		gati.VersionChange{Version: "2025-01-01", Route: "GET /users/{id}"},
		gati.VersionChange{Version: "2025-06-01", Route: "GET /nobody"})
	err := app.Start(t.Context())
	for _, want := range []string{`version "2025-02-30", which the version set does not have`,
		`the first version "2025-01-01"`, `"GET /nobody" (version 2025-06-01): no route`, "versions_test.go:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestOlderImplementationServesEarlierVersions(t *testing.T) {
	t.Parallel()
	app := versionedApp(t, time.Time{})
	app.HandleFunc("GET /users/{id}", func(req *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		return res.JSON(200, map[string]any{"id": req.Param("id"), "name": "from the 2025-01-01 code", "version": lctx.Version()})
	}, gati.Until("2025-06-01"))
	srv := start(t, app)
	do(t, srv, "POST", "/users", `{"first_name":"Ada","last_name":"Lovelace"}`)

	old := do(t, srv, "GET", "/users/1", "", "X-API-Version", "2025-02-01")
	if old.body != `{"id":"1","name":"from the 2025-01-01 code","version":"2025-01-01"}` || old.header.Get("X-API-Version") != "2025-01-01" {
		t.Fatalf("pinned before 2025-06-01: %s %v", old.body, old.header) // served as is: no downgrade on top
	}
	if head := do(t, srv, "GET", "/users/1", ""); head.body != `{"id":"1","first_name":"Ada","last_name":"Lovelace"}` {
		t.Fatalf("head: %s", head.body)
	}
}

func TestUntilMistakes(t *testing.T) {
	t.Parallel()
	raw := gati.HandlerFunc(func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error { return nil })
	app := versionedApp(t, time.Time{})
	app.Handle("GET /users/{id}", raw, gati.Until("2025-03-03"))
	app.Handle("GET /users/{id}", raw, gati.Until("2025-01-01"))
	app.Handle("GET /nobody", raw, gati.Until("2025-06-01"))
	err := app.Start(t.Context())
	for _, want := range []string{`gati.Until("2025-03-03") names a version the version set does not have`,
		`gati.Until("2025-01-01") names the first version`, `"GET /nobody": gati.Until("2025-06-01") has no current implementation`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to contain %q", err, want)
		}
	}
	plain := newApp()
	plain.Handle("GET /x", raw)
	plain.Handle("GET /x", raw, gati.Until("2025-06-01"))
	if err := plain.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "needs versions: call app.Versions") {
		t.Fatalf("Until without versions: %v", err)
	}
}

func TestDefaultVersionFromConfig(t *testing.T) {
	t.Setenv("GATI_API_VERSION_DEFAULT", "1") // an operator's roll-back, no rebuild
	srv := start(t, versionedApp(t, time.Time{}))
	do(t, srv, "POST", "/users", `{"first_name":"Ada","last_name":"Lovelace"}`, "X-API-Version", "2")
	if r := do(t, srv, "GET", "/users/1", ""); r.body != `{"id":"1","name":"Ada Lovelace"}` || r.header.Get("X-API-Version") != "2025-01-01" {
		t.Fatalf("no header after roll-back: %s %v", r.body, r.header)
	}
	if r := do(t, srv, "GET", "/users/1", "", "X-API-Version", "2025-06-01"); r.header.Get("X-API-Version") != "2025-06-01" {
		t.Fatalf("a pinned client must keep its version: %v", r.header)
	}
	if r := do(t, srv, "GET", "/versions", ""); !strings.Contains(r.body, `"head":"2025-06-01","default":"2025-01-01"`) {
		t.Fatalf("GET /versions: %s", r.body)
	}
	t.Setenv("GATI_API_VERSION_DEFAULT", "nightly")
	if err := versionedApp(t, time.Time{}).Start(t.Context()); err == nil || !strings.Contains(err.Error(), "versions.default") {
		t.Fatalf("bad default: %v", err)
	}
}

func TestOlderImplementationKeepsItsOwnOptions(t *testing.T) {
	t.Parallel()
	type idIn struct {
		ID string `path:"id"`
	}
	type oldOut struct {
		Legacy string `json:"legacy"`
	}
	mark := func(next gati.HandlerFunc) gati.HandlerFunc {
		return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
			res.Header().Set("X-Old-Code", "1")
			return next(req, res, gctx, lctx)
		}
	}
	app := versionedApp(t, time.Time{})
	app.Handle("GET /users/{id}", gati.Typed(func(_ *gati.Global, _ *gati.Local, in idIn) (oldOut, error) {
		return oldOut{Legacy: in.ID}, nil
	}), gati.Until("2025-06-01"), gati.Status(203), gati.With(mark))
	srv := start(t, app)
	do(t, srv, "POST", "/users", `{"first_name":"Ada","last_name":"Lovelace"}`)
	old := do(t, srv, "GET", "/users/1", "", "X-API-Version", "2025-02-01")
	if old.status != 203 || old.header.Get("X-Old-Code") != "1" || old.body != `{"legacy":"1"}` {
		t.Fatalf("older implementation: %d %v %s, want its own status and middleware", old.status, old.header, old.body)
	}
	head := do(t, srv, "GET", "/users/1", "")
	if head.status != 200 || head.header.Get("X-Old-Code") != "" {
		t.Fatalf("head: %d %v: the older implementation's options leaked", head.status, head.header)
	}

	refused := versionedApp(t, time.Time{})
	raw := gati.HandlerFunc(func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error { return nil })
	refused.Handle("GET /users/{id}", raw, gati.Until("2025-06-01"), gati.Timeout(time.Second))
	if err := refused.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "with Timeout: that option applies to the whole route") {
		t.Fatalf("an older implementation with a route-wide option: %v", err)
	}
}

func TestTypeChangesApplyWhereverTheTypeOccurs(t *testing.T) {
	t.Parallel()
	type team struct {
		Lead    *userOut           `json:"lead"`
		Members []userOut          `json:"members"`
		ByRole  map[string]userOut `json:"by_role"`
	}
	ada := userOut{ID: "1", FirstName: "Ada", LastName: "Lovelace"}
	set, err := timescape.NewSet([]timescape.Version{{ID: "2025-01-01", Semver: "1.0.0"}, {ID: "2025-06-01", Semver: "2.0.0"}})
	if err != nil {
		t.Fatal(err)
	}
	app := newApp()
	app.Handle("GET /team", gati.Typed(func(*gati.Global, *gati.Local, struct{}) (team, error) {
		return team{Lead: &ada, Members: []userOut{ada, ada}, ByRole: map[string]userOut{"chair": ada}}, nil
	}))
	app.Handle("GET /users", gati.Typed(func(*gati.Global, *gati.Local, struct{}) ([]userOut, error) {
		return []userOut{ada}, nil
	}))
	app.Handle("GET /count", gati.Typed(func(*gati.Global, *gati.Local, struct{}) (int64, error) {
		return 1 << 60, nil
	}))
	app.HandleFunc("GET /raw", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		return res.Bytes(200, "application/json", []byte(`{"first_name":"Ada"}`))
	})
	app.Versions(set,
		gati.VersionChange{Version: "2025-06-01", Type: reflect.TypeFor[userOut](), DowngradeResponse: joinName},
		gati.VersionChange{Version: "2025-06-01", Route: "GET /count", Description: "counts became numbers",
			DowngradeResponseValue: func(v any) (any, error) { return v.(json.Number).String(), nil }},
		gati.VersionChange{Version: "2025-06-01", Route: "GET /raw", DowngradeResponse: joinName},
	)
	srv := start(t, app)
	old := []string{"X-API-Version", "2025-01-01"}
	const joined = `{"id":"1","name":"Ada Lovelace"}`
	if r := do(t, srv, "GET", "/team", "", old...); r.body != `{"by_role":{"chair":`+joined+`},"lead":`+joined+`,"members":[`+joined+`,`+joined+`]}` {
		t.Errorf("team for 2025-01-01: %s", r.body)
	}
	if r := do(t, srv, "GET", "/users", "", old...); r.body != "["+joined+"]" {
		t.Errorf("an array body for 2025-01-01: %s", r.body)
	}
	if r := do(t, srv, "GET", "/count", "", old...); r.body != `"1152921504606846976"` {
		t.Errorf("a scalar body for 2025-01-01: %s (the integer must keep every digit)", r.body)
	}
	if r := do(t, srv, "GET", "/users", ""); !strings.Contains(r.body, `"first_name":"Ada"`) {
		t.Errorf("head: %s", r.body)
	}
	if r := do(t, srv, "GET", "/raw", "", old...); r.status != 500 || r.problem.Code != "untranslatable_response" {
		t.Errorf("a raw body that cannot be translated: %d %s; it must not reach an old client in the new shape", r.status, r.body)
	}
	if r := do(t, srv, "GET", "/raw", ""); r.status != 200 {
		t.Errorf("raw route at head: %d", r.status)
	}

	unused := newApp()
	unused.Handle("GET /count", gati.Typed(func(*gati.Global, *gati.Local, struct{}) (int, error) { return 1, nil }))
	unused.Versions(set, gati.VersionChange{Version: "2025-06-01", Type: reflect.TypeFor[userOut](), DowngradeResponse: joinName})
	if err := unused.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "no typed route sends or receives that type") {
		t.Fatalf("a type change no route uses: %v", err)
	}
}
