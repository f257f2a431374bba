package gati

import (
	"net/http"
	"net/http/httptest"
	"reflect"
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
		{reflect.TypeFor[bindThroughPointer](), false},
	} {
		b, err := newBinder(tc.typ)
		if err != nil {
			t.Fatalf("%v: %v", tc.typ, err)
		}
		if b.strings != tc.strings {
			t.Errorf("%v: strings = %v, want %v", tc.typ, b.strings, tc.strings)
		}
	}
}

func TestFieldOffsetFollowsEmbeddedStructsNotPointers(t *testing.T) {
	typ := reflect.TypeFor[bindPlain]()
	f, _ := typ.FieldByName("Trace")
	off, ok := fieldOffset(typ, f.Index)
	if want := unsafe.Offsetof(bindPlain{}.bindTrace) + unsafe.Offsetof(bindTrace{}.Trace); !ok || off != want {
		t.Errorf("fieldOffset(Trace) = %d, %v; want %d, true", off, ok, want)
	}
	typ = reflect.TypeFor[bindThroughPointer]()
	f, _ = typ.FieldByName("Trace")
	if _, ok := fieldOffset(typ, f.Index); ok {
		t.Error("fieldOffset went through an embedded pointer")
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
	general.strings = false
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
