package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var tasksExample = filepath.Join("..", "..", "..", "..", "examples", "tasks")

func TestPlaygroundExport(t *testing.T) {
	t.Parallel()
	out, err := run(t.Context(), t, "playground", "export", "--dir", tasksExample, "--env", "test", "--format", "curl")
	if err != nil || strings.Count(out, "\ncurl ") != 4 || !strings.Contains(out, `"$GATI_PLAYGROUND_TEST_TOKEN"`) {
		t.Fatalf("curl export: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "playground_test.go")
	out, err = run(t.Context(), t, "playground", "export", "--dir", tasksExample, "--env", "test", "--collection", "tasks", "--format", "go", "-o", file)
	b, _ := os.ReadFile(file)
	if err != nil || out != "" || !strings.Contains(string(b), "func TestPlaygroundTasks(t *testing.T)") || !strings.Contains(string(b), "gatitest.Start(t, cmd)") {
		t.Fatalf("go export: %v %q\n%s", err, out, b)
	}
	// go with --go-client analyzes the app and calls its generated Go client.
	out, err = run(t.Context(), t, "playground", "export", "--dir", tasksExample, "--env", "test", "--format", "go", "--go-client", "example.com/tasks/client")
	if err != nil || !strings.Contains(out, `playgroundclient "example.com/tasks/client"`) || !strings.Contains(out, "c.Create(t.Context(), body)") ||
		!strings.Contains(out, "c.List(t.Context(), playgroundclient.ListParams{") || strings.Contains(out, "Sent with net/http") {
		t.Fatalf("go export with the client: %v\n%s", err, out)
	}
	out, err = run(t.Context(), t, "playground", "export", "--dir", tasksExample, "--env", "development", "--format", "js")
	if err != nil || !strings.Contains(out, `import { test } from "node:test";`) || !strings.Contains(out, "GATI_PLAYGROUND_DEVELOPMENT_TOKEN") {
		t.Fatalf("js export: %v\n%s", err, out)
	}
	// ts analyzes the app and calls its generated client.
	out, err = run(t.Context(), t, "playground", "export", "--dir", tasksExample, "--env", "development", "--format", "ts", "--ts-client", "./sdk/index.js")
	if err != nil || !strings.Contains(out, `import { ApiError, type ApiPromise, TasksClient } from "./sdk/index.js";`) ||
		!strings.Contains(out, `client(env("GATI_BASE_URL")).get("1", `) || strings.Contains(out, "Sent with fetch") {
		t.Fatalf("ts export: %v\n%s", err, out)
	}
	out, err = run(t.Context(), t, "playground", "export", "--dir", tasksExample, "--env", "development", "--format", "ts", "--ts-client", "none")
	if err != nil || strings.Contains(out, "TasksClient") || strings.Count(out, "// Sent with fetch: no API was given") != 4 {
		t.Fatalf("ts export without the client: %v\n%s", err, out)
	}
}

func TestPlaygroundExportErrors(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	if err := os.MkdirAll(filepath.Join(broken, ".gati", "playground", "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, ".gati", "playground", "c", "r.yaml"), []byte("method: GET\nurl: /\nbdoy: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--dir", tasksExample}, "playground export: choose an environment with --env: development, test"},
		{[]string{"--dir", tasksExample, "--env", "prod"}, "playground export: --env prod: no such environment (.gati/playground/environments/prod.yaml); the environments are development, test"},
		{[]string{"--dir", tasksExample, "--env", "test", "--collection", "users"}, "playground export: --collection users: no such collection in " + filepath.Join(tasksExample, ".gati", "playground") + "; the collections are tasks"},
		{[]string{"--dir", tasksExample, "--format", "postman"}, "playground export: --format postman is not a format: use one of curl, go, js, ts"},
		{[]string{"--dir", t.TempDir()}, "playground export: no saved requests in"},
		{[]string{"--dir", tasksExample, "--env", "test", "--format", "ts", "--go-client", "example.com/c"}, "playground export: --go-client is for --format go"},
		{[]string{"--dir", tasksExample, "--env", "test", "--format", "go", "--go-client", "example.com/a b"}, "playground export: --go-client: malformed import path"},
		{[]string{"--dir", broken}, "playground export: fix these files first:\n  .gati/playground/c/r.yaml:3: unknown key \"bdoy\" in a request"},
	}
	for _, tt := range tests {
		_, err := run(t.Context(), t, append([]string{"playground", "export"}, tt.args...)...)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%v: %v\nwant %s", tt.args, err, tt.want)
		}
	}
}
