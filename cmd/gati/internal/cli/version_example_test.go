package cli

import (
	"strings"
	"testing"
)

// TestVersionDiffOfTheExample is the versioning acceptance on the
// committed snapshots of examples/versioned-api: splitting name into
// first_name and last_name is breaking, and CI can fail on it.
func TestVersionDiffOfTheExample(t *testing.T) {
	t.Parallel()
	out, err := run(t.Context(), t, "version", "diff", "2025-01-01", "2025-06-01", "--fail-on", "breaking",
		"--dir", "../../../../examples/versioned-api")
	if err == nil || !strings.Contains(err.Error(), "breaking") {
		t.Fatalf("err = %v, want a failure on breaking changes\n%s", err, out)
	}
	for _, want := range []string{"response-field-removed", "/response/properties/name", "request-field-removed",
		"/request/properties/name", "request-required-field-added", "first_name", "2.0.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if _, err := run(t.Context(), t, "version", "diff", "2025-01-01", "2025-06-01", "--dir", "../../../../examples/versioned-api"); err != nil {
		t.Errorf("without --fail-on the diff must succeed: %v", err)
	}
}
