package browser

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gati.dev/gati/cmd/gati/internal/playground/collection"
	"gati.dev/gati/cmd/gati/internal/playground/export"
	"gati.dev/gati/cmd/gati/internal/playground/filesapi"
)

// startWithFiles runs the tasks example as gati dev does: the playground's
// file API over a copy of the example's .gati/playground/ (with the
// development environment's token in its secrets file, and a request file
// that does not load), in front of the app. It returns the URL and the
// copy's app directory.
func startWithFiles(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, collection.Dir), os.DirFS(filepath.Join(examples, "tasks", collection.Dir))); err != nil {
		t.Fatal(err)
	}
	if err := collection.SaveSecrets(dir, "development", map[string]string{"token": "dev-token"}); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, collection.Dir, "tasks", "05-broken.yaml")
	if err := os.WriteFile(broken, []byte("name: Broken\nmethod: get\nurl: '{{baseUrl}}/tasks'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app, err := url.Parse(startExample(t, "tasks"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(filesapi.Prefix, &filesapi.Handler{Dir: dir, Export: export.Named})
	mux.Handle("/", httputil.NewSingleHostReverseProxy(app))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, dir
}

// TestSavedRequestsHistoryAndExport opens a saved request of the tasks
// example, sends it and sees its expectations pass, saves a copy, is
// refused overwriting another request's file, exports it to curl and to
// a Go test, and opens it again from the history, which kept no secret.
// The file that does not load is listed with its line; the others load.
func TestSavedRequestsHistoryAndExport(t *testing.T) {
	t.Parallel()
	url, dir := startWithFiles(t)
	shots := screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready,
		chromedp.Click(chromedp.CSS(`#tabs [data-tab="saved"]`)), chromedp.WaitVisible(chromedp.CSS("#file-errors")),
		screenshot(shots, "saved-1-collections"))
	if msg := value(t, ctx, chromedp.Text(chromedp.CSS("#file-errors"))); !strings.Contains(msg, "tasks/05-broken.yaml:2") || !strings.Contains(msg, "upper case") {
		t.Errorf("the broken file is listed as %q, want its file and line", msg)
	}
	if n := value(t, ctx, count(".saved li")); n != 4 {
		t.Errorf("the Saved tab lists %d requests, want the example's 4", n)
	}

	// Open 01-create-task.yaml and send it: its expect block passes.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.saved li[data-slug="01-create-task"] .open`)),
		chromedp.WaitVisible(chromedp.CSS(`#loaded[data-origin="saved"]`)),
		chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#status")),
		chromedp.WaitVisible(chromedp.CSS(`#script-results li[data-passed]`)),
		chromedp.ScrollIntoView(chromedp.CSS("#script-results")), screenshot(shots, "saved-2-sent-with-expectations"))
	status := value(t, ctx, chromedp.Text(chromedp.CSS("#status")))
	passed, failed := value(t, ctx, count(`#script-results li[data-passed="true"]`)), value(t, ctx, count(`#script-results li[data-passed="false"]`))
	if !strings.HasPrefix(status, "201") || passed != 6 || failed != 0 { // status, four JSON values, Content-Type
		t.Errorf("01-create-task: %q, %d expectations passed, %d failed", status, passed, failed)
	}

	// Save it under another name: a new file, with {{token}} kept a reference.
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#save-name"), "Create a second task"), chromedp.Click(chromedp.CSS("#save")),
		chromedp.WaitVisible(chromedp.CSS(`#save-status[data-state="saved"]`)), screenshot(shots, "saved-3-saved"))
	saved := filepath.Join(dir, collection.Dir, "tasks", "create-a-second-task.yaml")
	body, err := os.ReadFile(saved)
	if err != nil {
		t.Fatalf("the saved file: %v", err)
	}
	if s := string(body); !strings.Contains(s, "name: Create a second task") || !strings.Contains(s, "Bearer {{token}}") ||
		strings.Contains(s, "dev-token") || !strings.Contains(s, "status: 201") {
		t.Errorf("the saved file holds:\n%s", s)
	}
	if n := value(t, ctx, count(".saved li")); n != 5 {
		t.Errorf("after saving, the Saved tab lists %d requests, want 5", n)
	}

	// Another request saved under the same name would take that file: refused.
	do(t, ctx, chromedp.Click(chromedp.CSS(`.saved li[data-slug="03-get-task"] .open`)),
		chromedp.WaitVisible(chromedp.CSS(`#loaded[data-origin="saved"]`)),
		chromedp.SetValue(chromedp.CSS("#save-name"), "Create a second task"), chromedp.Click(chromedp.CSS("#save")),
		chromedp.WaitVisible(chromedp.CSS(`#save-status[data-state="error"]`)))
	if msg := value(t, ctx, chromedp.Text(chromedp.CSS("#save-status"))); !strings.Contains(msg, "create-a-second-task.yaml holds") {
		t.Errorf("saving over another request's file: %q", msg)
	}
	if after, _ := os.ReadFile(saved); string(after) != string(body) {
		t.Errorf("the refused save changed the file:\n%s", after)
	}

	// Export the collection to curl, then to a Go test.
	do(t, ctx, chromedp.Click(chromedp.CSS(`[data-export="tasks"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#export-output[data-state="done"]`)), screenshot(shots, "saved-4-export-curl"))
	curl := value(t, ctx, chromedp.Text(chromedp.CSS("#export-output")))
	if strings.Count(curl, "curl ") != 5 || !strings.Contains(curl, "/tasks") {
		t.Errorf("the curl export of 5 requests:\n%s", curl)
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#export-format"), "go"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#export-format").dispatchEvent(new Event("change"))`),
		chromedp.WaitVisible(chromedp.CSS(`#export-output[data-state="done"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#export-output").textContent.includes("gatitest")`))
	if goTest := value(t, ctx, chromedp.Text(chromedp.CSS("#export-output"))); !strings.Contains(goTest, "func Test") {
		t.Errorf("the Go export:\n%s", goTest)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#export-close")), chromedp.WaitNotVisible(chromedp.CSS("#export-dialog")))

	// The history: the request sent, openable, with no secret kept.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#tabs [data-tab="history"]`)), chromedp.WaitVisible(chromedp.CSS("#history li")),
		screenshot(shots, "saved-5-history"))
	if n := value(t, ctx, count("#history li")); n != 1 {
		t.Errorf("the history lists %d requests, want the one sent", n)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`#history li[data-index="0"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#loaded[data-origin="history"]`)))
	if h := value(t, ctx, chromedp.Value(chromedp.CSS("#headers"))); !strings.Contains(h, "Bearer {{token}}") {
		t.Errorf("the history restored the headers %q", h)
	}
	if stored := value(t, ctx, chromedp.Evaluate[string](`localStorage.getItem("gati.playground.history")`)); strings.Contains(stored, "dev-token") || !strings.Contains(stored, "Write docs") {
		t.Errorf("the history stored %s", stored)
	}
}

// TestEnvironmentEditor edits the development environment in the UI: a
// new variable goes to the committed file, a new secret's value only to
// the git-ignored one, and a variable holding a secret's value is
// refused with the file left as it was.
func TestEnvironmentEditor(t *testing.T) {
	t.Parallel()
	url, dir := startWithFiles(t)
	shots := screenshots(t)
	ctx := browser(t)
	row := func(n int, field string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf("#env-vars tbody tr:nth-child(%d) .env-var-%s", n, field))
	}
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready, chromedp.Click(chromedp.CSS("#env-edit")),
		chromedp.WaitVisible(chromedp.CSS("#env-dialog .env-row")))
	if n := value(t, ctx, count("#env-vars .env-row")); n != 2 { // baseUrl, and the secret token
		t.Fatalf("the editor shows %d variables, want 2", n)
	}
	if typ := value(t, ctx, chromedp.Evaluate[string](`document.querySelector("#env-vars tbody tr:nth-child(2) .env-var-value").type + " " + document.querySelector("#env-vars tbody tr:nth-child(2) .env-var-value").value`)); typ != "password dev-token" {
		t.Errorf("the secret token is shown as %q, want a password field holding its value", typ)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#env-add")), chromedp.SetValue(row(3, "name"), "greeting"), chromedp.SetValue(row(3, "value"), "hello"),
		chromedp.Click(chromedp.CSS("#env-add")), chromedp.SetValue(row(4, "name"), "apiKey"), chromedp.SetValue(row(4, "value"), "s3cr3t"),
		chromedp.Click(row(4, "secret")), chromedp.Click(chromedp.CSS("#env-save")),
		chromedp.WaitVisible(chromedp.CSS(`#env-status[data-state="saved"]`)), screenshot(shots, "env-1-saved"))
	envFile := filepath.Join(dir, collection.Dir, collection.EnvironmentsDir, "development.yaml")
	committed, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	secretsFile, err := os.ReadFile(filepath.Join(dir, collection.SecretsFile("development")))
	if err != nil {
		t.Fatal(err)
	}
	if c := string(committed); !strings.Contains(c, "greeting: hello") || !strings.Contains(c, "- apiKey") || strings.Contains(c, "s3cr3t") || strings.Contains(c, "dev-token") {
		t.Errorf("the committed file holds:\n%s", c)
	}
	if s := string(secretsFile); !strings.Contains(s, "s3cr3t") || !strings.Contains(s, "dev-token") {
		t.Errorf("the secrets file holds:\n%s", s)
	}

	do(t, ctx, chromedp.Click(chromedp.CSS("#env-add")), chromedp.SetValue(row(5, "name"), "leak"), chromedp.SetValue(row(5, "value"), "s3cr3t"),
		chromedp.Click(chromedp.CSS("#env-save")), chromedp.WaitVisible(chromedp.CSS(`#env-status[data-state="error"]`)), screenshot(shots, "env-2-refused"))
	if msg := value(t, ctx, chromedp.Text(chromedp.CSS("#env-status"))); !strings.Contains(msg, "leak") {
		t.Errorf("a variable holding a secret's value: %q", msg)
	}
	if after, _ := os.ReadFile(envFile); string(after) != string(committed) {
		t.Errorf("the refused save changed the file:\n%s", after)
	}
}
