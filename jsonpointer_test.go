package gati

import (
	"strings"
	"testing"
)

func TestPointerAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, at, want string // at: a unique substring whose first byte is the offset
	}{
		{`{"a":1,"b":300}`, `300`, "/b"},
		{`{"items":[{},{},{"age":300}]}`, `300`, "/items/2/age"},
		{`{"items":[{},{},{"age":300}]}`, `{"age"`, "/items/2"},
		{`[1,2,[3,"x"]]`, `"x"`, "/2/1"},
		{`{"k/~":true}`, `true`, "/k~1~0"},
		{`{"a":{"b":"c"}}`, `"b"`, "/a/b"},
		{`"scalar"`, `scalar`, ""},
		{`{"a":[1,2`, `2`, "/a/1"},
		{`{"a":1, "b" : {"c": null}}`, `null`, "/b/c"},
	}
	for _, tt := range tests {
		off := strings.Index(tt.body, tt.at)
		if got := pointerAt([]byte(tt.body), int64(off)); got != tt.want {
			t.Errorf("pointerAt(%s, %d) = %q, want %q", tt.body, off, got, tt.want)
		}
	}
}

func FuzzPointerAt(f *testing.F) {
	f.Add([]byte(`{"items":[{},{"age":300}]}`), int64(20))
	f.Add([]byte("[\"\xff\"]"), int64(2))
	f.Fuzz(func(t *testing.T, body []byte, off int64) {
		p := pointerAt(body, off)
		if p != "" && p[0] != '/' {
			t.Fatalf("pointer %q does not start with /", p)
		}
	})
}
