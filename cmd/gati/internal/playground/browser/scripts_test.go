package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestScriptsSetTokenAndTestResponse: a pre-request script sets the token
// a header refers to as {{token}}, the tasks example accepts it, and the
// post-response script's tests pass (and a failing one is shown failing).
func TestScriptsSetTokenAndTestResponse(t *testing.T) {
	t.Parallel()
	url, shots := startExample(t, "tasks"), screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready, selectRoute("POST", "/tasks"),
		chromedp.SetValue(chromedp.CSS("#headers"), "Authorization: Bearer {{token}}"),
		chromedp.SetValue(chromedp.CSS("#body"), `{"title":"from a script"}`),
		chromedp.SetValue(chromedp.CSS("#pre-script"), `gati.variables.set("token", "dev-" + "token");`),
		chromedp.SetValue(chromedp.CSS("#post-script"), `test("created", () => expect(gati.response.status).toBe(201));
test("title kept", () => expect(gati.response.json().title).toBe("from a script"));
test("deliberately wrong", () => expect(gati.response.status).toBe(200));
gati.variables.set("taskId", String(gati.response.json().id));`),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS(`#script-results li[data-passed="false"]`)),
		chromedp.ScrollIntoView(chromedp.CSS("#script-results")), screenshot(shots, "scripts-1-token-and-tests"))
	status := value(t, ctx, chromedp.Text(chromedp.CSS("#status")))
	passed := value(t, ctx, count(`#script-results li[data-passed="true"]`))
	failed := value(t, ctx, chromedp.Text(chromedp.CSS(`#script-results li[data-passed="false"]`)))
	if !strings.HasPrefix(status, "201") || passed != 2 || !strings.Contains(failed, "deliberately wrong") {
		t.Errorf("status %q, %d tests passed, failed: %q", status, passed, failed)
	}

	// A syntax error names its line, and the request is not sent.
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#pre-script"), "const a = 1;\nconst = 2;"),
		chromedp.SetValue(chromedp.CSS("#post-script"), " "), // chromedp cannot set ""
		chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#not-sent")),
		chromedp.ScrollIntoView(chromedp.CSS("#script-results")), screenshot(shots, "scripts-2-syntax-error"))
	msg := value(t, ctx, chromedp.Text(chromedp.CSS("#script-results .script-error")))
	if !strings.Contains(msg, "line 2") {
		t.Errorf("the syntax error shows %q, want its line 2", msg)
	}
}
