package gati_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/timescape"
)

type pgIn struct {
	ID    string `path:"id"`
	Title string `json:"title" minLength:"1"`
}

type pgOut struct {
	ID string `json:"id"`
}

func pgHandler(_ *gati.Global, _ *gati.Local, in pgIn) (pgOut, error) { return pgOut{ID: in.ID}, nil }

func pgRaw(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
	return res.JSON(http.StatusOK, map[string]string{"ok": "yes"})
}

func pgMiddleware(next gati.HandlerFunc) gati.HandlerFunc { return next }

// playgroundApp starts an app in env with a typed and a raw route and
// two API versions, the older deprecated, and serves it.
func playgroundApp(t *testing.T, env string, cfg *gati.Config) (*gati.App, error) {
	t.Helper()
	set, err := timescape.NewSet([]timescape.Version{
		{ID: "2025-01-01", Semver: "1.0.0", Deprecated: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Sunset: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "2025-06-01", Semver: "2.0.0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := []gati.Option{gati.WithEnv(env), gati.WithLogOutput(io.Discard)}
	if cfg != nil {
		opts = append(opts, gati.WithConfig(cfg))
	}
	app := gati.New(opts...)
	app.Handle("PUT /items/{id}", gati.Typed(pgHandler), gati.Source("items.go", 12), gati.With(pgMiddleware), gati.Timeout(5*time.Second))
	app.HandleFunc("GET /raw", pgRaw)
	app.Versions(set, gati.VersionChange{Version: "2025-06-01", Route: "PUT /items/{id}", Description: "renamed"})
	if err := app.Start(t.Context()); err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = app.Stop(t.Context()) })
	return app, nil
}

func get(app *gati.App, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	return rec
}

func on(b bool) *bool { return &b }

func TestPlaygroundServedInDevelopment(t *testing.T) {
	t.Setenv("GATI_PLAYGROUND_TOKEN", "")
	app, err := playgroundApp(t, "development", nil)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/_playground/": "<title>gati playground</title>", "/_playground/app.js": "api/routes", "/_playground/style.css": "#routes"} {
		rec := get(app, path)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d %.200s", path, rec.Code, rec.Body)
		}
	}
	if rec := get(app, "/_playground"); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/_playground/" {
		t.Errorf("GET /_playground: %d %v", rec.Code, rec.Header())
	}
	if rec := get(app, "/_playground/nope.js"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /_playground/nope.js: %d", rec.Code)
	}
	// The playground's routes are built in: not listed with the app's.
	for _, r := range app.Routes() {
		if strings.HasPrefix(r.Path, "/_playground") && !r.BuiltIn {
			t.Errorf("%s is not built in", r.Pattern)
		}
	}
}

func TestPlaygroundRoutesListTheAppsRoutes(t *testing.T) {
	t.Setenv("GATI_PLAYGROUND_TOKEN", "")
	app, err := playgroundApp(t, "development", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := get(app, "/_playground/api/routes")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var doc struct {
		Env    string `json:"env"`
		Routes []struct {
			Method, Path, Pattern, Kind, Source, Handler, Timeout string
			Status                                                int
			Middleware                                            []string
			Params                                                []struct{ In, Name string }
			Request, Response                                     map[string]any
		} `json:"routes"`
		Versions struct {
			Head, Default string
			Versions      []struct {
				ID, Status string
				Deprecated *time.Time
				Sunset     *time.Time
				Routes     []string
			}
		} `json:"versions"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, r := range app.Routes() {
		if !r.BuiltIn {
			want = append(want, r.Pattern)
		}
	}
	for _, r := range doc.Routes {
		got = append(got, r.Pattern)
	}
	if !slices.Equal(got, want) || len(got) != 2 {
		t.Fatalf("routes %q, want %q", got, want)
	}
	item, raw := doc.Routes[0], doc.Routes[1]
	if item.Path != "/items/{id}" || item.Method != "PUT" || item.Kind != "typed" || item.Source != "items.go:12" ||
		!strings.HasSuffix(item.Handler, ".pgHandler") || item.Status != 200 || item.Timeout != "5s" ||
		len(item.Middleware) != 1 || !strings.HasSuffix(item.Middleware[0], ".pgMiddleware") {
		t.Errorf("typed route: %+v", item)
	}
	if len(item.Params) != 1 || item.Params[0].In != "path" || item.Params[0].Name != "id" || item.Request == nil || item.Response == nil {
		t.Errorf("typed route's schemas: %+v", item)
	}
	if raw.Kind != "raw" || !strings.HasSuffix(raw.Handler, ".pgRaw") || !strings.HasPrefix(raw.Source, "playground_test.go:") || raw.Request != nil {
		t.Errorf("raw route: %+v", raw)
	}
	v := doc.Versions
	if doc.Env != "development" || v.Head != "2025-06-01" || len(v.Versions) != 2 || v.Versions[1].Status != "deprecated" ||
		v.Versions[1].Sunset == nil || !slices.Equal(v.Versions[0].Routes, []string{"PUT /items/{id}"}) {
		t.Errorf("versions: %+v", v)
	}
}

func TestPlaygroundNotMountedInProductionByDefault(t *testing.T) {
	t.Setenv("GATI_PLAYGROUND_TOKEN", "")
	app, err := playgroundApp(t, "production", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/_playground/", "/_playground/api/routes", "/_playground/app.js"} {
		if rec := get(app, path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}
}

func TestPlaygroundOutsideDevelopmentNeedsToken(t *testing.T) {
	t.Setenv("GATI_PLAYGROUND_TOKEN", "")
	cfg := &gati.Config{Playground: gati.PlaygroundConfig{Enabled: on(true)}}
	_, err := playgroundApp(t, "production", cfg)
	if err == nil || !strings.Contains(err.Error(), "playground.token") || !strings.Contains(err.Error(), "GATI_PLAYGROUND_TOKEN") {
		t.Fatalf("start: %v", err)
	}
}

func TestPlaygroundTokenGuardsEveryRequest(t *testing.T) {
	t.Setenv("GATI_PLAYGROUND_TOKEN", "s3cret")
	cfg := &gati.Config{Playground: gati.PlaygroundConfig{Enabled: on(true)}}
	app, err := playgroundApp(t, "production", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/_playground/", "/_playground/api/routes", "/_playground/app.js", "/_playground"} {
		for _, auth := range []string{"", "Bearer wrong", "Basic " + basic("me", "wrong"), "Bearer "} {
			rec := get(app, path, "Authorization", auth)
			if rec.Code != http.StatusUnauthorized || rec.Header().Get("Content-Type") != "application/problem+json" ||
				rec.Header().Get("WWW-Authenticate") != `Basic realm="gati playground", charset="UTF-8"` ||
				!strings.Contains(rec.Body.String(), "playground_unauthorized") || strings.Contains(rec.Body.String(), "s3cret") {
				t.Errorf("GET %s with %q: %d %v %s", path, auth, rec.Code, rec.Header(), rec.Body)
			}
		}
	}
	for _, auth := range []string{"Bearer s3cret", "Basic " + basic("anyone", "s3cret")} {
		for _, path := range []string{"/_playground/", "/_playground/api/routes"} {
			if rec := get(app, path, "Authorization", auth); rec.Code != http.StatusOK {
				t.Errorf("GET %s with %q: %d %s", path, auth, rec.Code, rec.Body)
			}
		}
	}
	// The app's own routes are not guarded.
	if rec := get(app, "/raw"); rec.Code != http.StatusOK {
		t.Errorf("GET /raw: %d", rec.Code)
	}
}

func TestPlaygroundDisabledInDevelopment(t *testing.T) {
	cfg := &gati.Config{Playground: gati.PlaygroundConfig{Enabled: on(false)}}
	app, err := playgroundApp(t, "development", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rec := get(app, "/_playground/"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /_playground/: %d, want 404", rec.Code)
	}
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// TestPlaygroundWithoutWSRelay: an app that does not import
// gati.dev/gati/ws has no WebSocket relay; the route list says so and the
// relay's path answers 501 with a problem that says why.
func TestPlaygroundWithoutWSRelay(t *testing.T) {
	t.Setenv("GATI_PLAYGROUND_TOKEN", "")
	app, err := playgroundApp(t, "development", nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		WSRelay *bool `json:"wsRelay"`
	}
	if rec := get(app, "/_playground/api/routes"); json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.WSRelay == nil || *doc.WSRelay {
		t.Errorf("the route list says wsRelay %v: %s", doc.WSRelay, rec.Body)
	}
	rec := get(app, gati.PathPlaygroundWS)
	var p gati.Problem
	if rec.Code != http.StatusNotImplemented || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Code != "playground_ws_unavailable" || !strings.Contains(p.Detail, "gati.dev/gati/ws") {
		t.Errorf("GET %s: %d %s", gati.PathPlaygroundWS, rec.Code, rec.Body)
	}
}

// TestPlaygroundRouteKinds: a raw handler registered with Streaming is
// listed with its stream's kind.
func TestPlaygroundRouteKinds(t *testing.T) {
	app := gati.New(gati.WithEnv("development"), gati.WithLogOutput(io.Discard))
	app.HandleFunc("GET /events", pgRaw, gati.Streaming("sse"))
	app.HandleFunc("GET /chat", pgRaw, gati.Streaming("websocket"))
	app.HandleFunc("GET /raw", pgRaw)
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Routes []struct{ Path, Kind string } }
	if err := json.Unmarshal(get(app, "/_playground/api/routes").Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, r := range doc.Routes {
		kinds[r.Path] = r.Kind
	}
	if want := map[string]string{"/events": "sse", "/chat": "websocket", "/raw": "raw"}; !maps.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
}
