package timescape_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
)

func ptr[T any](v T) *T { return &v }

func sampleSnapshot(id, semver string) *timescape.Snapshot {
	day, _ := time.Parse(time.DateOnly, id[:10])
	return &timescape.Snapshot{
		ID: id, Date: day.Add(9 * time.Hour), Semver: semver, Commit: "abc123", Changelog: "Users <b>& teams</b>.",
		Deprecated: ptr(day.Add(24 * time.Hour)),
		Routes: []timescape.RouteSchema{
			{
				Method: "POST", Path: "/users", Status: 201, ContentType: "application/json",
				Request: &schema.Schema{
					Type:       schema.Types{"object"},
					Properties: map[string]*schema.Schema{"name": {Type: schema.Types{"string"}, MaxLength: ptr(200)}},
					Required:   []string{"name"},
				},
				Response: &schema.Schema{Ref: "#/$defs/User", Defs: map[string]*schema.Schema{
					"User": {Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{
						"id":   {Type: schema.Types{"integer"}, Enum: []any{int64(1), 9007199254740993}},
						"name": {Type: schema.Types{"string", "null"}, Examples: []any{"Ada <Lovelace>"}},
					}},
				}},
			},
			{
				Method: "GET", Path: "/users/{id}", Status: 200, ContentType: "application/json",
				Params:   []schema.Param{{In: "path", Name: "id", Required: true, Schema: &schema.Schema{Type: schema.Types{"integer"}}}},
				Response: &schema.Schema{Type: schema.Types{"object"}},
			},
			{Method: "DELETE", Path: "/users/{id}", Status: 204},
		},
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".gati", "versions")
	s := sampleSnapshot("2025-06-01", "1.2.0")
	path, err := timescape.WriteSnapshot(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "2025-06-01.json"); path != want {
		t.Errorf("path = %q, want %q", path, want)
	}
	if s.FormatVersion != 1 || !strings.HasPrefix(s.Hash, "sha256:") || s.Hash != s.ComputeHash() {
		t.Errorf("FormatVersion %d, Hash %q not filled in", s.FormatVersion, s.Hash)
	}
	if got := []string{s.Routes[0].Key(), s.Routes[1].Key(), s.Routes[2].Key()}; !reflect.DeepEqual(got, []string{"POST /users", "DELETE /users/{id}", "GET /users/{id}"}) {
		t.Errorf("routes not sorted by path then method: %v", got)
	}
	got, err := timescape.ReadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != s.Hash || got.ComputeHash() != s.Hash {
		t.Errorf("hash after reading: %s, recomputed %s, want %s", got.Hash, got.ComputeHash(), s.Hash)
	}
	if !got.Date.Equal(s.Date) || got.ID != s.ID || got.Semver != s.Semver || got.Commit != s.Commit ||
		got.Changelog != s.Changelog || !got.Deprecated.Equal(*s.Deprecated) || got.Sunset != nil {
		t.Errorf("metadata differs: %+v", got)
	}
	for i := range s.Routes {
		a, b := s.Routes[i], got.Routes[i]
		if a.Key() != b.Key() || a.Status != b.Status || a.ContentType != b.ContentType || len(a.Params) != len(b.Params) ||
			!schema.Equal(a.Request, b.Request) || !schema.Equal(a.Response, b.Response) {
			t.Errorf("route %d differs:\n%+v\n%+v", i, a, b)
		}
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "<b>& teams</b>") || !strings.Contains(string(data), "9007199254740993") || !strings.HasSuffix(string(data), "}\n") {
		t.Errorf("file is not unescaped, exact, newline-terminated JSON:\n%s", data)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m["format_version"] != 1.0 {
		t.Errorf("format_version not written: %v %v", m["format_version"], err)
	}
	// Writing the same snapshot again is a no-op.
	if _, err := timescape.WriteSnapshot(dir, sampleSnapshot("2025-06-01", "1.2.0")); err != nil {
		t.Errorf("rewriting identical content: %v", err)
	}
	if v := got.Version(); v.ID != s.ID || v.Semver != "1.2.0" || v.Status != timescape.StatusDeprecated {
		t.Errorf("Version() = %+v", v)
	}
}

func TestWriteSnapshotRefusesToClobber(t *testing.T) {
	dir := t.TempDir()
	if _, err := timescape.WriteSnapshot(dir, sampleSnapshot("2025-06-01", "1.2.0")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "2025-06-01.json"))
	changed := sampleSnapshot("2025-06-01", "1.2.0")
	changed.Routes = changed.Routes[:1]
	_, err := timescape.WriteSnapshot(dir, changed)
	if !errors.Is(err, timescape.ErrSnapshotExists) || !strings.Contains(err.Error(), "2025-06-01.json") {
		t.Fatalf("err = %v, want ErrSnapshotExists naming the file", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "2025-06-01.json"))
	if string(before) != string(after) {
		t.Error("the existing snapshot was modified")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteSnapshotInvalid(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(*timescape.Snapshot)
		want string
	}{
		"bad id":        {func(s *timescape.Snapshot) { s.ID = "../etc" }, "is not a version ID"},
		"bad semver":    {func(s *timescape.Snapshot) { s.Semver = "v1" }, `semver "v1"`},
		"wrong day":     {func(s *timescape.Snapshot) { s.Date = s.Date.AddDate(0, 0, 1) }, "not on the day"},
		"stale hash":    {func(s *timescape.Snapshot) { s.Hash = "sha256:00" }, "does not match the routes"},
		"dup route":     {func(s *timescape.Snapshot) { s.Routes = append(s.Routes, s.Routes[0]) }, "appears twice"},
		"future format": {func(s *timescape.Snapshot) { s.FormatVersion = 2 }, "unknown format_version 2"},
	} {
		t.Run(name, func(t *testing.T) {
			s := sampleSnapshot("2025-06-01", "1.2.0")
			tc.edit(s)
			_, err := timescape.WriteSnapshot(t.TempDir(), s)
			if !errors.Is(err, timescape.ErrInvalidSnapshot) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReadSnapshotCorrupt(t *testing.T) {
	dir := t.TempDir()
	path, err := timescape.WriteSnapshot(dir, sampleSnapshot("2025-06-01", "1.2.0"))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	for name, tc := range map[string]struct {
		content string
		want    string
	}{
		"syntax":         {strings.Replace(string(good), `"semver": "1.2.0",`, `"semver": "1.2.0"`, 1), "invalid JSON at line 6, column 3"},
		"truncated":      {string(good[:len(good)/2]), "invalid JSON at line"},
		"empty":          {"", "the file is empty"},
		"not an object":  {"[1]", "not a JSON object"},
		"hash mismatch":  {strings.Replace(string(good), `"maxLength": 200`, `"maxLength": 100`, 1), "content changed since the snapshot was taken"},
		"format version": {strings.Replace(string(good), `"format_version": 1`, `"format_version": 7`, 1), "unknown format_version 7"},
		"no format":      {strings.Replace(string(good), `"format_version": 1,`, ``, 1), "format_version is missing"},
		"bad format":     {strings.Replace(string(good), `"format_version": 1`, `"format_version": "1"`, 1), `format_version "1" is not an integer`},
		"unknown field":  {strings.Replace(string(good), `"semver":`, `"color": "red", "semver":`, 1), `unknown field "color"`},
		"wrong type":     {strings.Replace(string(good), `"status": 201`, `"status": "201"`, 1), "routes.status is string, want int"},
		"no hash":        {dropLine(string(good), `"hash":`), "hash is missing"},
		"bad id":         {strings.Replace(string(good), `"id": "2025-06-01"`, `"id": "June"`, 1), `id "June" is not a version ID`},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.content == string(good) {
				t.Fatal("the edit did not apply")
			}
			bad := filepath.Join(t.TempDir(), "2025-06-01.json")
			os.WriteFile(bad, []byte(tc.content), 0o644)
			s, err := timescape.ReadSnapshot(bad)
			if s != nil || !errors.Is(err, timescape.ErrInvalidSnapshot) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadSnapshot = %v, %v; want an error naming %s and saying %q", s, err, bad, tc.want)
			}
		})
	}
}

func TestReadSnapshots(t *testing.T) {
	dir := t.TempDir()
	if got, err := timescape.ReadSnapshots(filepath.Join(dir, "missing")); got != nil || err != nil {
		t.Errorf("missing dir: %v, %v", got, err)
	}
	for _, s := range []*timescape.Snapshot{
		sampleSnapshot("2025-06-01.10", "2.1.0"),
		sampleSnapshot("2025-06-01", "2.0.0"),
		sampleSnapshot("2024-01-15", "1.0.0"),
		sampleSnapshot("2025-06-01.2", "2.0.1"),
	} {
		if _, err := timescape.WriteSnapshot(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("not a snapshot"), 0o644)
	os.WriteFile(filepath.Join(dir, ".2025-07-01.json.tmp123"), []byte("partial"), 0o644)
	got, err := timescape.ReadSnapshots(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if want := []string{"2024-01-15", "2025-06-01", "2025-06-01.2", "2025-06-01.10"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("order = %v, want %v", ids, want)
	}

	data, _ := os.ReadFile(filepath.Join(dir, "2024-01-15.json"))
	os.WriteFile(filepath.Join(dir, "2024-02-01.json"), data, 0o644)
	if _, err := timescape.ReadSnapshots(dir); err == nil || !strings.Contains(err.Error(), "2024-02-01.json") || !strings.Contains(err.Error(), "must be named 2024-01-15.json") {
		t.Errorf("misnamed file: err = %v", err)
	}
	os.WriteFile(filepath.Join(dir, "2024-02-01.json"), data[:10], 0o644)
	if _, err := timescape.ReadSnapshots(dir); err == nil || !strings.Contains(err.Error(), "2024-02-01.json") {
		t.Errorf("corrupt file: err = %v, want it named", err)
	}
}

// dropLine removes the line containing substr.
func dropLine(s, substr string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestReadSnapshotsSkipsLifecycle: lifecycle.json sits beside the
// snapshots and is not one of them.
func TestReadSnapshotsSkipsLifecycle(t *testing.T) {
	dir := t.TempDir()
	if _, err := timescape.WriteSnapshot(dir, sampleSnapshot("2025-01-01", "1.0.0")); err != nil {
		t.Fatal(err)
	}
	if err := timescape.WriteLifecycle(dir, &timescape.Lifecycle{}); err != nil {
		t.Fatal(err)
	}
	snaps, err := timescape.ReadSnapshots(dir)
	if err != nil || len(snaps) != 1 || snaps[0].ID != "2025-01-01" {
		t.Fatalf("ReadSnapshots = %v, %v", snaps, err)
	}
}
