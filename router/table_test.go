package router

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// lookupCase is one Lookup and its expected outcome. want is the matched
// route's display string; params is "k=v k=v" in pattern order.
type lookupCase struct {
	method, path string
	res          Result
	want         string
	params       string
}

func found(method, path, want, params string) lookupCase {
	return lookupCase{method, path, Found, want, params}
}

func missing(method, path string) lookupCase {
	return lookupCase{method: method, path: path, res: NotFound}
}

func notAllowed(method, path string) lookupCase {
	return lookupCase{method: method, path: path, res: MethodNotAllowed}
}

func formatParams(ps *Params) string {
	var b strings.Builder
	for i := range ps.Len() {
		fmt.Fprintf(&b, " %s=%s", ps.Key(i), ps.Value(i))
	}
	return strings.TrimPrefix(b.String(), " ")
}

func checkLookups(t *testing.T, tb *Table[string], cases []lookupCase) {
	t.Helper()
	var ps Params
	for _, c := range cases {
		got, res := tb.Lookup(c.method, c.path, &ps)
		if res != c.res || got != c.want || formatParams(&ps) != c.params {
			t.Errorf("Lookup(%s %q) = %q, %v, [%s]; want %q, %v, [%s]",
				c.method, c.path, got, res, formatParams(&ps), c.want, c.res, c.params)
		}
	}
}

var lookupTests = []struct {
	name   string
	routes []string
	cases  []lookupCase
}{
	{"precedence", []string{"GET /users/me", "GET /users/{id}", "GET /users/{id}/posts", "GET /users/{rest...}"}, []lookupCase{
		found("GET", "/users/me", "GET /users/me", ""),
		found("GET", "/users/42", "GET /users/{id}", "id=42"),
		found("GET", "/users/me/posts", "GET /users/{id}/posts", "id=me"),
		found("GET", "/users/42/posts", "GET /users/{id}/posts", "id=42"),
		found("GET", "/users/42/likes", "GET /users/{rest...}", "rest=42/likes"),
		found("GET", "/users/", "GET /users/{rest...}", "rest="),
		missing("GET", "/users"),
	}},
	{"backtrack deep", []string{"GET /a/b/c", "GET /a/{x}/d", "GET /{y}/b/e"}, []lookupCase{
		found("GET", "/a/b/c", "GET /a/b/c", ""),
		found("GET", "/a/b/d", "GET /a/{x}/d", "x=b"),
		found("GET", "/a/b/e", "GET /{y}/b/e", "y=a"),
		found("GET", "/z/b/e", "GET /{y}/b/e", "y=z"),
		missing("GET", "/a/b/f"),
	}},
	{"params", []string{"GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/issues/{n}"}, []lookupCase{
		found("GET", "/repos/golang/go", "GET /repos/{owner}/{repo}", "owner=golang repo=go"),
		found("GET", "/repos/a/b/issues/7", "GET /repos/{owner}/{repo}/issues/{n}", "owner=a repo=b n=7"),
		missing("GET", "/repos/golang"),
		missing("GET", "/repos//go"), // a {param} never matches an empty segment
		missing("GET", "/repos/golang/go/"),
	}},
	{"rest", []string{"GET /files/{path...}", "GET /x/{a}/{b...}"}, []lookupCase{
		found("GET", "/files/a/b/c.txt", "GET /files/{path...}", "path=a/b/c.txt"),
		found("GET", "/files/", "GET /files/{path...}", "path="),
		found("GET", "/files//", "GET /files/{path...}", "path=/"),
		missing("GET", "/files"),
		found("GET", "/x/1/2/3", "GET /x/{a}/{b...}", "a=1 b=2/3"),
		found("GET", "/x/1/", "GET /x/{a}/{b...}", "a=1 b="),
		missing("GET", "/x/1"),
	}},
	{"prefix", []string{"GET /static/", "GET /static/{$}", "GET /static/app.js"}, []lookupCase{
		found("GET", "/static/", "GET /static/{$}", ""),
		found("GET", "/static/app.js", "GET /static/app.js", ""),
		found("GET", "/static/css/x.css", "GET /static/", ""),
		found("GET", "/static/app.js/", "GET /static/", ""),
		missing("GET", "/static"),
	}},
	{"root prefix", []string{"/", "GET /{$}", "GET /api/{v}"}, []lookupCase{
		found("GET", "/", "GET /{$}", ""),
		found("POST", "/", "/", ""),
		found("GET", "/anything/at/all", "/", ""),
		found("GET", "/api/v1", "GET /api/{v}", "v=v1"),
		found("POST", "/api/v1", "/", ""),
		found("GET", "/api", "/", ""),
		missing("GET", ""),
		missing("GET", "api"),
		missing("GET", "*"),
	}},
	{"root exact", []string{"GET /{$}"}, []lookupCase{
		found("GET", "/", "GET /{$}", ""),
		missing("GET", "/x"),
		missing("GET", "//"),
	}},
	{"trailing slash", []string{"GET /users", "GET /posts/"}, []lookupCase{
		found("GET", "/users", "GET /users", ""),
		missing("GET", "/users/"),
		found("GET", "/posts/", "GET /posts/", ""),
		missing("GET", "/posts"),
	}},
	{"empty segments", []string{"GET /a/b", "GET /c//d"}, []lookupCase{
		missing("GET", "/a//b"),
		missing("GET", "//a/b"),
		found("GET", "/c//d", "GET /c//d", ""),
	}},
	{"methods", []string{"GET /r", "POST /r", "/any", "GET /any", "GET /h", "HEAD /h", "PURGE /r"}, []lookupCase{
		found("GET", "/r", "GET /r", ""),
		found("POST", "/r", "POST /r", ""),
		found("HEAD", "/r", "GET /r", ""),
		found("PURGE", "/r", "PURGE /r", ""),
		notAllowed("PUT", "/r"),
		notAllowed("BREW", "/r"),
		found("", "/r", "GET /r", ""),
		found("GET", "/any", "GET /any", ""),
		found("HEAD", "/any", "/any", ""),
		found("DELETE", "/any", "/any", ""),
		found("HEAD", "/h", "HEAD /h", ""),
		found("GET", "/h", "GET /h", ""),
		missing("GET", "/nope"),
	}},
	{"method backtracking", []string{"POST /users/me", "GET /users/{id}", "DELETE /users/{id}/x", "PUT /users/{p...}"}, []lookupCase{
		found("POST", "/users/me", "POST /users/me", ""),
		found("GET", "/users/me", "GET /users/{id}", "id=me"),
		found("PUT", "/users/me", "PUT /users/{p...}", "p=me"),
		notAllowed("PATCH", "/users/me"),
		found("PUT", "/users/me/x", "PUT /users/{p...}", "p=me/x"),
		notAllowed("GET", "/users/me/x"),
	}},
	{"unicode", []string{"GET /café/{name}", "GET /日本/{語...}", "GET /{ключ}/x"}, []lookupCase{
		found("GET", "/café/crème", "GET /café/{name}", "name=crème"),
		found("GET", "/日本/東京/渋谷", "GET /日本/{語...}", "語=東京/渋谷"),
		found("GET", "/данные/x", "GET /{ключ}/x", "ключ=данные"),
		missing("GET", "/cafe/creme"),
	}},
}

func TestLookup(t *testing.T) {
	for _, tt := range lookupTests {
		t.Run(tt.name, func(t *testing.T) {
			checkLookups(t, newTable(t, tt.routes...), tt.cases)
		})
	}
}

func TestLookupGitHub(t *testing.T) {
	tb := newTable(t, githubRoutes...)
	checkLookups(t, tb, []lookupCase{
		found("GET", "/", "GET /{$}", ""),
		found("GET", "/user/repos", "GET /user/repos", ""),
		found("POST", "/user/repos", "POST /user/repos", ""),
		found("GET", "/users/octocat", "GET /users/{user}", "user=octocat"),
		found("GET", "/gists/public", "GET /gists/public", ""),
		found("DELETE", "/gists/public", "DELETE /gists/{id}", "id=public"),
		found("GET", "/repos/golang/go/releases/latest", "GET /repos/{owner}/{repo}/releases/latest", "owner=golang repo=go"),
		found("GET", "/repos/golang/go/releases/1", "GET /repos/{owner}/{repo}/releases/{id}", "owner=golang repo=go id=1"),
		found("PUT", "/repos/a/b/contents/x/y.md", "PUT /repos/{owner}/{repo}/contents/{path...}", "owner=a repo=b path=x/y.md"),
		found("OPTIONS", "/healthz", "/healthz", ""),
		found("HEAD", "/static/x.css", "GET /static/", ""),
		notAllowed("POST", "/users/octocat"),
		missing("GET", "/users/octocat/stars"),
	})
}

func TestAllowed(t *testing.T) {
	tb := newTable(t, "GET /r", "POST /r", "PURGE /r", "DELETE /r/{id}", "PUT /{a}/{b}", "/any", "POST /any", "PATCH /p/")
	for path, want := range map[string][]string{
		"/r":     {"GET", "HEAD", "POST", "PURGE"},
		"/r/1":   {"DELETE", "PUT"},
		"/x/1":   {"PUT"},
		"/any":   {"POST"},
		"/p/q/r": {"PATCH"},
		"/nope":  nil,
		"":       nil,
	} {
		if got := tb.Allowed(path); !reflect.DeepEqual(got, want) {
			t.Errorf("Allowed(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestAllowedAgreesWithLookup(t *testing.T) {
	tb := newTable(t, githubRoutes...)
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	for _, path := range []string{"/users/x", "/gists/public", "/repos/a/b", "/repos/a/b/contents/c", "/user/repos", "/nope"} {
		var served []string
		for _, m := range methods {
			if _, res := tb.Lookup(m, path, nil); res == Found {
				served = append(served, m)
			}
		}
		allowed := tb.Allowed(path)
		for _, m := range served {
			if !strings.Contains(" "+strings.Join(allowed, " ")+" ", " "+m+" ") {
				t.Errorf("Allowed(%q) = %q lacks %s, which Lookup finds", path, allowed, m)
			}
		}
	}
}

func TestRoutes(t *testing.T) {
	tb := new(Table[int])
	for i, r := range []string{"POST /b", "GET /b", "/a", "GET /a/{id}"} {
		m, p := splitRoute(r)
		if err := tb.Add(m, p, i, fmt.Sprintf("f.go:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	want := []Entry[int]{
		{"", "/a", "f.go:2", 2},
		{"GET", "/a/{id}", "f.go:3", 3},
		{"GET", "/b", "f.go:1", 1},
		{"POST", "/b", "f.go:0", 0},
	}
	if got := tb.Routes(); !reflect.DeepEqual(got, want) {
		t.Errorf("Routes() = %v, want %v", got, want)
	}
	if tb.Len() != 4 {
		t.Errorf("Len() = %d, want 4", tb.Len())
	}
}

func TestZeroTable(t *testing.T) {
	var tb Table[int]
	if v, res := tb.Lookup("GET", "/", nil); v != 0 || res != NotFound {
		t.Errorf("zero table Lookup = %v, %v", v, res)
	}
	if got := tb.Allowed("/"); got != nil {
		t.Errorf("zero table Allowed = %q", got)
	}
	if got := tb.Routes(); len(got) != 0 {
		t.Errorf("zero table Routes = %v", got)
	}
}

func TestManyRoutes(t *testing.T) {
	tb := new(Table[int])
	for i := range 2000 {
		if err := tb.Add("GET", fmt.Sprintf("/r%d/{id}/s%d", i, i%7), i, ""); err != nil {
			t.Fatal(err)
		}
	}
	var ps Params
	for i := range 2000 {
		v, res := tb.Lookup("GET", fmt.Sprintf("/r%d/x%d/s%d", i, i, i%7), &ps)
		if res != Found || v != i || ps.Get("id") != fmt.Sprintf("x%d", i) {
			t.Fatalf("route %d: got %v, %v, id=%q", i, v, res, ps.Get("id"))
		}
	}
	if _, res := tb.Lookup("GET", "/r1/x/s2", nil); res != NotFound {
		t.Errorf("wrong suffix: %v, want NotFound", res)
	}
}

func TestResultString(t *testing.T) {
	for r, want := range map[Result]string{Found: "Found", NotFound: "NotFound", MethodNotAllowed: "MethodNotAllowed"} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", r, r.String(), want)
		}
	}
}

func TestWideNode(t *testing.T) {
	// Many static children with varied first bytes exercise byteIndex.
	rng := rand.New(rand.NewPCG(5, 6))
	tb := new(Table[string])
	var labels []string
	for len(labels) < 400 {
		l := string(rune(rng.IntN(300))) + fmt.Sprint(rng.IntN(5))
		if tb.Add("GET", "/"+l+"/{x}", l, "") == nil {
			labels = append(labels, l)
		}
	}
	tb.Add("GET", "//{x}", "empty", "")
	var ps Params
	for _, l := range append(labels, "") {
		v, res := tb.Lookup("GET", "/"+l+"/v", &ps)
		if res != Found || (v != l && l != "") || ps.Get("x") != "v" {
			t.Fatalf("/%s/v: %q, %v", l, v, res)
		}
	}
	for _, p := range []string{"/zz/v", "/\xff/v", "/AA/v", "/x"} {
		if _, res := tb.Lookup("GET", p, nil); res != NotFound {
			t.Errorf("%q: %v, want NotFound", p, res)
		}
	}
}
