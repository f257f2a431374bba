package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"example.com/tasks/store"
	"example.com/tasks/tasks"
	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// The in-process tests run in the "test" environment of gati.yaml, whose
// token is testToken and whose store holds at most 3 tasks.
const testToken = "test-token"

func TestMain(m *testing.M) {
	os.Unsetenv(TokenEnv) // the tests choose the token and the issuer themselves
	os.Unsetenv(OIDCIssuerEnv)
	os.Unsetenv(OIDCAudienceEnv)
	os.Exit(m.Run())
}

func TestCRUD(t *testing.T) {
	t.Parallel()
	c := client{t: t, base: startApp(t).URL, token: testToken}

	r := c.do("POST", "/tasks", `{"title":"  Write docs  ","due":"2026-03-01T17:00:00Z"}`)
	var created store.Task
	r.decode(&created)
	if r.status != 201 || created.ID != "1" || created.Title != "Write docs" || created.Done ||
		created.Due == nil || !created.Due.Equal(time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)) {
		t.Fatalf("POST /tasks = %d %s", r.status, r.body)
	}
	c.do("POST", "/tasks", `{"title":"Test examples"}`).want(201)

	r = c.do("GET", "/tasks/1", "").want(200)
	var got store.Task
	r.decode(&got)
	if !got.CreatedAt.Equal(created.CreatedAt) || got.Title != created.Title || got.ID != created.ID {
		t.Fatalf("GET /tasks/1 = %s, want %+v", r.body, created)
	}

	r = c.do("PATCH", "/tasks/1", `{"done":true}`).want(200)
	r.decode(&got)
	if !got.Done || got.Title != "Write docs" {
		t.Fatalf("PATCH done: %s", r.body)
	}
	r = c.do("PATCH", "/tasks/2", `{"title":"Test both examples"}`).want(200)
	r.decode(&got)
	if got.Done || got.Title != "Test both examples" {
		t.Fatalf("PATCH title: %s", r.body)
	}

	lists := []struct{ query, ids string }{
		{"", "1 2"},
		{"?done=true", "1"},
		{"?done=false", "2"},
		{"?done=0&limit=5", "2"},
		{"?limit=1", "1"},
	}
	for _, tt := range lists {
		var l tasks.TaskList
		c.do("GET", "/tasks"+tt.query, "").want(200).decode(&l)
		if got := taskIDs(l.Tasks); got != tt.ids || l.Count != len(l.Tasks) {
			t.Errorf("GET /tasks%s = %q (count %d), want %q", tt.query, got, l.Count, tt.ids)
		}
	}

	r = c.do("DELETE", "/tasks/1", "").want(204)
	if r.body != "" {
		t.Errorf("204 with a body: %q", r.body)
	}
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		r := c.do(m, "/tasks/1", `{"done":false}`).want(404)
		if r.problem.Code != "task_not_found" || r.problem.Detail != `there is no task with id "1"` || r.problem.Instance != "/tasks/1" {
			t.Errorf("%s /tasks/1 after delete: %s", m, r.body)
		}
	}
	var l tasks.TaskList
	c.do("GET", "/tasks", "").want(200).decode(&l)
	if taskIDs(l.Tasks) != "2" {
		t.Errorf("after delete: %+v", l)
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	c := client{t: t, base: startApp(t).URL, token: testToken}
	c.do("POST", "/tasks", `{"title":"exists"}`).want(201)
	long := strings.Repeat("é", tasks.MaxTitle+1)
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
		pointer, detail          string // pointer "-": no field errors
	}{
		{"title missing", "POST", "/tasks", `{}`, 422, "validation_failed", "/title", "is required"},
		{"title blank", "POST", "/tasks", `{"title":"   "}`, 422, "validation_failed", "/title", "is required"},
		{"title too long", "POST", "/tasks", `{"title":"` + long + `"}`, 422, "validation_failed", "/title", "must be at most 200 characters long"},
		{"title wrong type", "POST", "/tasks", `{"title":42}`, 422, "validation_failed", "/title", "must be a string"},
		{"malformed JSON", "POST", "/tasks", "{\n  \"title\": \"x\",\n}", 400, "malformed_json", "-", "malformed JSON at line 3, column 1"},
		{"empty body", "POST", "/tasks", "", 422, "validation_failed", "/title", "is required"},
		{"nothing to change", "PATCH", "/tasks/1", `{}`, 422, "validation_failed", "", "send title, done or both"},
		{"blank new title", "PATCH", "/tasks/1", `{"title":""}`, 422, "validation_failed", "/title", "is required"},
		{"limit out of range", "GET", "/tasks?limit=5000", "", 422, "validation_failed", "/query/limit", "must be at most 1000"},
		{"limit negative", "GET", "/tasks?limit=-1", "", 422, "validation_failed", "/query/limit", "must be at least 0"},
		{"limit not a number", "GET", "/tasks?limit=ten", "", 400, "invalid_parameter", "/query/limit", `query parameter "limit": cannot use "ten": invalid syntax`},
		{"done not a bool", "GET", "/tasks?done=maybe", "", 400, "invalid_parameter", "/query/done", `cannot use "maybe"`},
		{"unknown path", "GET", "/nope", "", 404, "not_found", "-", "no route matches /nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.t = t
			r := c.do(tt.method, tt.path, tt.body).want(tt.status)
			p := r.problem
			if p.Code != tt.code || p.Status != tt.status || p.RequestID == "" || p.RequestID != r.header.Get("X-Request-Id") {
				t.Fatalf("problem %s, want code %s", r.body, tt.code)
			}
			detail := p.Detail
			if tt.pointer != "-" { // a field error is expected
				if len(p.Errors) != 1 || p.Errors[0].Pointer != tt.pointer {
					t.Fatalf("errors %+v, want one at %q", p.Errors, tt.pointer)
				}
				detail = p.Errors[0].Detail
			}
			if !strings.Contains(detail, tt.detail) {
				t.Fatalf("detail %q does not contain %q (%s)", detail, tt.detail, r.body)
			}
		})
	}
}

func TestTokenRequired(t *testing.T) {
	t.Parallel()
	base := startApp(t).URL
	for _, token := range []string{"", "wrong", testToken + "x"} {
		c := client{t: t, base: base, token: token}
		for _, req := range [][2]string{{"POST", "/tasks"}, {"PATCH", "/tasks/1"}, {"DELETE", "/tasks/1"}} {
			r := c.do(req[0], req[1], `{"title":"x"}`).want(401)
			if r.problem.Code != "unauthenticated" || r.header.Get("WWW-Authenticate") != `Bearer realm="tasks"` {
				t.Errorf("%s %s with token %q: %s %v", req[0], req[1], token, r.body, r.header)
			}
		}
	}
	anon := client{t: t, base: base}
	anon.do("GET", "/tasks", "").want(200)
	if r := anon.do("GET", "/tasks", ""); r.body != `{"tasks":[],"count":0}` {
		t.Errorf("empty list: %s", r.body)
	}
}

func TestTaskLimit(t *testing.T) {
	t.Parallel()
	c := client{t: t, base: startApp(t).URL, token: testToken}
	for range 3 { // max_tasks: 3 in the test environment
		c.do("POST", "/tasks", `{"title":"t"}`).want(201)
	}
	if r := c.do("POST", "/tasks", `{"title":"t"}`).want(409); r.problem.Code != "task_limit_reached" {
		t.Fatalf("fourth POST: %s", r.body)
	}
}

func TestMissingTokenStopsStart(t *testing.T) {
	t.Parallel()
	app := gati.New(gati.WithEnv("production"), gati.WithLogOutput(io.Discard))
	app.Module(store.New())
	app.Module(&tokenAuth{})
	gatiRegister(app)
	err := app.Start(t.Context())
	if err == nil {
		app.Stop(context.Background())
		t.Fatal("Start succeeded without a token")
	}
	if want := `module "auth" failed to initialize: no API token: set $TASKS_TOKEN`; !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
}

func TestServerSentEvents(t *testing.T) {
	t.Parallel()
	srv := startApp(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/tasks/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /tasks/stream: %d %v", resp.StatusCode, resp.Header)
	}
	// The handler subscribed before it sent the headers: this change is seen.
	c := client{t: t, base: srv.URL, token: testToken}
	c.do("POST", "/tasks", `{"title":"streamed"}`).want(201)
	c.do("DELETE", "/tasks/1", "").want(204)

	br := bufio.NewReader(resp.Body)
	for _, want := range []string{"created", "deleted"} {
		ev := readSSE(t, br)
		var task store.Task
		if err := json.Unmarshal([]byte(ev["data"]), &task); err != nil || ev["event"] != want || task.Title != "streamed" {
			t.Fatalf("event %v, want %s of the task (%v)", ev, want, err)
		}
	}
}

// TestRoutesPointAtDirectives guards the hand-maintained gati_gen.go: every
// route's source position must be the line of its //gati:route directive.
func TestRoutesPointAtDirectives(t *testing.T) {
	t.Parallel()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	gatiRegister(app)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range app.Routes() {
		file, line, _ := strings.Cut(r.Source, ":")
		if got, want := lineOf(t, file, line), "//gati:route "+r.Pattern; !strings.HasPrefix(got+" ", want+" ") {
			t.Errorf("route %q: %s is %q, want %q", r.Pattern, r.Source, got, want)
		}
		n++
	}
	if n != 8 {
		t.Errorf("%d routes registered, want 8", n)
	}
}

// TestBinary builds the example, runs it as production would, exercises
// the API and the WebSocket over the network and stops it with SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	t.Parallel()
	const token = "s3cret"
	cmd := exec.Command(gatitest.Build(t, "."))
	cmd.Env = append(os.Environ(), TokenEnv+"="+token)
	p := gatitest.Start(t, cmd)
	c := client{t: t, base: p.URL, token: token}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+strings.TrimPrefix(p.URL, "http://")+"/tasks/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()

	noToken := client{t: t, base: p.URL}
	noToken.do("POST", "/tasks", `{"title":"sneaky"}`).want(401)

	var task store.Task
	r := c.do("POST", "/tasks", `{"title":"Deploy"}`).want(201)
	r.decode(&task)
	wantEvent(t, ctx, conn, 1, store.Created, task.ID, false)

	c.do("PATCH", "/tasks/"+task.ID, `{"done":true}`).want(200)
	wantEvent(t, ctx, conn, 2, store.Updated, task.ID, true)

	var l tasks.TaskList
	c.do("GET", "/tasks?done=true", "").want(200).decode(&l)
	if taskIDs(l.Tasks) != task.ID {
		t.Errorf("GET /tasks?done=true: %+v", l)
	}
	if r := c.do("POST", "/tasks", `{"title":""}`).want(422); len(r.problem.Errors) != 1 || r.problem.Errors[0].Pointer != "/title" {
		t.Errorf("invalid POST: %s", r.body)
	}
	if r := c.do("POST", "/tasks", `{"title":`).want(400); r.problem.Code != "malformed_json" {
		t.Errorf("malformed POST: %s", r.body)
	}
	if r := c.do("GET", "/tasks/999", "").want(404); r.problem.Code != "task_not_found" {
		t.Errorf("GET /tasks/999: %s", r.body)
	}
	if r := c.do("PUT", "/tasks/1", "").want(405); r.header.Get("Allow") != "DELETE, GET, HEAD, PATCH" {
		t.Errorf("PUT /tasks/1: Allow %q", r.header.Get("Allow"))
	}
	// A client that sends its own request id gets it back, successes
	// included, and finds it in the server's logs.
	del := c
	del.requestID = "delete-" + task.ID
	deleted := del.do("DELETE", "/tasks/"+task.ID, "").want(204)
	if got := deleted.header.Get("X-Request-Id"); got != del.requestID {
		t.Errorf("DELETE with X-Request-Id %s: the response has %q", del.requestID, got)
	}
	wantEvent(t, ctx, conn, 3, store.Deleted, task.ID, true)

	metrics := noToken.do("GET", gati.PathMetrics, "").want(200).body
	for _, want := range []string{"\nstore_tasks 0\n", `gati_http_requests_total{method="POST",route="/tasks",status="201"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// The WebSocket client stays connected through shutdown: it must not
	// hold the process up, and it sees the connection end.
	p.Stop(t)
	if _, _, err := conn.Read(ctx); err == nil {
		t.Error("WebSocket still open after the server exited")
	}

	logs := p.Logs()
	timing := logLine(t, logs, "handled", "DELETE /tasks/{id}")
	if timing == nil || timing["status"] != float64(204) || timing["request_id"] != del.requestID {
		t.Errorf("no timing line for the DELETE with status 204 and request id %s:\n%s", del.requestID, logs)
	}
	if l := logLine(t, logs, "task store ready", ""); l == nil || l["module"] != "store" || l["max_tasks"] != float64(1000) {
		t.Errorf("no store start-up line:\n%s", logs)
	}
}

func wantEvent(t *testing.T, ctx context.Context, conn *websocket.Conn, seq uint64, typ, id string, done bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	mt, msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("waiting for the %s event: %v", typ, err)
	}
	var ev store.Event
	if err := json.Unmarshal(msg, &ev); err != nil || mt != websocket.MessageText {
		t.Fatalf("event %q: %v", msg, err)
	}
	if ev.Seq != seq || ev.Type != typ || ev.Task.ID != id || ev.Task.Done != done {
		t.Fatalf("event %s, want seq %d %s of task %s (done %t)", msg, seq, typ, id, done)
	}
}

// startApp starts the app as main does, in the test environment, behind
// an httptest server.
func startApp(t *testing.T) *httptest.Server {
	t.Helper()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	app.Module(store.New())
	app.Module(&tokenAuth{})
	gatiRegister(app)
	return gatitest.Serve(t, app)
}

// client sends JSON requests, with a bearer token when token is set.
type client struct {
	t         *testing.T
	base      string
	token     string
	requestID string // sent as X-Request-Id when set
}

type result struct {
	t       *testing.T
	req     string
	status  int
	header  http.Header
	body    string
	problem gati.Problem
}

func (c client) do(method, path, body string) *result {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.requestID != "" {
		req.Header.Set("X-Request-Id", c.requestID)
	}
	ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := &result{t: c.t, req: method + " " + path, status: resp.StatusCode, header: resp.Header, body: string(b)}
	if resp.StatusCode >= 400 {
		if ct := resp.Header.Get("Content-Type"); ct != gati.ProblemContentType {
			c.t.Errorf("%s: error with Content-Type %q, want %s", r.req, ct, gati.ProblemContentType)
		}
		if err := json.Unmarshal(b, &r.problem); err != nil {
			c.t.Errorf("%s: problem %q: %v", r.req, b, err)
		}
	}
	return r
}

// want fails the test unless the response has the given status.
func (r *result) want(status int) *result {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s = %d %s, want %d", r.req, r.status, r.body, status)
	}
	return r
}

func (r *result) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		r.t.Fatalf("%s: decoding %q: %v", r.req, r.body, err)
	}
}

func taskIDs(ts []store.Task) string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return strings.Join(ids, " ")
}

// readSSE reads one event's fields, skipping comments.
func readSSE(t *testing.T, br *bufio.Reader) map[string]string {
	t.Helper()
	ev := map[string]string{}
	for range 100 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v (so far %v)", err, ev)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" && len(ev) > 0 {
			return ev
		}
		if name, value, ok := strings.Cut(line, ": "); ok && name != "" {
			ev[name] = value
		}
	}
	t.Fatal("no complete event in 100 lines")
	return nil
}

// logLine returns the first JSON log line with the given message (and
// route, when not empty).
func logLine(t *testing.T, logs, msg, route string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if m["msg"] == msg && (route == "" || m["route"] == route) {
			return m
		}
	}
	return nil
}

// lineOf returns the trimmed text of line (1-based, as a string) of file.
func lineOf(t *testing.T, file, line string) string {
	t.Helper()
	n, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("bad line %q", line)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return strings.TrimSpace(sc.Text())
		}
	}
	return ""
}
