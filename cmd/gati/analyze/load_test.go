package analyze_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

func TestLoadGood(t *testing.T) {
	t.Parallel()
	dir := fixture(t, "good")
	m, err := analyze.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := manifest.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "good.manifest.json", data)

	start := time.Now()
	if _, err := analyze.Load(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("Load on a warm cache: %v", time.Since(start))
}

func TestLoadNoGoMod(t *testing.T) {
	t.Parallel()
	_, err := analyze.Load(context.Background(), t.TempDir())
	var errs *analyze.Errors
	if err == nil || errors.As(err, &errs) {
		t.Fatalf("Load without go.mod = %v, want a plain error", err)
	}
}

func TestLoadAppErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string // the error, or a line of it
		diags bool   // whether the error is *Errors
	}{
		{"type error", map[string]string{"main.go": mainGo, "hello.go": helloGo, "broken.go": "package main\n\nfunc Broken() int {\n\treturn \"x\"\n}\n"},
			`broken.go:4:9: cannot use "x" (untyped string constant) as int value in return statement`, true},
		{"library at root", map[string]string{"lib.go": "package lib\n"}, "holds package lib; the app's main package must be at its module root", false},
		{"no main package", map[string]string{"sub/sub.go": "package sub\n"}, "has no main package", false},
		{"route in a sub-module is skipped", map[string]string{"main.go": mainGo, "hello.go": helloGo,
			"tool/go.mod": "module example.com/tool\n", "tool/tool.go": "package tool\n\n//gati:route GET /x\nfunc X() {}\n"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := analyze.Load(context.Background(), app(t, tt.files))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var errs *analyze.Errors
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.As(err, &errs) != tt.diags {
				t.Errorf("Load = %v (*Errors: %v), want %q (*Errors: %v)", err, errs != nil, tt.want, tt.diags)
			}
		})
	}
}

func TestDiagnosticString(t *testing.T) {
	t.Parallel()
	errs := &analyze.Errors{Diagnostics: []analyze.Diagnostic{
		{File: "a/b.go", Line: 3, Col: 1, Msg: "one"},
		{Msg: "no position"},
	}}
	if got, want := errs.Error(), "a/b.go:3:1: one\nno position"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
