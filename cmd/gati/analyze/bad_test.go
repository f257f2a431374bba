package analyze_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
)

// TestLoadBad checks that every problem of the bad fixture is reported,
// each at its directive's position.
func TestLoadBad(t *testing.T) {
	t.Parallel()
	_, err := analyze.Load(context.Background(), fixture(t, "bad"))
	var errs *analyze.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load = %v, want *analyze.Errors", err)
	}
	checkGolden(t, "bad.golden", []byte(err.Error()+"\n"))

	tests := []struct {
		name, at, msg string
	}{
		{"unknown directive", "routes.go:5:1", "unknown directive //gati:rout"},
		{"no arguments", "routes.go:10:1", "needs a method and a path"},
		{"missing method", "routes.go:15:14", "missing the method before /no-method"},
		{"missing path", "routes.go:20:1", "GET is missing the path"},
		{"lower-case method", "routes.go:25:14", "method get must be upper case"},
		{"bad pattern", "routes.go:30:21", `bad pattern "GET /a/{"`},
		{"unknown option", "routes.go:35:24", "unknown route option color="},
		{"bad status", "routes.go:35:34", `bad status "99"`},
		{"bad name", "routes.go:35:44", `bad route name "bad-name"`},
		{"unknown middleware", "routes.go:35:58", `no middleware named "Nope"`},
		{"option twice", "routes.go:35:67", "status= is given twice"},
		{"not key=value", "routes.go:35:78", `"bare" is not key=value`},
		{"wrong signature", "routes.go:40:1", "want the raw form func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error or the typed form"},
		{"unexported", "routes.go:45:1", "func unexported, which is not exported"},
		{"method", "routes.go:53:1", "is on method Method"},
		{"type", "routes.go:58:1", "must be on a func, not a type declaration"},
		{"floating", "routes.go:61:1", "directly above an exported top-level func"},
		{"inside a func", "routes.go:64:2", "directly above an exported top-level func"},
		{"path param without field", "typed.go:10:1", "path parameter {id} has no field in main.ItemIn tagged `path:\"id\"`"},
		{"path field not in pattern", "typed.go:21:1", "field main.ThingIn.Extra is tagged `path:\"extra\"` but the pattern /things/{id} has no {extra}"},
		{"duplicate route name", "typed.go:31:1", "route name dup is also used by the route at typed.go:26"},
		{"typed signature", "typed.go:36:1", "handler TypedWrong has signature func(gctx *gati.Global, in struct{}) (string, error)"},
		{"middleware option", "middleware.go:9:19", `unknown //gati:middleware option "everywhere"`},
		{"middleware signature", "middleware.go:12:1", "middleware Broken has type func(next http.HandlerFunc) http.HandlerFunc"},
		{"use= global middleware", "middleware.go:26:31", "middleware Everywhere is global, so it already runs for every route"},
		{"duplicate middleware", "sub/sub.go:6:1", "middleware Dup is also declared at middleware.go:15"},
		{"conflict", "conflict/b.go:5:1", `route "GET /users/{name}" conflicts with "GET /users/{id}" declared at conflict/a.go:6`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, d := range errs.Diagnostics {
				if strings.HasPrefix(d.String(), tt.at+": ") && strings.Contains(d.Msg, tt.msg) {
					return
				}
			}
			t.Errorf("no diagnostic %s: ...%s...; got\n%v", tt.at, tt.msg, err)
		})
	}
	for _, d := range errs.Diagnostics {
		if strings.Contains(d.Msg, "Broken") && strings.HasPrefix(d.File, "middleware.go") && d.Line == 18 {
			t.Errorf("use=Broken is reported although Broken's own problem is: %v", d)
		}
	}
}
