package router

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

func TestParamsOverflow(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 12, 20} {
		var pat, path strings.Builder
		for i := range n {
			fmt.Fprintf(&pat, "/{p%d}", i)
			fmt.Fprintf(&path, "/v%d", i)
		}
		pat.WriteString("/")
		path.WriteString("/tail/x")
		tb := newTable(t, pat.String())
		var ps Params
		if _, res := tb.Lookup("GET", path.String(), &ps); res != Found || ps.Len() != n {
			t.Fatalf("n=%d: %v, Len=%d", n, res, ps.Len())
		}
		for i := range n {
			if k, v := ps.Key(i), ps.Value(i); k != fmt.Sprintf("p%d", i) || v != fmt.Sprintf("v%d", i) || ps.Get(k) != v {
				t.Errorf("n=%d: param %d = %s=%s", n, i, k, v)
			}
		}
	}
}

func TestParamsBacktrackOverflow(t *testing.T) {
	// Ten params pushed on a failing branch must be popped before the
	// successful one fills in its own.
	tb := newTable(t,
		"GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/x",
		"GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{rest...}",
	)
	var ps Params
	v, _ := tb.Lookup("GET", "/1/2/3/4/5/6/7/8/9/10/y", &ps)
	if v != "GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{rest...}" || ps.Len() != 10 || ps.Get("rest") != "10/y" || ps.Get("i") != "9" {
		t.Errorf("got %q %s", v, formatParams(&ps))
	}
}

func TestParamsReuse(t *testing.T) {
	tb := newTable(t, "GET /u/{id}", "GET /static/", "GET /r/{a}/{b}")
	var ps Params
	tb.Lookup("GET", "/r/1/2", &ps)
	if ps.Pattern() != "/r/{a}/{b}" || ps.Get("b") != "2" {
		t.Fatalf("got %q %s", ps.Pattern(), formatParams(&ps))
	}
	tb.Lookup("GET", "/static/x/y", &ps)
	if ps.Pattern() != "/static/" || ps.Len() != 0 || ps.Get("a") != "" {
		t.Errorf("prefix route: %q %s", ps.Pattern(), formatParams(&ps))
	}
	tb.Lookup("GET", "/nope", &ps)
	if ps.Pattern() != "" || ps.Len() != 0 {
		t.Errorf("not found: %q %s", ps.Pattern(), formatParams(&ps))
	}
	tb.Lookup("GET", "/u/7", &ps)
	ps.Reset()
	if ps.Pattern() != "" || ps.Len() != 0 || ps.Get("id") != "" {
		t.Errorf("after Reset: %q %s", ps.Pattern(), formatParams(&ps))
	}
}

func TestParamsValueOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Value(0) on empty Params did not panic")
		}
	}()
	var ps Params
	ps.Value(0)
}

func TestLookupNilParams(t *testing.T) {
	tb := newTable(t, "GET /u/{id}", "GET /f/{p...}")
	for _, p := range []string{"/u/1", "/f/a/b"} {
		if _, res := tb.Lookup("GET", p, nil); res != Found {
			t.Errorf("Lookup(%q, nil) = %v", p, res)
		}
	}
}

func TestParamsAreSubstrings(t *testing.T) {
	tb := newTable(t, "GET /u/{id}/{rest...}")
	path := strings.Repeat("/u/123/a/b", 1) // a string not shared with the pattern
	var ps Params
	tb.Lookup("GET", path, &ps)
	if v := ps.Get("id"); v != "123" || unsafe.StringData(v) != unsafe.StringData(path[3:]) {
		t.Errorf("id %q is not a substring of the path", v)
	}
	if v := ps.Get("rest"); v != "a/b" || unsafe.StringData(v) != unsafe.StringData(path[7:]) {
		t.Errorf("rest %q is not a substring of the path", v)
	}
}
