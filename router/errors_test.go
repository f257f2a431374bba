package router

import (
	"errors"
	"strings"
	"testing"
)

func TestPatternErrors(t *testing.T) {
	for _, tt := range []struct {
		method, pattern string
		offset          int
		msg             string
	}{
		{"GET", "/a/{", 7, `unclosed "{"`},
		{"", "/a/{b", 3, `unclosed "{"`},
		{"", "", 0, `missing leading "/"`},
		{"", "users", 0, `missing leading "/"`},
		{"GET", "users/{id}", 4, `missing leading "/"`},
		{"", "example.com/x", 0, `missing leading "/"`},
		{"", "/{}", 2, "empty wildcard name"},
		{"", "/{...}", 2, "empty wildcard name"},
		{"", "/{a-b}", 2, `invalid wildcard name "a-b"`},
		{"", "/{1a}", 2, `invalid wildcard name "1a"`},
		{"", "/{$x}", 2, `invalid wildcard name "$x"`},
		{"", "/{a b}", 2, `invalid wildcard name "a b"`},
		{"", "/{id}/x/{id}", 9, `duplicate wildcard name "id"`},
		{"", "/{p...}/x", 1, `"{p...}" must be the last segment`},
		{"", "/{p...}/", 1, `"{p...}" must be the last segment`},
		{"", "/{$}/x", 1, `"{$}" must be the last segment`},
		{"", "/a{b}", 2, "partial wildcard segment"},
		{"", "/{a}b", 4, "partial wildcard segment"},
		{"", "/{a}{b}", 4, "partial wildcard segment"},
		{"", "/x/a{$}", 4, "partial wildcard segment"},
		{"", "/a}", 2, `unexpected "}"`},
		{"GE T", "/", 2, `invalid method "GE T"`},
		{"GET/", "/", 3, `invalid method "GET/"`},
		{"G\x00", "/", 1, `invalid method`},
	} {
		err := new(Table[int]).Add(tt.method, tt.pattern, 0, "")
		var pe *PatternError
		if !errors.As(err, &pe) {
			t.Errorf("Add(%q, %q) = %v, want *PatternError", tt.method, tt.pattern, err)
			continue
		}
		if pe.Offset != tt.offset || !strings.HasPrefix(pe.Msg, tt.msg) || pe.Pattern != display(tt.method, tt.pattern) {
			t.Errorf("Add(%q, %q) = %+v, want offset %d, msg %q", tt.method, tt.pattern, pe, tt.offset, tt.msg)
		}
	}
}

func TestPatternErrorMessage(t *testing.T) {
	err := new(Table[int]).Add("GET", "/a/{", 0, "")
	if want := `router: bad pattern "GET /a/{": at offset 7: unclosed "{"`; err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	err = new(Table[int]).Add("GET", "/a/{", 0, "users/get.go:12")
	if want := `users/get.go:12: router: bad pattern "GET /a/{": at offset 7: unclosed "{"`; err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
}

func TestValidPatterns(t *testing.T) {
	for _, p := range []string{"/", "/{$}", "/a/{$}", "/a/", "/a//b", "/{x}", "/{x...}", "/{_}/{é2}", "/a.b/c-d/~e", "/%7Bx%7D"} {
		if err := new(Table[int]).Add("", p, 0, ""); err != nil {
			t.Errorf("Add(%q) = %v, want nil", p, err)
		}
	}
	for _, m := range []string{"GET", "PURGE", "M-SEARCH", "get", "X_Y"} {
		if err := new(Table[int]).Add(m, "/", 0, ""); err != nil {
			t.Errorf("Add(%q, /) = %v, want nil", m, err)
		}
	}
}

func TestConflicts(t *testing.T) {
	for _, tt := range []struct{ first, second string }{
		{"GET /users/{id}", "GET /users/{name}"},
		{"GET /users/{id}/posts/{p}", "GET /users/{u}/posts/{q}"},
		{"GET /files/", "GET /files/{path...}"},
		{"GET /a/{x...}", "GET /a/{y...}"},
		{"/x", "/x"},
		{"PURGE /x", "PURGE /x"},
		{"GET /{$}", "GET /{$}"},
	} {
		tb := newTable(t, tt.first)
		m, p := splitRoute(tt.second)
		err := tb.Add(m, p, "", "b.go:2")
		var ce *ConflictError
		if !errors.As(err, &ce) {
			t.Errorf("%q then %q: got %v, want *ConflictError", tt.first, tt.second, err)
			continue
		}
		_, firstPat := splitRoute(tt.first)
		if ce.Method != m || ce.Pattern != p || ce.Existing != firstPat || ce.Loc != "b.go:2" || ce.ExistingLoc != "routes.go:1" {
			t.Errorf("%q then %q: got %+v", tt.first, tt.second, ce)
		}
		for _, s := range []string{tt.first, tt.second, "b.go:2", "routes.go:1"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q does not mention %q", err, s)
			}
		}
	}
}

func TestNoConflicts(t *testing.T) {
	// Same shape but different methods, or different shapes.
	newTable(t,
		"GET /users/{id}", "POST /users/{name}", "/users/{x}", "HEAD /users/{id}",
		"GET /users/me", "GET /users/{id}/", "GET /users/{id}/{$}", "POST /users/{id}/{rest...}",
		"GET /files/", "GET /files/{$}", "GET /files", "PURGE /files", "purge /files",
	)
}

func TestConflictLeavesTableUnchanged(t *testing.T) {
	tb := newTable(t, "GET /users/{id}")
	if err := tb.Add("GET", "/users/{name}", "x", ""); err == nil {
		t.Fatal("no conflict reported")
	}
	var ps Params
	if v, _ := tb.Lookup("GET", "/users/1", &ps); v != "GET /users/{id}" || ps.Get("id") != "1" || tb.Len() != 1 {
		t.Errorf("after conflict: %q id=%q len=%d", v, ps.Get("id"), tb.Len())
	}
}
