package router

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// randStaticPath builds a path of 1–4 segments from a small alphabet, so
// that random paths often collide with registered ones. The last segment is
// never empty (that would make a prefix pattern).
func randStaticPath(rng *rand.Rand) string {
	alphabet := []string{"a", "b", "ab", "ba", "", "é", "x.y", "日"}
	var b strings.Builder
	n := 1 + rng.IntN(4)
	for i := range n {
		seg := alphabet[rng.IntN(len(alphabet))]
		for seg == "" && i == n-1 {
			seg = alphabet[rng.IntN(len(alphabet))]
		}
		b.WriteString("/" + seg)
	}
	return b.String()
}

// TestStaticAgreesWithMap checks, for static-only patterns, that Lookup,
// Allowed and conflict detection agree with a plain map.
func TestStaticAgreesWithMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	methods := []string{"GET", "POST", "PUT"}
	for round := range 20 {
		tb := new(Table[string])
		want := map[string]string{}    // "METHOD path" -> value
		paths := map[string][]string{} // path -> methods
		for range 60 {
			m, p := methods[rng.IntN(2)], randStaticPath(rng)
			err := tb.Add(m, p, m+" "+p, "")
			if _, dup := want[m+" "+p]; dup != (err != nil) {
				t.Fatalf("round %d: Add(%s %s) = %v, duplicate=%v", round, m, p, err, dup)
			}
			if err == nil {
				want[m+" "+p] = m + " " + p
				paths[p] = append(paths[p], m)
			}
		}
		for range 300 {
			checkStatic(t, tb, want, paths, methods[rng.IntN(3)], randStaticPath(rng))
		}
	}
}

func checkStatic(t *testing.T, tb *Table[string], want map[string]string, paths map[string][]string, m, p string) {
	t.Helper()
	v, res := tb.Lookup(m, p, nil)
	wantV, ok := want[m+" "+p]
	wantRes := Found
	switch {
	case !ok && len(paths[p]) > 0:
		wantRes = MethodNotAllowed
	case !ok:
		wantRes = NotFound
	}
	if v != wantV || res != wantRes {
		t.Errorf("Lookup(%s %q) = %q, %v; want %q, %v", m, p, v, res, wantV, wantRes)
	}
	if got := tb.Allowed(p); len(got) < len(paths[p]) {
		t.Errorf("Allowed(%q) = %q, registered %q", p, got, paths[p])
	}
}

var fuzzRoutes = append([]string{
	"/", "PURGE /cache/{key...}", "GET /a//b", "GET /a/{x}/{y}/{z}/{w}/{v}/{u}/{t}/{s}/{r}/{q}",
	"HEAD /users/{user}", "GET /日本/{語}",
}, githubRoutes[1:]...)

// FuzzLookup checks that Lookup and Allowed never panic and that their
// results are consistent. Normal test runs use only the seed corpus.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"GET /", "GET /users/x", "POST /repos/a/b/issues", "HEAD /static/x",
		"PURGE /cache/", "GET /a//b", "GET //", "BREW /x", "GET ", "GET x", "GET /a/1/2/3/4/5/6/7/8/9/10",
		"DELETE /gists/public", "GET /日本/東京", "GET /repos/a/b/contents/", "GET /users/\xff"} {
		m, p, _ := strings.Cut(s, " ")
		f.Add(m, p)
	}
	tb := newTable(f, fuzzRoutes...)
	f.Fuzz(func(t *testing.T, method, path string) {
		var ps Params
		v, res := tb.Lookup(method, path, &ps)
		allowed := tb.Allowed(path)
		checkFuzzResult(t, method, path, v, res, &ps, allowed)
	})
}

func checkFuzzResult(t *testing.T, method, path, v string, res Result, ps *Params, allowed []string) {
	switch {
	case res == Found && !strings.HasSuffix(v, ps.Pattern()):
		t.Errorf("Lookup(%q, %q) = %q but Pattern() = %q", method, path, v, ps.Pattern())
	case res != Found && (v != "" || ps.Len() != 0 || ps.Pattern() != ""):
		t.Errorf("Lookup(%q, %q) = %q, %v with params %s", method, path, v, res, formatParams(ps))
	case res == NotFound && len(allowed) != 0:
		t.Errorf("%q not found but Allowed = %q", path, allowed)
	case res == MethodNotAllowed && len(allowed) == 0:
		t.Errorf("%s %q not allowed but Allowed is empty", method, path)
	}
	for i := range ps.Len() {
		if !strings.Contains(path, ps.Value(i)) {
			t.Errorf("param %s=%q is not part of %q", ps.Key(i), ps.Value(i), path)
		}
	}
}

// FuzzAdd checks that Add never panics and reports sane error offsets.
func FuzzAdd(f *testing.F) {
	for _, s := range []string{"GET /a/{", "/{x...}/y", "/{$}", "/a{b}", "GE T /", "/{a}/{a}", "/x/"} {
		m, p, _ := strings.Cut(s, " ")
		f.Add(m, p)
	}
	f.Fuzz(func(t *testing.T, method, pattern string) {
		tb := newTable(t, "GET /users/{id}", "/static/", "GET /{$}", "POST /a/{b...}")
		err := tb.Add(method, pattern, "", "")
		var pe *PatternError
		if errors.As(err, &pe) && (pe.Offset < 0 || pe.Offset > len(pe.Pattern)) {
			t.Errorf("offset %d out of range for %q", pe.Offset, pe.Pattern)
		}
		tb.Lookup(method, pattern, nil)
	})
}

// TestExactPathsAgreeWithTheWalk checks Lookup's shortcut for static
// routes against the trie walk alone, on routes where a static path and
// a wildcard overlap: a static route that does not serve the method must
// leave the request to the wildcard.
func TestExactPathsAgreeWithTheWalk(t *testing.T) {
	routes := []string{
		"POST /users/new", "GET /users/{id}", "GET /users/{id}/posts", "DELETE /users/me",
		"/health", "GET /a/b/c", "GET /a/{x}/c", "PUT /a/b/{y}", "GET /a/b/c/{$}", "GET /files/{p...}",
		"GET /files/readme", "HEAD /files/head", "GET /{$}", "/b/", "GET /b/exact",
	}
	tb := newTable(t, routes...)
	walk := newTable(t, routes...)
	walk.exact, walk.lens = nil, 0
	paths := []string{"/users/new", "/users/me", "/users/42", "/users/new/posts", "/health", "/a/b/c",
		"/a/z/c", "/a/b/c/", "/a/b/q", "/files/readme", "/files/head", "/files/x/y", "/", "/b/exact",
		"/b/other", "/b/", "/users//new", "/nope"}
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", ""} {
		for _, p := range paths {
			var ps, wps Params
			v, res := tb.Lookup(m, p, &ps)
			wv, wres := walk.Lookup(m, p, &wps)
			if v != wv || res != wres || ps.Pattern() != wps.Pattern() || formatParams(&ps) != formatParams(&wps) {
				t.Errorf("Lookup(%q, %q) = %q %v %s; the walk alone: %q %v %s",
					m, p, v, res, formatParams(&ps), wv, wres, formatParams(&wps))
			}
		}
	}
	if v, _ := tb.Lookup("GET", "/users/new", nil); v != "GET /users/{id}" {
		t.Errorf("GET /users/new = %q, want the wildcard route past the POST-only static one", v)
	}
}
