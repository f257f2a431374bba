package gati

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

type bindTrace struct {
	Trace string `header:"X-Trace"`
}

// bindPlain has only optional, unconstrained string parameters, one of
// them promoted from an embedded struct: bindStrings binds it.
type bindPlain struct {
	Skip string `json:"-"` // neither a parameter nor the body
	bindTrace
	Name    string `query:"name"`
	Sort    string `query:"sort"`
	Session string `cookie:"session"`
}

type bindThroughPointer struct {
	*bindTrace
	Name string `query:"name"`
}

func TestBinderChoosesTheStringPathOnlyWhenNothingCanFail(t *testing.T) {
	for _, tc := range []struct {
		typ     reflect.Type
		strings bool
	}{
		{reflect.TypeFor[bindPlain](), true},
		{reflect.TypeFor[struct {
			Limit int `query:"limit"`
		}](), false},
		{reflect.TypeFor[struct {
			Name string `query:"name" required:"true"`
		}](), false},
		{reflect.TypeFor[struct {
			Name string `query:"name" maxLength:"3"`
		}](), false},
		{reflect.TypeFor[struct {
			Tags []string `query:"tag"`
		}](), false},
		{reflect.TypeFor[struct {
			Name string `query:"name"`
			Note string `json:"note"` // a body field
		}](), false},
		{reflect.TypeFor[struct{ *BindSharedOut }](), false}, // a string header under an embedded pointer
	} {
		b, err := newBinder(tc.typ)
		if err != nil {
			t.Fatalf("%v: %v", tc.typ, err)
		}
		if b.stringsOnly != tc.strings {
			t.Errorf("%v: stringsOnly = %v, want %v", tc.typ, b.stringsOnly, tc.strings)
		}
	}
}

func TestFieldPathFollowsEmbeddedStructsNotPointers(t *testing.T) {
	typ := reflect.TypeFor[bindPlain]()
	f, _ := typ.FieldByName("Trace")
	off, direct, err := fieldPath(typ, f.Index)
	if want := unsafe.Offsetof(bindPlain{}.bindTrace) + unsafe.Offsetof(bindTrace{}.Trace); err != nil || !direct || off != want {
		t.Errorf("fieldPath(Trace) = %d, %v, %v; want %d, true, nil", off, direct, err, want)
	}
	typ = reflect.TypeFor[struct{ *BindSharedOut }]()
	f, _ = typ.FieldByName("Etag")
	if _, direct, err := fieldPath(typ, f.Index); direct || err != nil {
		t.Errorf("fieldPath through an embedded pointer: direct %v, error %v", direct, err)
	}
}

// The string path must bind exactly what the general, reflective path
// binds, and fail where it fails, for every query a client can send.
func TestBindStringsMatchesTheGeneralPath(t *testing.T) {
	fast, err := newBinder(reflect.TypeFor[bindPlain]())
	if err != nil {
		t.Fatal(err)
	}
	general := *fast
	general.stringsOnly = false
	for _, q := range []string{
		"", "name=ada", "name=ada&name=bob", "name", "name=&sort=asc", "&&name=x&",
		"=v&name=1", "sort=a%20b&name=x+y", "name=%zz", "name=ada;sort=b", "Name=ada",
	} {
		var got, want bindPlain
		gotErr := fast.bind(bindRequest(q), unsafe.Pointer(&got))
		wantErr := general.bind(bindRequest(q), unsafe.Pointer(&want))
		if got != want {
			t.Errorf("query %q: string path bound %+v, general path %+v", q, got, want)
		}
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("query %q: string path error %v, general path %v", q, gotErr, wantErr)
		}
	}
}

func TestBindStringsUnescapesAndTakesTheFirstValue(t *testing.T) {
	b, err := newBinder(reflect.TypeFor[bindPlain]())
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]bindPlain{
		"name=ada&name=bob":   {Name: "ada"},
		"sort=a%20b&name=x+y": {Name: "x y", Sort: "a b"},
		"name":                {},
	} {
		want.bindTrace, want.Session = bindTrace{Trace: "t-1"}, "s-1"
		var got bindPlain
		if err := b.bind(bindRequest(q), unsafe.Pointer(&got)); err != nil || got != want {
			t.Errorf("query %q: bound %+v, %v; want %+v", q, got, err, want)
		}
	}
}

func bindRequest(query string) *Request {
	r := httptest.NewRequest(http.MethodGet, "/items?"+query, nil)
	r.Header.Set("X-Trace", "t-1")
	r.AddCookie(&http.Cookie{Name: "session", Value: "s-1"})
	return &Request{r: r}
}

func TestPlainQueryValue(t *testing.T) {
	for _, tc := range []struct {
		raw, name, value string
		found            bool
	}{
		{"name=ada", "name", "ada", true},
		{"a=1&name=ada&name=bob", "name", "ada", true}, // the first value, as url.Values.Get
		{"name", "name", "", true},
		{"name=", "name", "", true},
		{"names=ada", "name", "", false},
		{"x=name", "name", "", false},
		{"", "name", "", false},
		{"&&name=a=b", "name", "a=b", true},
	} {
		value, found := plainQueryValue(tc.raw, tc.name)
		if value != tc.value || found != tc.found {
			t.Errorf("plainQueryValue(%q, %q) = %q, %v; want %q, %v", tc.raw, tc.name, value, found, tc.value, tc.found)
		}
		// The general reader agrees on every plain query.
		if v, ok := queryValue(tc.raw, tc.name); v != value || ok != found {
			t.Errorf("queryValue(%q, %q) = %q, %v; plainQueryValue gave %q, %v", tc.raw, tc.name, v, ok, value, found)
		}
	}
}

// BindShared is embedded by pointer: its parameters are promoted.
type BindShared struct {
	Trace string `header:"X-Trace"`
	Limit int    `query:"limit"`
}

// Out types may embed pointers too: their header fields are promoted.
type BindSharedOut struct {
	Etag string `header:"ETag" json:"-"`
}

func TestParametersPromotedThroughEmbeddedPointers(t *testing.T) {
	type in struct {
		*BindShared
		Name string `query:"name"`
	}
	type out struct {
		*BindSharedOut
		Got string `json:"got"`
	}
	app := New(WithEnv("production"), WithLogOutput(io.Discard))
	app.Handle("GET /items", Typed(func(_ *Global, _ *Local, in in) (out, error) {
		if in.BindShared == nil {
			return out{Got: in.Name + " without shared"}, nil
		}
		return out{Got: fmt.Sprintf("%s %s %d", in.Name, in.Trace, in.Limit), BindSharedOut: &BindSharedOut{Etag: `"v1"`}}, nil
	}))
	app.Handle("POST /items", Typed(func(_ *Global, _ *Local, in struct {
		*BindShared
		Note string `json:"note"`
	}) (out, error) {
		return out{Got: fmt.Sprintf("%s %v", in.Note, in.BindShared != nil)}, nil
	}))
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	serve := func(r *http.Request) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, r)
		return rec
	}

	r := httptest.NewRequest(http.MethodGet, "/items?name=a&limit=3", nil)
	r.Header.Set("X-Trace", "t-1")
	rec := serve(r)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"got":"a t-1 3"`) || rec.Header().Get("ETag") != `"v1"` {
		t.Errorf("with the promoted parameters: %d %s, ETag %q", rec.Code, rec.Body, rec.Header().Get("ETag"))
	}
	rec = serve(httptest.NewRequest(http.MethodGet, "/items?name=a", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"got":"a without shared"`) || rec.Header().Get("ETag") != "" {
		t.Errorf("without them (the embedded pointer stays nil): %d %s, ETag %q", rec.Code, rec.Body, rec.Header().Get("ETag"))
	}
	rec = serve(httptest.NewRequest(http.MethodGet, "/items?limit=x", nil))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `/query/limit`) {
		t.Errorf("a promoted parameter that does not parse: %d %s", rec.Code, rec.Body)
	}
	r = httptest.NewRequest(http.MethodPost, "/items", strings.NewReader(`{"note":"n"}`))
	r.Header.Set("Content-Type", "application/json")
	if rec = serve(r); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"got":"n false"`) {
		t.Errorf("a body beside promoted parameters: %d %s", rec.Code, rec.Body)
	}
}

func TestTypedRejectsParametersUnderAnUnexportedEmbeddedPointer(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "gati: Typed:") || !strings.Contains(msg, "Trace") || !strings.Contains(msg, "embed bindTrace by value or export it") {
			t.Errorf("Typed panicked with %q", msg)
		}
	}()
	Typed(func(_ *Global, _ *Local, in bindThroughPointer) (struct{}, error) { return struct{}{}, nil })
}

// FuzzBindStrings checks the string path against the general path, and
// both against url.ParseQuery, for any query string a client can send.
func FuzzBindStrings(f *testing.F) {
	for _, s := range []string{"name=ada&sort=asc", "name", "&&name=a=b", "name=%zz", "sort=a+b&name=x%20y", "name=a;b", "=&="} {
		f.Add(s)
	}
	fast, err := newBinder(reflect.TypeFor[bindPlain]())
	if err != nil {
		f.Fatal(err)
	}
	general := *fast
	general.stringsOnly = false
	f.Fuzz(func(t *testing.T, raw string) {
		r := bindRequest("")
		r.r.URL.RawQuery = raw
		var got, want bindPlain
		gotErr := fast.bind(r, unsafe.Pointer(&got))
		r2 := bindRequest("")
		r2.r.URL.RawQuery = raw
		wantErr := general.bind(r2, unsafe.Pointer(&want))
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("query %q: string path %+v, %v; general path %+v, %v", raw, got, gotErr, want, wantErr)
		}
		values, perr := url.ParseQuery(raw)
		if (perr == nil) != (gotErr == nil) {
			t.Fatalf("query %q: bind error %v, url.ParseQuery error %v", raw, gotErr, perr)
		}
		if perr == nil && (got.Name != values.Get("name") || got.Sort != values.Get("sort")) {
			t.Fatalf("query %q: bound name %q sort %q; url.ParseQuery %q %q", raw, got.Name, got.Sort, values.Get("name"), values.Get("sort"))
		}
	})
}
