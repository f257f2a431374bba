package browser

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// openWSTester opens the WebSocket tester of the selected GET route with the
// builder's own "WebSocket…" button, which mounts ws.js in the form's #ws
// section with the builder's path parameters, version and headers.
var openWSTester = []chromedp.Action[chromedp.Void]{
	chromedp.Click(chromedp.CSS("#open-ws")),
	chromedp.WaitVisible(chromedp.CSS("#builder #ws #ws-panel")),
}

func wsLog(sel string) string { return "#ws-log li" + sel }

// createTask adds a task over HTTP, as another client would.
func createTask(t *testing.T, url, title string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", url+"/tasks", strings.NewReader(fmt.Sprintf(`{"title":%q}`, title)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer dev-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /tasks: %d", resp.StatusCode)
	}
}

// TestWebSocketTesterOnTasksEvents opens the WebSocket tester from the
// builder of the tasks example's GET /tasks/events, connects through the
// relay with the builder's Authorization header, sees the event of
// a task created over HTTP arrive, refuses to send invalid JSON, closes
// with a code of its own, then sends a message the route does not accept
// and sees the route close with 1008.
func TestWebSocketTesterOnTasksEvents(t *testing.T) {
	t.Parallel()
	url, shots := startExample(t, "tasks"), screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready, selectRoute("GET", "/tasks/events"),
		chromedp.SetValue(chromedp.CSS("#headers"), "Authorization: Bearer dev-token"))
	do(t, ctx, openWSTester...)
	if target := value(t, ctx, chromedp.Text(chromedp.CSS("#ws-target"))); target != "/tasks/events" {
		t.Errorf("the tester targets %q", target)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#ws-connect")),
		chromedp.WaitVisible(chromedp.CSS(wsLog(`[data-type="open"]`))),
		chromedp.WaitVisible(chromedp.CSS(`#ws-state[data-state="open"]`)))
	// The builder's header lines go with the handshake.
	if connect := value(t, ctx, chromedp.Text(chromedp.CSS(wsLog(`[data-type="connect"]`)))); !strings.Contains(connect, "to /tasks/events with Authorization") {
		t.Errorf("the connect entry shows %q", connect)
	}

	createTask(t, url, "Watch the frames")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(wsLog(`[data-dir="received"]`))), screenshot(shots, "ws-1-event-received"))
	received := value(t, ctx, chromedp.Text(chromedp.CSS(wsLog(`[data-dir="received"]`))))
	stamp := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('#ws-log li[data-dir="received"] time').getAttribute("datetime")`))
	if !strings.Contains(received, `"type": "created"`) || !strings.Contains(received, "Watch the frames") || stamp == "" {
		t.Errorf("the received frame shows %q at %q", received, stamp)
	}

	do(t, ctx, chromedp.SetValue(chromedp.CSS("#ws-message"), `{"oops": `), chromedp.Click(chromedp.CSS("#ws-send")),
		chromedp.WaitVisible(chromedp.CSS("#ws-error")), screenshot(shots, "ws-2-invalid-json"))
	if msg := value(t, ctx, chromedp.Text(chromedp.CSS("#ws-error"))); !strings.Contains(msg, "Not valid JSON") {
		t.Errorf("invalid JSON: %q", msg)
	}
	if n := value(t, ctx, count(wsLog(`[data-dir="sent"]`))); n != 0 {
		t.Errorf("invalid JSON was sent: %d sent frames", n)
	}

	do(t, ctx, chromedp.SetValue(chromedp.CSS("#ws-close-code"), "4000"), chromedp.SetValue(chromedp.CSS("#ws-close-reason"), "done watching"),
		chromedp.Click(chromedp.CSS("#ws-disconnect")),
		chromedp.WaitVisible(chromedp.CSS(wsLog(`[data-type="close"][data-by="client"]`))),
		chromedp.WaitVisible(chromedp.CSS(`#ws-state[data-state="closed"]`)), screenshot(shots, "ws-3-closed-by-client"))
	if closed := value(t, ctx, chromedp.Text(chromedp.CSS(wsLog(`[data-type="close"]`)))); !strings.Contains(closed, "• close 4000") || !strings.Contains(closed, "done watching") {
		t.Errorf("the close shows %q", closed)
	}

	// GET /tasks/events reads nothing: a message makes it close with 1008.
	do(t, ctx, chromedp.Click(chromedp.CSS("#ws-connect")),
		chromedp.WaitVisible(chromedp.CSS(`#ws-state[data-state="open"]`)),
		chromedp.SetValue(chromedp.CSS("#ws-message"), `{"hello": "events"}`), chromedp.Click(chromedp.CSS("#ws-send")),
		chromedp.WaitVisible(chromedp.CSS(wsLog(`[data-type="close"][data-by="server"]`))), screenshot(shots, "ws-4-closed-by-route"))
	sent := value(t, ctx, chromedp.Text(chromedp.CSS(wsLog(`[data-dir="sent"]`))))
	if !strings.Contains(sent, `"hello": "events"`) || !strings.Contains(sent, "B · JSON") {
		t.Errorf("the sent frame shows %q", sent)
	}
	if code := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('#ws-log li[data-by="server"]').dataset.code`)); code != "1008" {
		t.Errorf("the route closed with %q, want 1008", code)
	}
	if n := value(t, ctx, count(wsLog(` time[datetime]`))); n == 0 {
		t.Error("no timestamps")
	}
}

// TestWebSocketTesterShowsRefusedHandshake: a route that answers the
// handshake with something other than 101 has its status, headers and
// problem shown: here GET /tasks/{id}'s 404 for a task that does not
// exist, its id typed into the builder's path parameter.
func TestWebSocketTesterShowsRefusedHandshake(t *testing.T) {
	t.Parallel()
	url, shots := startExample(t, "tasks"), screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready, selectRoute("GET", "/tasks/{id}"),
		chromedp.SetValue(chromedp.CSS(`#builder [data-param="id"]`), "no-such-task"))
	do(t, ctx, openWSTester...)
	if target := value(t, ctx, chromedp.Text(chromedp.CSS("#ws-target"))); target != "/tasks/no-such-task" {
		t.Errorf("the tester targets %q, want the builder's id filled in", target)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#ws-connect")),
		chromedp.WaitVisible(chromedp.CSS(wsLog(`[data-type="refused"]`))), screenshot(shots, "ws-5-refused"))
	refused := value(t, ctx, chromedp.Text(chromedp.CSS(wsLog(`[data-type="refused"]`))))
	if !strings.Contains(refused, "404") || !strings.Contains(refused, "task_not_found") || !strings.Contains(strings.ToLower(refused), "content-type: application/problem+json") {
		t.Errorf("the refusal shows %q", refused)
	}
}
