package timescape_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gati.dev/gati/timescape"
)

func writeTestSnapshot(t *testing.T, dir, id, semver string, routes ...timescape.RouteSchema) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, id[:10])
	if err != nil {
		t.Fatal(err)
	}
	s := &timescape.Snapshot{ID: id, Date: d, Semver: semver, Routes: routes}
	if _, err := timescape.WriteSnapshot(dir, s); err != nil {
		t.Fatal(err)
	}
}

func day(t *testing.T, s string) *time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

func TestLoadSet(t *testing.T) {
	dir := t.TempDir()
	get := timescape.RouteSchema{Method: "GET", Path: "/users", Status: 200}
	writeTestSnapshot(t, dir, "2025-01-01", "1.0.0", get)
	writeTestSnapshot(t, dir, "2025-06-01", "2.0.0")
	writeTestSnapshot(t, dir, "2025-06-01.2", "2.1.0", get)
	l := &timescape.Lifecycle{
		Versions: map[string]*timescape.VersionLifecycle{
			"2025-01-01": {Deprecated: day(t, "2025-06-01"), Sunset: day(t, "2999-01-01"), Tags: []string{"old"}},
			"2025-06-01": {Tags: []string{"stable"}},
		},
		Default: "2025-06-01",
		History: []timescape.Event{{At: *day(t, "2025-06-02"), Event: timescape.EventRollback, Head: "2025-06-01.2", Version: "2025-06-01", Default: "2025-06-01"}},
	}
	if err := timescape.WriteLifecycle(dir, l); err != nil {
		t.Fatal(err)
	}
	set, snaps, err := timescape.LoadSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 3 || set.Len() != 3 {
		t.Fatalf("got %d snapshots, %d versions; want 3", len(snaps), set.Len())
	}
	// The default is 2025-06-01 exactly, not 2025-06-01.2 of the same day.
	if got := set.Default().ID; got != "2025-06-01" {
		t.Errorf("Default = %s, want 2025-06-01", got)
	}
	if got := set.Head().ID; got != "2025-06-01.2" {
		t.Errorf("Head = %s", got)
	}
	v, err := set.Resolve("old")
	if err != nil || v.ID != "2025-01-01" || v.Status != timescape.StatusDeprecated || v.Sunset.Year() != 2999 {
		t.Errorf("Resolve(old) = %+v, %v; want the deprecated 2025-01-01", v, err)
	}
	if v, err := set.Resolve("stable"); err != nil || v.ID != "2025-06-01" || v.Status != timescape.StatusActive {
		t.Errorf("Resolve(stable) = %+v, %v", v, err)
	}

	// The FS variant reads the same, e.g. from an embedded directory.
	fsys := fstest.MapFS{}
	for _, name := range []string{"2025-01-01.json", "2025-06-01.json", "2025-06-01.2.json", "lifecycle.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fsys[".gati/versions/"+name] = &fstest.MapFile{Data: data}
	}
	set2, _, err := timescape.LoadSetFS(fsys, ".gati/versions")
	if err != nil || set2.Default().ID != "2025-06-01" {
		t.Fatalf("LoadSetFS: %v", err)
	}

	// A round trip keeps the file.
	l2, err := timescape.ReadLifecycle(dir)
	if err != nil || l2.Default != "2025-06-01" || len(l2.History) != 1 || l2.Versions["2025-06-01"].Tags[0] != "stable" {
		t.Fatalf("ReadLifecycle = %+v, %v", l2, err)
	}
}

func TestLoadSetSunset(t *testing.T) {
	dir := t.TempDir()
	writeTestSnapshot(t, dir, "2025-01-01", "1.0.0")
	writeTestSnapshot(t, dir, "2025-02-01", "2.0.0", timescape.RouteSchema{Method: "GET", Path: "/"})
	l := &timescape.Lifecycle{Versions: map[string]*timescape.VersionLifecycle{
		"2025-01-01": {Deprecated: day(t, "2025-01-15"), Sunset: day(t, "2025-03-01")},
	}}
	if err := timescape.WriteLifecycle(dir, l); err != nil {
		t.Fatal(err)
	}
	set, _, err := timescape.LoadSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := set.Resolve("2025-01-01"); v.Status != timescape.StatusSunset {
		t.Errorf("status = %v, want sunset", v.Status)
	}
}

func TestLoadSetErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := timescape.LoadSet(dir); !errors.Is(err, timescape.ErrNoVersions) {
		t.Errorf("empty dir: %v, want ErrNoVersions", err)
	}
	writeTestSnapshot(t, dir, "2025-01-01", "1.0.0")
	for name, content := range map[string]string{
		"lifecycle.json":  `{"versions": {"2025-01-01": {"deprecated": "yesterday"}}}`,
		"2025-02-01.json": `{"format_version": 1, "id": "2025-02-01"`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := timescape.LoadSet(dir)
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v does not name the file", name, err)
		}
		os.Remove(p)
	}
	l := &timescape.Lifecycle{Default: "2025-03-01"}
	if err := timescape.WriteLifecycle(dir, l); err != nil {
		t.Fatal(err)
	}
	if _, _, err := timescape.LoadSet(dir); !errors.Is(err, timescape.ErrInvalidLifecycle) {
		t.Errorf("unknown default: %v", err)
	}
	if _, err := timescape.ReadLifecycle(t.TempDir()); err != nil {
		t.Errorf("missing lifecycle: %v", err)
	}
}
