package gati

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Table tests and fuzz targets for the parsers that read client input:
// traceparent, request ids, query strings, JSON bodies and their error
// positions, and the sizes in gati.yaml.

func TestParseTraceparent(t *testing.T) {
	t.Parallel()
	const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tests := []struct {
		in      string
		ok      bool
		sampled bool
	}{
		{valid, true, true},
		{strings.Replace(valid, "-01", "-00", 1), true, false},
		{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", true, true},  // a later version may add fields
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false, false}, // version 00 may not
		{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false, false},       // version ff is invalid
		{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", false, false},       // zero trace id
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false, false},       // zero parent id
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false, false},       // upper case hex
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false, false},
		{"", false, false},
		{"00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", false, false},
	}
	for _, tt := range tests {
		var tr Trace
		if ok := parseTraceparent(tt.in, &tr); ok != tt.ok || ok && tr.Sampled != tt.sampled {
			t.Errorf("parseTraceparent(%q) = %v sampled %v, want %v sampled %v", tt.in, ok, tr.Sampled, tt.ok, tt.sampled)
		}
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		span   uint64
		want   string
	}{
		{"abc-123_X.y:z", 1, "abc-123_X.y:z"},
		{"", 0xdeadbeef, "00000000deadbeef"},
		{"has space", 0x1, "0000000000000001"},
		{"<script>", 0x2, "0000000000000002"},
		{strings.Repeat("a", 128), 0x3, strings.Repeat("a", 128)},
		{strings.Repeat("a", 129), 0x4, "0000000000000004"},
		{"é", 0x5, "0000000000000005"},
	}
	for _, tt := range tests {
		if got := requestID(tt.header, tt.span, nil); got != tt.want {
			t.Errorf("requestID(%q, %x) = %q, want %q", tt.header, tt.span, got, tt.want)
		}
	}
}

// TestRequestIDArenaKeepsIDs guards ids cut from a shared chunk: every id
// handed out keeps its value while later ones are written, across chunk
// boundaries.
func TestRequestIDArenaKeepsIDs(t *testing.T) {
	t.Parallel()
	var ids idArena
	kept := make([]string, 3*idsPerChunk+5)
	for i := range kept {
		kept[i] = requestID("", uint64(i)<<32|uint64(i), &ids)
	}
	for i, id := range kept {
		if want := fmt.Sprintf("%016x", uint64(i)<<32|uint64(i)); id != want {
			t.Fatalf("id %d = %q after later ids were made, want %q", i, id, want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw      string
		want     url.Values
		pointers []string
	}{
		{"a=1&b=2&a=3", url.Values{"a": {"1", "3"}, "b": {"2"}}, nil},
		{"q=caf%C3%A9+au+lait", url.Values{"q": {"café au lait"}}, nil},
		{"flag&&x=", url.Values{"flag": {""}, "x": {""}}, nil},
		{"limit=5000;", url.Values{}, []string{"/query/limit"}},
		{"a=1;b=2&c=3", url.Values{"c": {"3"}}, []string{"/query/a"}},
		{"q=%zz&ok=1", url.Values{"ok": {"1"}}, []string{"/query/q"}},
		{"%zz=1", url.Values{}, []string{"/query/%zz"}},
		{"a%2Fb=%", url.Values{}, []string{"/query/a~1b"}},
	}
	for _, tt := range tests {
		got, errs := parseQuery(tt.raw)
		var pointers []string
		for _, e := range errs {
			pointers = append(pointers, e.Pointer)
		}
		if !equalValues(got, tt.want) || strings.Join(pointers, " ") != strings.Join(tt.pointers, " ") {
			t.Errorf("parseQuery(%q) = %v %v, want %v %v", tt.raw, got, pointers, tt.want, tt.pointers)
		}
	}
}

func equalValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") || len(v) != len(b[k]) {
			return false
		}
	}
	return true
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want ByteSize
		err  bool
	}{
		{"1024", 1024, false}, {"512KiB", 512 << 10, false}, {"1MiB", 1 << 20, false},
		{"2 GiB", 2 << 30, false}, {"10MB", 10e6, false}, {"7B", 7, false},
		{"-1", 0, true}, {"1.5MiB", 0, true}, {"MiB", 0, true}, {"1TiB", 0, true}, {"", 0, true},
		{"9223372036854775807", 1<<63 - 1, false},
		{"9007199254740993GiB", 0, true}, // overflows int64
	}
	for _, tt := range tests {
		var b ByteSize
		err := yaml.Unmarshal([]byte("v: "+quoteYAML(tt.in)), &struct{ V *ByteSize }{&b})
		if (err != nil) != tt.err || !tt.err && b != tt.want {
			t.Errorf("ByteSize(%q) = %d, %v; want %d, error %v", tt.in, b, err, tt.want, tt.err)
		}
	}
}

func quoteYAML(s string) string { return `"` + s + `"` }

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "limit=5000;", "q=%zz", "a%2Fb=%", "=&=", "x=%C3%A9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		values, errs := parseQuery(raw)
		want, err := url.ParseQuery(raw)
		if (err == nil) != (len(errs) == 0) {
			t.Fatalf("parseQuery(%q): %d errors, url.ParseQuery: %v", raw, len(errs), err)
		}
		if err == nil && !equalValues(values, want) {
			t.Fatalf("parseQuery(%q) = %v, url.ParseQuery = %v", raw, values, want)
		}
		for _, e := range errs {
			if !strings.HasPrefix(e.Pointer, "/query/") {
				t.Fatalf("pointer %q", e.Pointer)
			}
		}
	})
}

func FuzzTraceparent(f *testing.F) {
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	f.Add("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x")
	f.Fuzz(func(t *testing.T, s string) {
		tr := startTrace(s, 42)
		if tr.TraceID == ([16]byte{}) {
			t.Fatalf("startTrace(%q) has a zero trace id", s)
		}
		var parsed Trace
		if parseTraceparent(s, &parsed) && !strings.Contains(s, parsed.TraceIDString()) {
			t.Fatalf("parseTraceparent(%q) read trace id %s", s, parsed.TraceIDString())
		}
	})
}

func FuzzRequestID(f *testing.F) {
	f.Add("abc", uint64(1))
	f.Fuzz(func(t *testing.T, h string, span uint64) {
		id := requestID(h, span, nil)
		if !validRequestID(id) {
			t.Fatalf("requestID(%q) = %q is not a valid header value", h, id)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"ok","items":[{"qty":1}]}`, `{"items":[{"qty":300}]}`, "{\"name\":\"\xff\"}",
		`{"name":7}`, `[`, ``, `{"a":1} x`, `{"items":[{"qty":-1}]}`} {
		f.Add([]byte(s))
	}
	type item struct {
		Qty uint8 `json:"qty"`
	}
	type in struct {
		Name  string `json:"name"`
		Items []item `json:"items"`
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v in
		err := decodeJSON(body, &v)
		if err == nil {
			if !utf8.Valid(body) {
				t.Fatalf("invalid UTF-8 accepted: %q", body)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 {
			t.Fatalf("decodeJSON(%q): %v, want a 400 *Error", body, err)
		}
		for _, fe := range e.Errors {
			if fe.Pointer != "" && fe.Pointer[0] != '/' {
				t.Fatalf("pointer %q", fe.Pointer)
			}
		}
		if json.Valid(body) && utf8.Valid(body) && e.Code == "malformed_json" && len(e.Errors) == 0 && !strings.Contains(e.Detail, "unexpected data") {
			t.Fatalf("valid JSON %q reported as malformed without a pointer: %s", body, e.Detail)
		}
	})
}

func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"1MiB", "512KiB", "10MB", "-1", "9007199254740993GiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b ByteSize
		if err := b.UnmarshalYAML(&yaml.Node{Kind: yaml.ScalarNode, Value: s}); err == nil && b < 0 {
			t.Fatalf("ByteSize(%q) = %d: negative", s, b)
		}
	})
}

func TestSplitPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, method, path, err string
	}{
		{"GET /users/{id}", "GET", "/users/{id}", ""},
		{"/files/{path...}", "", "/files/{path...}", ""},
		{"  POST   /users", "POST", "/users", ""},
		{"get /x", "", "", `method "get" must be upper case`},
		{"GET users", "", "", `path "users" must start with '/'`},
		{"", "", "", `path "" must start with '/'`},
	}
	for _, tt := range tests {
		method, path, err := splitPattern(tt.pattern)
		if method != tt.method || path != tt.path || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("splitPattern(%q) = %q, %q, %v; want %q, %q, %q", tt.pattern, method, path, err, tt.method, tt.path, tt.err)
		}
	}
}
