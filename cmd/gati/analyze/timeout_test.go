package analyze_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
)

const slowGo = `package main

import "gati.dev/gati"

//gati:route GET /report timeout=2m
func Report(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /stream timeout=-1s read_timeout=1m write_timeout=90s
func Stream(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
`

// TestTimeoutDirective: timeout= sets the route's request timeout, in the
// manifest and in the generated registration, which compiles.
func TestTimeoutDirective(t *testing.T) {
	t.Parallel()
	dir := app(t, map[string]string{"main.go": mainGo, "slow.go": slowGo})
	m, gen := loadAndGenerate(t, dir)
	if len(m.Routes) != 2 || m.Routes[0].Timeout != "2m0s" || m.Routes[1].Timeout != "-1s" || m.Routes[1].ReadTimeout != "1m0s" {
		t.Fatalf("routes = %+v", m.Routes)
	}
	if !strings.Contains(gen, `gati.Timeout(120000000000 /* 2m0s */)`) ||
		!strings.Contains(gen, `gati.Timeout(-1000000000 /* -1s */), gati.ReadTimeout(60000000000 /* 1m0s */), gati.WriteTimeout(90000000000 /* 1m30s */)`) {
		t.Fatalf("generated:\n%s", gen)
	}
	goBuild(t, dir)
}

func TestTimeoutDirectiveMistakes(t *testing.T) {
	t.Parallel()
	src := slowGo + `
//gati:route GET /soon timeout=soon
func Soon(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /report until=2025-06-01 write_timeout=5s
func ReportV1(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
`
	dir := app(t, map[string]string{"main.go": mainGo, "slow.go": src})
	_, err := analyze.Load(context.Background(), dir)
	var errs *analyze.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v", err)
	}
	got := err.Error()
	for _, want := range []string{`slow.go:15:`, `bad timeout "soon"`, `slow.go:20:`, `timeouts apply to the whole route`} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, got)
		}
	}
}
