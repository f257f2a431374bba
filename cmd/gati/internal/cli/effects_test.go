package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEffectsArgsTakesGatiFlagsOffTheFront(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		dir, env  string
		rest      []string
		wantError bool
	}{
		{args: []string{"dlq", "list", "-kind", "x"}, dir: ".", rest: []string{"dlq", "list", "-kind", "x"}},
		{args: []string{"--dir", "app", "--env=staging", "stats"}, dir: "app", env: "staging", rest: []string{"stats"}},
		{args: []string{"--dir=app", "dlq", "list", "--env", "x"}, dir: "app", rest: []string{"dlq", "list", "--env", "x"}},
		{args: []string{"--env"}, wantError: true},
	} {
		dir, env, rest, err := effectsArgs(tc.args)
		if tc.wantError {
			if err == nil {
				t.Errorf("effectsArgs(%q): no error", tc.args)
			}
			continue
		}
		if err != nil || dir != tc.dir || env != tc.env || !slices.Equal(rest, tc.rest) {
			t.Errorf("effectsArgs(%q) = %q %q %q %v, want %q %q %q", tc.args, dir, env, rest, err, tc.dir, tc.env, tc.rest)
		}
	}
}

// TestEffectsRunsTheAppsCommand builds a small app and runs its effects
// command through gati effects, with the environment's backend.
func TestEffectsRunsTheAppsCommand(t *testing.T) {
	t.Parallel()
	mod, err := fixtureModFiles()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": string(mod["go.mod"]),
		"go.sum": string(mod["go.sum"]),
		"main.go": `package main

import (
	"context"

	"gati.dev/gati"
	"gati.dev/gati/effects"
)

type Ping struct{}

var ping = effects.Define[Ping]("ping")

func main() {
	app := gati.New()
	fx := effects.Install(app)
	effects.Work(fx, ping, func(context.Context, effects.Effect[Ping]) error { return nil })
	app.Main()
}
`,
		"gati.yaml": `modules:
  effects:
    backend: memory
environments:
  staging:
    modules:
      effects:
        backend: postgres
`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errs bytes.Buffer
	if err := runEffects(t.Context(), dir, "", []string{"dlq", "list"}, &out, &errs); err != nil {
		t.Fatalf("gati effects dlq list: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "the dead-letter queue is empty") || !strings.Contains(errs.String(), "building the app") {
		t.Fatalf("gati effects dlq list printed:\n%s\n%s", out.String(), errs.String())
	}
	out.Reset()
	errs.Reset()
	err = runEffects(t.Context(), dir, "staging", []string{"stats"}, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "exited with status 1") ||
		!strings.Contains(errs.String(), `the backend "postgres" is not linked into this binary`) {
		t.Fatalf("gati effects --env staging stats: %v\n%s", err, errs.String())
	}
}
