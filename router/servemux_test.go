package router

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// muxRoutes extends githubRoutes with overlaps that ServeMux resolves by
// specificity, so the differential test exercises backtracking too.
var muxRoutes = append([]string{
	"GET /users/me",
	"GET /users/{user}/{rest...}",
	"/misc/",
	"GET /misc/{$}",
	"POST /misc/{a}/{b}",
	"GET /misc/x/{b}",
	"PATCH /files/{p...}",
	"GET /files/readme",
}, githubRoutes...)

func newMux(t *testing.T, routes []string) *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	}
	return mux
}

// muxOutcome runs a request through mux and returns the matched pattern (or
// "") and the status the handler writes.
func muxOutcome(mux *http.ServeMux, method, path string) (pattern string, code int, allow string) {
	req := httptest.NewRequest(method, path, nil)
	h, pattern := mux.Handler(req)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return pattern, rec.Code, rec.Header().Get("Allow")
}

// samplePaths instantiates every route pattern with sample wildcard values
// and mutates the results.
func samplePaths(rng *rand.Rand, routes []string) []string {
	var out []string
	for _, r := range routes {
		_, p := splitRoute(r)
		for range 4 {
			path := instantiate(rng, p)
			out = append(out, path, path+"/", path+"/extra", parentOf(path), mutate(rng, path))
		}
	}
	return out
}

func instantiate(rng *rand.Rand, pattern string) string {
	values := []string{"me", "42", "octocat", "latest", "public", "x", "readme", "a-b.c"}
	rests := []string{"", "a", "a/b", "x/y/z.txt"}
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		switch {
		case s == "{$}":
			segs[i] = ""
		case strings.HasSuffix(s, "...}"):
			segs[i] = rests[rng.IntN(len(rests))]
		case strings.HasPrefix(s, "{"):
			segs[i] = values[rng.IntN(len(values))]
		}
	}
	return strings.Join(segs, "/")
}

func parentOf(path string) string {
	if i := strings.LastIndexByte(strings.TrimSuffix(path, "/"), '/'); i > 0 {
		return path[:i]
	}
	return "/"
}

func mutate(rng *rand.Rand, path string) string {
	segs := strings.Split(path, "/")
	i := 1 + rng.IntN(len(segs)-1)
	segs[i] = []string{"zz", "me", "issues", "42", "public"}[rng.IntN(5)]
	return strings.Join(segs, "/")
}

// TestAgainstServeMux compares Lookup and Allowed with net/http.ServeMux on
// a route set both accept. Requests that ServeMux redirects (to a cleaned
// path or to add a trailing slash) are skipped: the table never redirects.
func TestAgainstServeMux(t *testing.T) {
	mux, tb := newMux(t, muxRoutes), newTable(t, muxRoutes...)
	rng := rand.New(rand.NewPCG(3, 4))
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	codes := map[int]int{}
	for _, path := range samplePaths(rng, muxRoutes) {
		for _, m := range methods {
			codes[compareWithMux(t, mux, tb, m, path)]++
		}
	}
	t.Logf("ServeMux status counts (0 = skipped redirect): %v", codes)
	for _, c := range []int{http.StatusOK, http.StatusNotFound, http.StatusMethodNotAllowed} {
		if codes[c] < 100 {
			t.Errorf("only %d samples with status %d; the sample is too small", codes[c], c)
		}
	}
}

// compareWithMux compares one request and returns ServeMux's status, or 0
// if the request was skipped.
func compareWithMux(t *testing.T, mux *http.ServeMux, tb *Table[string], method, path string) int {
	t.Helper()
	wantPat, code, allow := muxOutcome(mux, method, path)
	if code/100 == 3 {
		return 0
	}
	got, res := tb.Lookup(method, path, nil)
	ok := true
	switch code {
	case http.StatusOK:
		ok = res == Found && got == wantPat
	case http.StatusNotFound:
		ok = res == NotFound
	case http.StatusMethodNotAllowed:
		ok = checkMuxAllow(tb, path, res, allow)
	}
	if !ok {
		t.Errorf("%s %s: ServeMux %d %q Allow=%q; table %v %q Allowed=%q", method, path, code, wantPat, allow, res, got, tb.Allowed(path))
	}
	return code
}

// checkMuxAllow checks a ServeMux 405. ServeMux's Allow header also lists
// the methods that would be redirected to path+"/"; the table does not
// redirect, so for those it reports NotFound rather than MethodNotAllowed.
func checkMuxAllow(tb *Table[string], path string, res Result, allow string) bool {
	own := tb.Allowed(path)
	all := own
	if !strings.HasSuffix(path, "/") {
		all = append(slices.Clone(own), tb.Allowed(path+"/")...)
		slices.Sort(all)
		all = slices.Compact(all)
	}
	wantRes := NotFound
	if len(own) > 0 {
		wantRes = MethodNotAllowed
	}
	return res == wantRes && strings.Join(all, ", ") == allow
}
