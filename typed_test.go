package gati_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"gati.dev/gati"
)

// The typed adapter decides once, from the types, whether a request is
// validated and whether its output can be a nil pointer (answered 204):
// these guard that each case still behaves whichever way it was decided.

type checkedIn struct {
	Name string `query:"name"`
}

// Validate has a pointer receiver: only *checkedIn implements Validator.
func (in *checkedIn) Validate() error {
	if in.Name == "nobody" {
		return errors.New("nobody is not a name")
	}
	return nil
}

type taggedOut struct {
	Message string `json:"message"`
	ETag    string `header:"ETag" json:"-"`
}

func TestTypedOutputsAndValidation(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("GET /checked", gati.Typed(func(_ *gati.Global, _ *gati.Local, in checkedIn) (greetOut, error) {
		return greetOut{Message: in.Name}, nil
	}))
	app.Handle("GET /pointer", gati.Typed(func(_ *gati.Global, _ *gati.Local, in greetIn) (*greetOut, error) {
		if in.Name == "" {
			return nil, nil
		}
		return &greetOut{Message: in.Name}, nil
	}))
	app.Handle("GET /any", gati.Typed(func(_ *gati.Global, _ *gati.Local, in greetIn) (any, error) {
		if in.Name == "" {
			return (*greetOut)(nil), nil
		}
		return greetOut{Message: in.Name}, nil
	}))
	app.Handle("GET /tagged", gati.Typed(func(_ *gati.Global, _ *gati.Local, in greetIn) (taggedOut, error) {
		return taggedOut{Message: in.Name, ETag: `"` + in.Name + `"`}, nil
	}))
	srv := start(t, app)

	tests := []struct {
		path   string
		status int
		body   string
		header [2]string
	}{
		{path: "/checked?name=Ada", status: 200, body: `{"message":"Ada"}`},
		{path: "/checked?name=nobody", status: 422},
		{path: "/pointer", status: 204},
		{path: "/pointer?name=Ada", status: 200, body: `{"message":"Ada"}`},
		{path: "/any", status: 204},
		{path: "/any?name=Ada", status: 200, body: `{"message":"Ada"}`},
		{path: "/tagged?name=v1", status: 200, body: `{"message":"v1"}`, header: [2]string{"ETag", `"v1"`}},
	}
	for _, tc := range tests {
		r := do(t, srv, "GET", tc.path, "")
		if r.status != tc.status {
			t.Errorf("GET %s: status %d, want %d (%s)", tc.path, r.status, tc.status, r.body)
			continue
		}
		if tc.body != "" && r.body != tc.body {
			t.Errorf("GET %s: body %q, want %q", tc.path, r.body, tc.body)
		}
		if k := tc.header[0]; k != "" && r.header.Get(k) != tc.header[1] {
			t.Errorf("GET %s: %s %q, want %q", tc.path, k, r.header.Get(k), tc.header[1])
		}
	}
	if r := do(t, srv, "GET", "/checked?name=nobody", ""); r.problem.Code != "validation_failed" {
		t.Errorf("a failed Validate: problem code %q, want validation_failed", r.problem.Code)
	}
	if r := do(t, srv, "GET", "/pointer", ""); r.body != "" || r.header.Get("Content-Type") != "" {
		t.Errorf("204: body %q, Content-Type %q, want neither", r.body, r.header.Get("Content-Type"))
	}
}

func TestDateHeaderIsCurrentAndHandlersMayOverrideOrSuppressIt(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("GET /hello", gati.Typed(greet))
	app.HandleFunc("GET /dated", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		res.Header().Set("Date", "Tue, 15 Nov 1994 08:12:31 GMT")
		return res.Text(200, "old news")
	})
	app.HandleFunc("GET /undated", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		res.Header()["Date"] = nil // net/http's way to suppress it
		return res.Text(200, "timeless")
	})
	srv := start(t, app)

	before := time.Now().Truncate(time.Second)
	r := do(t, srv, "GET", "/hello", "")
	after := time.Now()
	if n := len(r.header.Values("Date")); n != 1 {
		t.Fatalf("got %d Date headers, want 1: %q", n, r.header.Values("Date"))
	}
	date, err := http.ParseTime(r.header.Get("Date"))
	if err != nil || date.Before(before) || date.After(after) {
		t.Fatalf("Date %q (%v): want a time in [%s, %s]", r.header.Get("Date"), err, before.UTC(), after.UTC())
	}
	r = do(t, srv, "GET", "/dated", "")
	if got := r.header.Values("Date"); len(got) != 1 || got[0] != "Tue, 15 Nov 1994 08:12:31 GMT" {
		t.Fatalf("a handler's own Date: got %q", got)
	}
	if r = do(t, srv, "GET", "/undated", ""); r.body != "timeless" || len(r.header.Values("Date")) != 0 {
		t.Fatalf("a nil Date: got %d %q with Date %q, want no Date header", r.status, r.body, r.header.Values("Date"))
	}
}
