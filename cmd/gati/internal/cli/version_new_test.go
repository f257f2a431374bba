package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
)

// writeNameSnapshots writes two snapshots of GET /users/{id} into the app
// in dir: the second replaces name with first_name and last_name.
func writeNameSnapshots(t *testing.T, dir string) {
	t.Helper()
	user := func(fields ...string) *schema.Schema {
		s := &schema.Schema{Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{}, Required: fields}
		for _, f := range fields {
			s.Properties[f] = &schema.Schema{Type: schema.Types{"string"}}
		}
		return s
	}
	for i, fields := range [][]string{{"id", "name"}, {"first_name", "id", "last_name"}} {
		d := time.Date(2025, time.Month(1+5*i), 1, 0, 0, 0, 0, time.UTC)
		s := &timescape.Snapshot{ID: d.Format(time.DateOnly), Date: d, Semver: []string{"1.0.0", "2.0.0"}[i],
			Routes: []timescape.RouteSchema{{Method: "GET", Path: "/users/{id}", Status: 200, ContentType: "application/json", Response: user(fields...)}}}
		if _, err := timescape.WriteSnapshot(filepath.Join(dir, ".gati", "versions"), s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVersionNew(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeVersionFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
	mustFail(t, "version new: take a snapshot of the new version first: gati version snapshot", "version", "new", dir)

	writeNameSnapshots(t, dir)
	mustRun(t, "wrote version_2025_06_01.go: 1 route to translate; add `changes20250601` to app.Versions and write the functions; go test fails until you do.",
		"version", "new", dir)
	src, err := os.ReadFile(filepath.Join(dir, "version_2025_06_01.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "DowngradeResponse: downgradeGetUsersID20250601,") {
		t.Errorf("change file:\n%s", src)
	}
	if _, err := os.Stat(filepath.Join(dir, "version_2025_06_01_test.go")); err != nil {
		t.Error(err)
	}
	mustFail(t, "version_2025_06_01.go exists already; not overwriting it", "version", "new", "--dir", dir, "--version", "2025-06-01", "--from", "2025-01-01")
	mustFail(t, "version new: version 2025-01-01 is the first", "version", "new", dir, "--version", "2025-01-01")
	out := mustRun(t, "new [dir]", "version", "new", "--help")
	if !strings.Contains(out, "--from") {
		t.Errorf("help:\n%s", out)
	}
	mustRun(t, "Write the change file", "version", "--help")
}
