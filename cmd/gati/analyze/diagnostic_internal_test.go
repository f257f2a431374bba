package analyze

import (
	"go/token"
	"testing"

	"golang.org/x/tools/go/packages"
)

func TestPackageErrorPositions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pos  string
		want Diagnostic
	}{
		{"/app/users/a.go:3:7", Diagnostic{File: "users/a.go", Line: 3, Col: 7, Msg: "m"}},
		{"/app/a.go:3", Diagnostic{File: "a.go", Line: 3, Msg: "m"}},
		{"/app/go.mod", Diagnostic{File: "go.mod", Msg: "m"}},
		{"/elsewhere/x.go:1:2", Diagnostic{File: "/elsewhere/x.go", Line: 1, Col: 2, Msg: "m"}},
		{"-", Diagnostic{Msg: "m"}},
		{"", Diagnostic{Msg: "m"}},
	}
	for _, tt := range tests {
		r := &reporter{dir: "/app", fset: token.NewFileSet()}
		r.packageError(packages.Error{Pos: tt.pos, Msg: "m"})
		if len(r.diags) != 1 || r.diags[0] != tt.want {
			t.Errorf("packageError(%q) = %+v, want %+v", tt.pos, r.diags, tt.want)
		}
	}
}

func TestWildcards(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"/":                    nil,
		"/users/{id}":          {"id"},
		"/a/{x}/b/{y}/{$}":     {"x", "y"},
		"/files/{path...}":     {"path"},
		"/static/":             nil,
		"/{org}/{repo}/issues": {"org", "repo"},
	}
	for path, want := range tests {
		got := wildcards(path)
		if len(got) != len(want) {
			t.Errorf("wildcards(%q) = %q, want %q", path, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("wildcards(%q) = %q, want %q", path, got, want)
			}
		}
	}
}
