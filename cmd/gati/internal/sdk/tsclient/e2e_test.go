package tsclient

import (
	"os"
	"os/exec"
	"testing"

	"gati.dev/gati/gatitest"
)

// TestTasksE2E runs testdata/e2e/tasks.e2e.ts: every route of the built
// examples/tasks, run as in production, through its generated client.
func TestTasksE2E(t *testing.T) {
	t.Parallel()
	dir := compiled(t, caseNamed("tasks"))
	const token = "e2e-token"
	cmd := exec.Command(exampleBinary(t, "tasks"))
	cmd.Env = append(os.Environ(), "TASKS_TOKEN="+token)
	p := gatitest.Start(t, cmd)
	runNode(t, dir, "tasks.e2e.js", "BASE_URL="+p.URL, "TOKEN="+token)
	p.Stop(t)
}

// TestVersionPinningE2E runs testdata/e2e/versioned.e2e.ts: the client
// generated for version 2025-01-01 of examples/versioned-api, against the
// built example's current code.
func TestVersionPinningE2E(t *testing.T) {
	t.Parallel()
	dir := compiled(t, caseNamed("versioned-api@2025-01-01"))
	p := gatitest.Start(t, exec.Command(exampleBinary(t, "versioned-api")))
	runNode(t, dir, "versioned.e2e.js", "BASE_URL="+p.URL)
	p.Stop(t)
}
