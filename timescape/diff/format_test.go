package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gati.dev/gati/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleReport has breaking, minor and patch changes on two routes.
func sampleReport() Report {
	before := obj(map[string]*schema.Schema{"id": integer(), "name!": str(), "role": enum("admin", "member")})
	after := obj(map[string]*schema.Schema{"id": integer(), "first_name!": str(), "last_name!": str(),
		"role": with(enum("admin", "member", "owner|x"), func(s *schema.Schema) { s.Description = "What the user may do." })})
	from := snap("2025-01-01", "1.4.2",
		body(before, user("User", before)),
		route("GET", "/users", nil, nil, query("limit", false, &schema.Schema{Type: typ("integer"), Maximum: ptr(100.0)})),
		route("DELETE", "/users/{id}", nil, nil))
	to := snap("2025-06-01", "1.5.0",
		body(after, user("User", after)),
		route("GET", "/users", nil, nil, query("limit", false, &schema.Schema{Type: typ("integer"), Maximum: ptr(200.0)}), query("cursor", false, str())))
	return Compare(from, to)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestFormat(t *testing.T) {
	empty := Compare(snap("2025-01-01", "1.4.2"), snap("2025-06-01", "1.4.2"))
	for _, tc := range []struct {
		report Report
		format string
		file   string
	}{
		{sampleReport(), "text", "report.txt"},
		{sampleReport(), "json", "report.json"},
		{sampleReport(), "markdown", "report.md"},
		{empty, "text", "empty.txt"},
		{empty, "json", "empty.json"},
		{empty, "markdown", "empty.md"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.report.Format(&buf, tc.format); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, buf.Bytes())
		})
	}
}

func TestFormatJSONRoundTrip(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := r.Format(&buf, "json"); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Severity != Breaking || back.Next != "2.0.0" || len(back.Changes) != len(r.Changes) || back.Changes[0] != r.Changes[0] {
		t.Errorf("round trip: %+v", back)
	}
}

func TestFormatMarkdownTable(t *testing.T) {
	var buf bytes.Buffer
	r := sampleReport()
	r.Format(&buf, "markdown")
	rows := 0
	for _, line := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		rows++
		// Five cells: unescaped pipes only as separators.
		if n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1)); n != 6 {
			t.Errorf("row has %d separators: %s", n, line)
		}
	}
	if rows != len(r.Changes)+2 {
		t.Errorf("%d table rows for %d changes:\n%s", rows, len(r.Changes), buf.String())
	}
}

func TestFormatUnknown(t *testing.T) {
	if err := sampleReport().Format(&bytes.Buffer{}, "yaml"); err == nil || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("err = %v", err)
	}
}

// TestDocListsRules checks that the table in doc.go has every rule with
// its severity, and nothing else.
func TestDocListsRules(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	letters := map[string]Severity{"B": Breaking, "m": Minor, "p": Patch}
	documented := map[string]Severity{}
	row := regexp.MustCompile(`^//\t\| ([a-z-]+) *\| ([Bmp]) +\|`)
	for _, line := range strings.Split(string(src), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			documented[m[1]] = letters[m[2]]
		}
	}
	for _, r := range Rules() {
		sev, ok := documented[r.ID]
		switch {
		case !ok:
			t.Errorf("rule %s is not in the table in doc.go", r.ID)
		case sev != r.Severity:
			t.Errorf("rule %s is %s in doc.go, %s in the code", r.ID, sev, r.Severity)
		}
		delete(documented, r.ID)
	}
	for id := range documented {
		t.Errorf("doc.go lists %s, which is not a rule", id)
	}
}
