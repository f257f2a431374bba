package router

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchCases are the lookups measured on the GitHub-like table.
var benchCases = []struct{ name, method, path string }{
	{"static", "GET", "/user/repos"},
	{"param1", "GET", "/users/octocat"},
	{"param2", "GET", "/repos/golang/go"},
	{"rest", "GET", "/repos/golang/go/contents/src/net/http/server.go"},
	{"notfound", "GET", "/nope/x/y"},
}

func TestLookupDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are unreliable under some build modes")
	}
	tb := newTable(t, githubRoutes...)
	var ps Params
	for _, c := range benchCases {
		allocs := testing.AllocsPerRun(200, func() {
			tb.Lookup(c.method, c.path, &ps)
		})
		if allocs != 0 {
			t.Errorf("%s: Lookup(%s %s) allocates %.1f times", c.name, c.method, c.path, allocs)
		}
	}
	if allocs := testing.AllocsPerRun(200, func() { tb.Lookup("GET", "/users/x", nil) }); allocs != 0 {
		t.Errorf("Lookup with nil Params allocates %.1f times", allocs)
	}
}

func BenchmarkLookup(b *testing.B) {
	tb := newTable(b, githubRoutes...)
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var ps Params
			for b.Loop() {
				tb.Lookup(c.method, c.path, &ps)
			}
		})
	}
}

// BenchmarkServeMux is the baseline: the same lookups through
// net/http.ServeMux.Handler with the same routes.
func BenchmarkServeMux(b *testing.B) {
	mux := http.NewServeMux()
	for _, r := range githubRoutes {
		mux.Handle(r, http.NotFoundHandler())
	}
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			req := httptest.NewRequest(c.method, c.path, nil)
			for b.Loop() {
				mux.Handler(req)
			}
		})
	}
}

func BenchmarkAllowed(b *testing.B) {
	tb := newTable(b, githubRoutes...)
	b.ReportAllocs()
	for b.Loop() {
		tb.Allowed("/repos/golang/go")
	}
}
