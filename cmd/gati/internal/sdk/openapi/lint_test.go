package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// redocly is the Redocly CLI that ../node/package-lock.json pins.
var redocly = filepath.Join("..", "node", "node_modules", ".bin", "redocly")

// TestRedoclyLint runs an independent validator over every document in
// testdata (which TestGolden holds equal to what Document writes), with
// the rules of testdata/redocly.yaml: any error fails the test, warnings
// are logged. A missing validator fails it too: the acceptance of the
// documents must not depend on whether Node tools happen to be there.
func TestRedoclyLint(t *testing.T) {
	// Not parallel: with -update, TestGolden rewrites the files it reads.
	if _, err := os.Stat(redocly); err != nil {
		t.Fatalf("the OpenAPI validator is not installed (%v): run `npm ci --prefix cmd/gati/internal/sdk/node` "+
			"from the repository root, or ./scripts/test, which does", err)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) < len(goldens) {
		t.Fatalf("testdata holds %d documents, want %d (%v)", len(files), len(goldens), err)
	}
	reports, stderr, runErr := runRedocly(t, files)
	if len(reports) != len(files) {
		t.Fatalf("redocly reported on %d of %d documents: %v\n%s", len(reports), len(files), runErr, stderr)
	}
	var errorCount, warnings int
	for _, r := range reports {
		for _, p := range r.Problems {
			msg := p.String()
			switch p.Severity {
			case "error":
				errorCount++
				t.Error(msg)
			default:
				warnings++
				t.Log(p.Severity + ": " + msg)
			}
		}
	}
	t.Logf("redocly: %d documents, %d errors, %d warnings", len(files), errorCount, warnings)
	if runErr != nil && errorCount == 0 {
		t.Fatalf("redocly failed without reporting an error: %v\n%s", runErr, stderr)
	}
}

// runRedocly lints files in one run and returns its reports, one per
// file, what it wrote to stderr, and how it exited.
func runRedocly(t *testing.T, files []string) ([]lintReport, string, error) {
	args := append([]string{"lint", "--config", filepath.Join("testdata", "redocly.yaml"), "--format=json"}, files...)
	cmd := exec.CommandContext(t.Context(), redocly, args...)
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var reports []lintReport
	dec := json.NewDecoder(&stdout)
	for {
		var r lintReport
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading redocly's report: %v (exit: %v)\n%s", err, runErr, stderr.String())
		}
		reports = append(reports, r)
	}
	return reports, stderr.String(), runErr
}

// lintReport is what `redocly lint --format=json` writes for a document.
type lintReport struct {
	Totals struct {
		Errors, Warnings int
	}
	Problems []lintProblem
}

type lintProblem struct {
	RuleID   string `json:"ruleId"`
	Severity string
	Message  string
	Location []struct {
		Source struct {
			Ref string
		}
		Pointer string
	}
}

func (p lintProblem) String() string {
	where := "?"
	if len(p.Location) > 0 {
		where = p.Location[0].Source.Ref + " " + p.Location[0].Pointer
	}
	return fmt.Sprintf("%s: %s (%s)", where, p.Message, p.RuleID)
}
