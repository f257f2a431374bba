package cli

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/runtimemod"
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
	want := "gati v1.2.3 (commit abc1234)\nbuilt with " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH +
		"\nruntime gati.dev/gati " + runtimemod.Version + "\n"
	if err != nil || out != want {
		t.Fatalf("gati --version = %q, %v; want %q", out, err, want)
	}
}

// TestVersionIsForAPIVersions guards the convention that `gati version`
// manages API versions; the CLI's own version is the --version flag.
func TestVersionIsForAPIVersions(t *testing.T) {
	t.Parallel()
	out, _ := run(t.Context(), t, "version", "--help")
	if !strings.Contains(out, "snapshot") || !strings.Contains(out, "diff") {
		t.Fatalf("gati version --help is not about API versions:\n%s", out)
	}
	out, _ = run(t.Context(), t, "--help")
	for _, name := range []string{"create", "dev", "build", "routes", "version"} {
		if !strings.Contains(out, name) {
			t.Errorf("help lacks %s:\n%s", name, out)
		}
	}
}
