package playground

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAuthorized(t *testing.T) {
	t.Parallel()
	basic := func(user, pass string) string {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth(user, pass)
		return r.Header.Get("Authorization")
	}
	for _, tc := range []struct {
		token, auth string
		want        bool
	}{
		{"tok", "Bearer tok", true},
		{"tok", "bearer tok", true},
		{"tok", basic("anyone", "tok"), true},
		{"tok", basic("", "tok"), true},
		{"tok", "", false},
		{"tok", "Bearer", false},
		{"tok", "Bearer ", false},
		{"tok", "Bearer tok2", false},
		{"tok", "Bearer to", false},
		{"tok", basic("tok", "x"), false},
		{"tok", "Token tok", false},
		{"tok", "Basic !!!", false},
		{"", "Bearer ", false}, // no token configured: nothing matches
		{"", basic("", ""), false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/_playground/", nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		if got := Authorized(r, tc.token); got != tc.want {
			t.Errorf("token %q, Authorization %q: %v, want %v", tc.token, tc.auth, got, tc.want)
		}
	}
}

func TestServeAsset(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]int{
		"": 200, "index.html": http.StatusMovedPermanently, // to ./, as net/http does
		"app.js": 200, "style.css": 200, "sandbox.js": 200, SandboxWorker: 200,
		"nope.js": 404, "../playground.go": 404, "static/app.js": 404,
	} {
		rec := httptest.NewRecorder()
		ServeAsset(rec, httptest.NewRequest(http.MethodGet, "/_playground/"+name, nil), name)
		if rec.Code != want {
			t.Errorf("%q: %d, want %d", name, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	ServeAsset(rec, httptest.NewRequest(http.MethodGet, "/_playground/app.js", nil), "app.js")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("app.js: %v", rec.Header())
	}
}

// TestAssetCSP checks each asset's Content-Security-Policy: the pages
// may call other origins (OAuth token endpoints), the sandbox worker that
// runs users' scripts may load nothing at all.
func TestAssetCSP(t *testing.T) {
	t.Parallel()
	page := "default-src 'self'; img-src 'self' data:; connect-src 'self' http: https: ws: wss:; frame-ancestors 'none'"
	for name, want := range map[string]string{
		"": page, "app.js": page, "style.css": page, "sandbox.js": page,
		"sandbox-worker.js": "default-src 'none'; script-src 'unsafe-eval'",
	} {
		rec := httptest.NewRecorder()
		ServeAsset(rec, httptest.NewRequest(http.MethodGet, "/_playground/"+name, nil), name)
		if rec.Code != http.StatusOK {
			t.Fatalf("%q: %d", name, rec.Code)
		}
		got := rec.Header().Get("Content-Security-Policy")
		if got != want {
			t.Errorf("%q: Content-Security-Policy %q, want %q", name, got, want)
		}
		if ct := rec.Header().Get("Content-Type"); name != "" && name != "style.css" && !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("%q: Content-Type %q", name, ct)
		}
	}
	// Nothing in the worker's policy lets it load or connect: no source
	// but the eval keyword, and default-src 'none' covers the rest.
	w := CSP(SandboxWorker)
	for _, bad := range []string{"'self'", "http", "ws:", "blob:", "data:", "*", "connect-src", "worker-src"} {
		if strings.Contains(w, bad) {
			t.Errorf("the worker's policy %q allows %s", w, bad)
		}
	}
	if CSP("sandbox-worker.js/") != page || CSP("Sandbox-Worker.js") != page {
		t.Error("only the exact worker name gets the worker's policy")
	}
}
