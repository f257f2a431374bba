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
		"": 200, "index.html": http.StatusMovedPermanently, // to ./, as net/http does "app.js": 200, "style.css": 200,
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
