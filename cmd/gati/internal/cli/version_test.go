package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gati.dev/gati/timescape"
)

const versionMain = `package main

import "gati.dev/gati"

func main() {
	app := gati.New()
	gatiRegister(app)
	app.Main()
}
`

// versionUsers returns the users file of the version fixture app, whose
// User has the given extra fields besides id.
func versionUsers(fields string) string {
	return `package main

import "gati.dev/gati"

// User is a user.
type User struct {
	ID string ` + "`json:\"id\"`" + `
` + fields + `
}

// GetIn selects a user.
type GetIn struct {
	ID string ` + "`path:\"id\"`" + `
}

// Get returns a user.
//
//gati:route GET /users/{id}
func Get(gctx *gati.Global, lctx *gati.Local, in GetIn) (User, error) {
	return User{ID: in.ID}, nil
}
`
}

const (
	emailField = "\tEmail string `json:\"email\"`"
	nameField  = "\tName string `json:\"name\"`"
)

// versionApp writes the version fixture app and returns its directory.
func versionApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mod, err := fixtureModFiles()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range mod {
		writeVersionFile(t, filepath.Join(dir, name), string(data))
	}
	writeVersionFile(t, filepath.Join(dir, "main.go"), versionMain)
	writeVersionFile(t, filepath.Join(dir, "users.go"), versionUsers(emailField))
	return dir
}

func writeVersionFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, want string, args ...string) string {
	t.Helper()
	out, err := run(t.Context(), t, args...)
	if err != nil {
		t.Fatalf("gati %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if !strings.Contains(out, want) {
		t.Fatalf("gati %s: output lacks %q:\n%s", strings.Join(args, " "), want, out)
	}
	return out
}

func mustFail(t *testing.T, want string, args ...string) string {
	t.Helper()
	out, err := run(t.Context(), t, args...)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("gati %s: error %v, want one containing %q\n%s", strings.Join(args, " "), err, want, out)
	}
	return out
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

func TestVersionCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("analyzes an app several times")
	}
	t.Parallel()
	dir := versionApp(t)
	vdir := filepath.Join(dir, ".gati", "versions")

	mustRun(t, "semver 1.0.0", "version", "snapshot", dir, "--date", "2025-01-01", "--tag", "stable")
	if _, err := timescape.ReadSnapshot(filepath.Join(vdir, "2025-01-01.json")); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "the API has not changed since 2025-01-01; nothing to snapshot", "version", "snapshot", dir, "--date", "2025-03-01")

	// Remove a response field: a breaking change.
	writeVersionFile(t, filepath.Join(dir, "users.go"), versionUsers(""))
	out := mustFail(t, "version diff: 1 breaking change (failing on breaking)", "version", "diff", "--dir", dir, "--fail-on", "breaking")
	if !strings.Contains(out, "response-field-removed") || !strings.Contains(out, "GET /users/{id}") {
		t.Errorf("diff output lacks the rule:\n%s", out)
	}
	out = mustRun(t, `"severity": "breaking"`, "version", "diff", "2025-01-01", "head", "--dir", dir, "--format", "json")
	var report struct{ Next string }
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &report); err != nil || report.Next != "2.0.0" {
		t.Errorf("json report: next %q, %v", report.Next, err)
	}
	mustFail(t, `--fail-on "sometimes"`, "version", "diff", "--dir", dir, "--fail-on", "sometimes")

	// The same day again: 2025-01-01.2, a major bump.
	mustRun(t, "version 2025-01-01.2, semver 2.0.0", "version", "snapshot", dir, "--date", "2025-01-01")
	// Add a field later: a minor bump.
	writeVersionFile(t, filepath.Join(dir, "users.go"), versionUsers(nameField))
	out = mustRun(t, "version 2025-06-01, semver 2.1.0", "version", "snapshot", dir, "--date", "2025-06-01")
	if !strings.Contains(out, "changelog: 1 minor: response field added on GET /users/{id}") {
		t.Errorf("snapshot output lacks the changelog:\n%s", out)
	}
	mustFail(t, "version diff: 1 breaking change (failing on minor)", "version", "diff", "2025-01-01", "2025-01-01.2", "--dir", dir, "--fail-on", "minor")
	mustRun(t, "no changes", "version", "diff", "2025-01-01.2", "2025-01-01.2", "--dir", dir, "--fail-on", "patch")

	out = mustRun(t, "ID", "version", "list", dir)
	for _, want := range []string{"2025-01-01 ", "1.0.0", "stable", "2025-01-01.2", "2.0.0", "2025-06-01 *", "2.1.0", "latest", "First version: 1 route."} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}

	out = mustRun(t, `"semver": "2.1.0"`, "version", "list", dir, "--json")
	var entries []struct {
		ID      string
		Tags    []string
		Default bool
	}
	if err := json.Unmarshal([]byte(out), &entries); err != nil || len(entries) != 3 || !entries[2].Default || entries[0].Tags[0] != "stable" {
		t.Errorf("list --json: %+v, %v\n%s", entries, err, out)
	}
	mustFail(t, `unknown version "2025-02-30" (known: 2025-01-01, 2025-01-01.2, 2025-06-01)`, "version", "diff", "2025-02-30", "--dir", dir)
	mustFail(t, "--format", "version", "diff", "--dir", dir, "--format", "yaml")

	// Deprecate, roll back, clear.
	mustFail(t, "unknown version \"2024-01-01\" (known: 2025-01-01, 2025-01-01.2, 2025-06-01)", "version", "deprecate", "2024-01-01", "--sunset", "2030-01-01", "--dir", dir)
	mustFail(t, "--sunset 2020-01-01 is in the past", "version", "deprecate", "2025-01-01", "--sunset", "2020-01-01", "--dir", dir)
	mustFail(t, `--sunset "soon"`, "version", "deprecate", "2025-01-01", "--sunset", "soon", "--dir", dir)
	mustRun(t, "version 2025-01-01 is deprecated; sunset 2030-01-01", "version", "deprecate", "2025-01-01", "--sunset", "2030-01-01", "--dir", dir)
	mustRun(t, "clients without a version header get 2025-01-01.2", "version", "rollback", "2025-01-01.2", "--dir", dir)
	out = mustRun(t, "deprecated (sunset 2030-01-01)", "version", "list", "--dir", dir)
	if !strings.Contains(out, "2025-01-01.2 *") {
		t.Errorf("list does not mark the rolled-back default:\n%s", out)
	}
	out = mustRun(t, "rollback", "version", "history", dir)
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		rows = append(rows, strings.Join(strings.Fields(line)[1:], " "))
	}
	want := "snapshot 2025-01-01 2025-01-01 2025-01-01|snapshot 2025-01-01.2 2025-01-01.2 2025-01-01.2|" +
		"snapshot 2025-06-01 2025-06-01 2025-06-01|deprecate 2025-01-01 2025-06-01 2025-06-01|rollback 2025-01-01.2 2025-06-01 2025-01-01.2"
	if got := strings.Join(rows, "|"); got != want {
		t.Errorf("history:\n got %s\nwant %s\n%s", got, want, out)
	}
	if !strings.HasPrefix(out, "AT ") || !strings.Contains(out, "2025-06-01T00:00:00Z  snapshot") {
		t.Errorf("history does not date snapshots by their versions:\n%s", out)
	}
	set, _, err := timescape.LoadSet(vdir)
	if err != nil {
		t.Fatal(err)
	}
	if set.Default().ID != "2025-01-01.2" || set.Versions()[0].Status != timescape.StatusDeprecated {
		t.Errorf("LoadSet: default %s, first %v", set.Default().ID, set.Versions()[0].Status)
	}
	if v, err := set.Resolve("stable"); err != nil || v.ID != "2025-01-01" {
		t.Errorf("stable = %v, %v", v, err)
	}
	mustRun(t, "get the newest version, 2025-06-01", "version", "rollback", "--clear", "--dir", dir)
	mustFail(t, "no rollback to clear", "version", "rollback", "--clear", "--dir", dir)

	// A corrupt snapshot: errors name the file, nothing is written.
	p := filepath.Join(vdir, "2025-01-01.2.json")
	data, _ := os.ReadFile(p)
	writeVersionFile(t, p, strings.Replace(string(data), `"/users/{id}"`, `"/people/{id}"`, 1))
	writeVersionFile(t, filepath.Join(dir, "users.go"), versionUsers(""))
	before := listDir(t, vdir)
	mustFail(t, p, "version", "snapshot", dir, "--date", "2025-07-01")
	mustFail(t, p, "version", "list", dir)
	mustFail(t, p, "version", "diff", "--dir", dir)
	if after := listDir(t, vdir); after != before {
		t.Errorf("files changed after a failure: %s, then %s", before, after)
	}
}
