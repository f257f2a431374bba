package gati_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gati.dev/gati"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	site := "https://app.example.com"
	listed := gati.CORSConfig{AllowedOrigins: []string{site}}
	tests := []struct {
		name    string
		cfg     gati.CORSConfig
		method  string
		header  map[string]string
		next    int               // status next answers; 0: next must not run
		status  int               // of the response
		want    map[string]string // headers, "" meaning absent
		wantAll map[string][]string
	}{
		{
			name: "simple request, any origin", cfg: gati.CORSConfig{}, method: "GET",
			header: map[string]string{"Origin": site}, next: 200, status: 200,
			want: map[string]string{
				"Access-Control-Allow-Origin":      "*",
				"Access-Control-Expose-Headers":    "X-API-Version, Deprecation, Sunset, Link, X-Request-Id",
				"Access-Control-Allow-Credentials": "",
				"Vary":                             "Origin",
			},
		},
		{
			name: "no Origin: a same-origin or non-browser request", cfg: listed, method: "GET",
			next: 200, status: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin"},
		},
		{
			name: "listed origin is echoed, ignoring case", cfg: listed, method: "POST",
			header: map[string]string{"Origin": "https://APP.example.com"}, next: 201, status: 201,
			want: map[string]string{"Access-Control-Allow-Origin": "https://APP.example.com"},
		},
		{
			name: "unlisted origin gets no CORS headers", cfg: listed, method: "GET",
			header: map[string]string{"Origin": "https://evil.example"}, next: 200, status: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Expose-Headers": "", "Vary": "Origin"},
		},
		{
			name: "origin func", cfg: gati.CORSConfig{AllowOriginFunc: func(o string) bool { return strings.HasSuffix(o, ".example.com") }},
			method: "GET", header: map[string]string{"Origin": "https://preview-7.example.com"}, next: 200, status: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://preview-7.example.com"},
		},
		{
			name: "preflight of a path that is 404", cfg: listed, method: "OPTIONS",
			header: map[string]string{"Origin": site, "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "Content-Type, X-API-Version"},
			status: 204,
			want: map[string]string{
				"Access-Control-Allow-Origin":  site,
				"Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE",
				"Access-Control-Allow-Headers": "content-type, x-api-version",
				"Access-Control-Max-Age":       "600",
			},
			wantAll: map[string][]string{"Vary": {"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}},
		},
		{
			name: "preflight of a disallowed method", cfg: gati.CORSConfig{AllowedMethods: []string{"GET"}}, method: "OPTIONS",
			header: map[string]string{"Origin": site, "Access-Control-Request-Method": "DELETE"}, status: 204,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""},
		},
		{
			name: "preflight of a disallowed header", cfg: listed, method: "OPTIONS",
			header: map[string]string{"Origin": site, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Secret"},
			status: 204, want: map[string]string{"Access-Control-Allow-Origin": ""},
		},
		{
			name: "any header", cfg: gati.CORSConfig{AllowedHeaders: []string{"*"}}, method: "OPTIONS",
			header: map[string]string{"Origin": site, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Secret"},
			status: 204, want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "x-secret"},
		},
		{
			name: "preflight from an unlisted origin", cfg: listed, method: "OPTIONS",
			header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, status: 204,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Max-Age": ""},
		},
		{
			name: "credentials and max age", cfg: gati.CORSConfig{AllowedOrigins: []string{site}, AllowCredentials: true, MaxAge: time.Hour},
			method: "OPTIONS", header: map[string]string{"Origin": site, "Access-Control-Request-Method": "PUT"}, status: 204,
			want: map[string]string{
				"Access-Control-Allow-Origin":      site,
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Max-Age":           "3600",
				"Access-Control-Allow-Headers":     "",
			},
		},
		{
			name: "credentials on an actual request", cfg: gati.CORSConfig{AllowedOrigins: []string{site}, AllowCredentials: true},
			method: "GET", header: map[string]string{"Origin": site}, next: 200, status: 200,
			want: map[string]string{"Access-Control-Allow-Origin": site, "Access-Control-Allow-Credentials": "true"},
		},
		{
			name: "no max age", cfg: gati.CORSConfig{MaxAge: -1}, method: "OPTIONS",
			header: map[string]string{"Origin": site, "Access-Control-Request-Method": "GET"}, status: 204,
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Max-Age": ""},
		},
		{
			name: "plain OPTIONS is not a preflight", cfg: listed, method: "OPTIONS",
			header: map[string]string{"Origin": site}, next: 405, status: 405,
			want: map[string]string{"Access-Control-Allow-Origin": site, "Access-Control-Allow-Methods": ""},
		},
		{
			name: "custom exposed headers", cfg: gati.CORSConfig{ExposedHeaders: []string{"X-Total"}}, method: "GET",
			header: map[string]string{"Origin": site}, next: 200, status: 200,
			want: map[string]string{"Access-Control-Expose-Headers": "X-Total"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ran := false
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ran = true
				w.WriteHeader(tt.next)
			})
			r := httptest.NewRequest(tt.method, "/anything", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			gati.CORS(tt.cfg)(next).ServeHTTP(w, r)
			if ran != (tt.next != 0) {
				t.Errorf("next ran = %v, want %v", ran, tt.next != 0)
			}
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			for k, v := range tt.want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for k, v := range tt.wantAll {
				if got := w.Header().Values(k); strings.Join(got, "|") != strings.Join(v, "|") {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestCORS_CredentialsWithAnyOriginPanics guards against a configuration
// that would let every site call the API as the signed-in user.
func TestCORS_CredentialsWithAnyOriginPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "gati: CORS:") {
			t.Errorf("recover() = %v, want a gati: CORS: panic", r)
		}
	}()
	gati.CORS(gati.CORSConfig{AllowedOrigins: []string{"*"}, AllowCredentials: true})
}

func ExampleCORS() {
	cors := gati.CORS(gati.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}})
	h := cors(http.NotFoundHandler()) // app.UseHTTP(cors) runs it before routing, as here

	r := httptest.NewRequest("OPTIONS", "/no/such/route", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "POST")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Allow-Methods"))
	// Output: 204 https://app.example.com GET, HEAD, POST, PUT, PATCH, DELETE
}
