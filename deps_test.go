package gati_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// lightDeps are the only modules outside gati.dev/gati the root package
// may link: every app imports it.
var lightDeps = []string{"go.yaml.in/yaml/v3"}

// TestRootPackageStaysLight lists what importing gati.dev/gati links
// beside the standard library: its own packages and lightDeps, nothing
// else (a WebSocket library, say, comes with gati.dev/gati/ws, for the
// apps that serve WebSockets).
func TestRootPackageStaysLight(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "gati.dev/gati" && !strings.HasPrefix(pkg, "gati.dev/gati/") && !slices.Contains(lightDeps, pkg) {
			t.Errorf("importing gati.dev/gati links %s: keep it out of the root package, or add it to lightDeps with the reason", pkg)
		}
	}
}
