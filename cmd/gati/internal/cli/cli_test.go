package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// run runs the gati command line with args and returns its output.
func run(ctx context.Context, t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd("v1.2.3", "abc1234")
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	out, err := run(t.Context(), t, "--version")
	if err != nil || out != "gati v1.2.3 (commit abc1234)\n" {
		t.Fatalf("gati --version = %q, %v", out, err)
	}
}

func TestNoVersionCommand(t *testing.T) {
	t.Parallel()
	root := newRootCmd("dev", "unknown")
	for _, c := range root.Commands() {
		if c.Name() == "version" {
			t.Fatal("the version command is reserved for API versions")
		}
	}
	out, _ := run(t.Context(), t, "--help")
	for _, name := range []string{"create", "dev", "build", "routes"} {
		if !strings.Contains(out, name) {
			t.Errorf("help lacks %s:\n%s", name, out)
		}
	}
}
