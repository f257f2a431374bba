package analyze_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
)

const reportGo = `package main

import "gati.dev/gati"

//gati:route GET /hello
func Hello(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /hello until=2025-06-01
func HelloV1(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
`

// TestUntilDirective: an older implementation declared with until= sits
// beside the current route instead of conflicting with it, and is
// registered with gati.Until.
func TestUntilDirective(t *testing.T) {
	t.Parallel()
	dir := app(t, map[string]string{"main.go": mainGo, "hello.go": reportGo})
	m, gen := loadAndGenerate(t, dir)
	if len(m.Routes) != 2 || m.Routes[0].Until != "" || m.Routes[1].Until != "2025-06-01" {
		t.Fatalf("routes = %+v", m.Routes)
	}
	if !strings.Contains(gen, `app.HandleFunc("GET /hello", HelloV1, gati.Source("hello.go", 10), gati.Until("2025-06-01"))`) {
		t.Fatalf("generated:\n%s", gen)
	}
	goBuild(t, dir)
}

func TestUntilDirectiveMistakes(t *testing.T) {
	t.Parallel()
	src := reportGo + `
//gati:route GET /hello until=2025-06-01
func HelloV1Again(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /bye until=June
func Bye(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
`
	dir := app(t, map[string]string{"main.go": mainGo, "hello.go": src})
	_, err := analyze.Load(context.Background(), dir)
	var errs *analyze.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v", err)
	}
	got := err.Error()
	for _, want := range []string{`hello.go:15:1: route "GET /hello" conflicts with "GET /hello" declared at hello.go:10`,
		`hello.go:20:`, `until=June: "June" is not a version ID`} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, got)
		}
	}
}
