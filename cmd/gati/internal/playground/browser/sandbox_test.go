package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gati.dev/gati"
	"gati.dev/gati/internal/playground"
)

// The script sandbox (internal/playground/static/sandbox.js and
// sandbox-worker.js), driven through its module's runScript in real
// Chromium, as the playground's UI calls it.

// hits records the paths of the requests a server saw.
type hits struct {
	mu    sync.Mutex
	paths []string
}

func (h *hits) add(p string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paths = append(h.paths, p)
}

// matching returns the recorded paths that contain s.
func (h *hits) matching(s string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.paths {
		if strings.Contains(p, s) {
			out = append(out, p)
		}
	}
	return out
}

// sandboxServers starts an app that serves the playground, wrapped to
// record every request and to serve /csp-probe-worker.js (a worker
// script with every API left in place, under the sandbox worker's CSP),
// and a second server on another origin that records what reaches it.
func sandboxServers(t *testing.T) (app, other *httptest.Server, appHits, otherHits *hits) {
	t.Helper()
	a := gati.New(gati.WithEnv("development"), gati.WithLogOutput(io.Discard))
	a.HandleFunc("GET /users/{id}", func(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		return res.JSON(http.StatusOK, map[string]string{"id": req.Param("id"), "name": "Ada"})
	})
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	appHits, otherHits = &hits{}, &hits{}
	app = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		appHits.add(r.URL.RequestURI())
		if r.URL.Path == "/csp-probe-worker.js" {
			w.Header().Set("Content-Type", "text/javascript")
			w.Header().Set("Content-Security-Policy", playground.CSP(playground.SandboxWorker))
			io.WriteString(w, probeWorker)
			return
		}
		a.ServeHTTP(w, r)
	}))
	t.Cleanup(app.Close)
	other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.add(r.URL.RequestURI())
		w.Header().Set("Access-Control-Allow-Origin", "*")
		io.WriteString(w, "self.leaked = 1;")
	}))
	t.Cleanup(other.Close)
	return app, other, appHits, otherHits
}

// scriptResult is runScript's outcome.
type scriptResult struct {
	OK    bool `json:"ok"`
	Error *struct {
		Message      string
		Line, Column int
	} `json:"error"`
	TimedOut bool `json:"timedOut"`
	Request  struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	} `json:"request"`
	Variables map[string]string `json:"variables"`
	Tests     []struct {
		Name   string
		Passed bool
		Error  string
		Line   int
	} `json:"tests"`
	Logs   []string `json:"logs"`
	TimeMs int      `json:"timeMs"`
}

func (r scriptResult) String() string {
	b, _ := json.MarshalIndent(r, "", "  ")
	return string(b)
}

func jsJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// runScriptJS is the expression that runs code in the sandbox.
func runScriptJS(code string, input, opts map[string]any) string {
	return fmt.Sprintf(`(async () => {
  const { runScript } = await import("/_playground/sandbox.js");
  return await runScript(%s, %s, %s);
})()`, jsJSON(code), jsJSON(input), jsJSON(opts))
}

func runScript(t *testing.T, ctx context.Context, code string, input, opts map[string]any) scriptResult {
	t.Helper()
	return value(t, ctx, chromedp.Evaluate[scriptResult](runScriptJS(code, input, opts), chromedp.EvalAwaitPromise))
}

func pre(vars map[string]string) map[string]any {
	return map[string]any{
		"phase":     "pre",
		"request":   map[string]any{"method": "GET", "url": "{{base}}/users/{{userId}}", "headers": map[string]string{"Accept": "application/json"}, "body": ""},
		"variables": vars,
	}
}

func post(status int, headers map[string]string, body string, vars map[string]string) map[string]any {
	in := pre(vars)
	in["phase"] = "post"
	in["response"] = map[string]any{"status": status, "statusText": http.StatusText(status), "headers": headers, "body": body, "timeMs": 12}
	return in
}

func TestSandbox(t *testing.T) {
	app, other, appHits, otherHits := sandboxServers(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(app.URL+"/_playground/"), ready)

	t.Run("PreScriptSetsVariableAndHeader", func(t *testing.T) {
		r := runScript(t, ctx, `
const n = Number(gati.variables.get("counter") || "0") + 1;
gati.variables.set("counter", n);
gati.variables.unset("old");
gati.request.headers.set("X-Request-Count", String(n));
gati.request.headers.set("accept", "text/plain"); // replaces Accept, keeps its spelling
gati.request.method = "post";
gati.request.body = { n };
console.log("count is", n, { n });
`, pre(map[string]string{"counter": "41", "old": "x"}), nil)
		if !r.OK || r.Variables["counter"] != "42" || r.Variables["old"] != "" || len(r.Variables) != 1 {
			t.Fatalf("variables: %v", r)
		}
		if r.Request.Headers["X-Request-Count"] != "42" || r.Request.Headers["Accept"] != "text/plain" || len(r.Request.Headers) != 2 ||
			r.Request.Method != "POST" || r.Request.Body != `{"n":42}` || r.Request.URL != "{{base}}/users/{{userId}}" {
			t.Fatalf("request: %v", r)
		}
		if len(r.Logs) != 1 || r.Logs[0] != `count is 42 {"n":42}` {
			t.Errorf("logs: %q", r.Logs)
		}
	})

	t.Run("PostScriptTests", func(t *testing.T) {
		code := `
test("status is 200", () => expect(gati.response.status).toBe(200));
test("content type", () => expect(gati.response.headers.get("content-type")).toMatch(/json/));
test("has a name", () => expect(gati.response.json()).toHaveProperty("user.name", "Ada"));
test("roles", () => expect(gati.response.json().user.roles).toContain("admin"));
test("async passes", async () => { await new Promise((r) => setTimeout(r, 10)); expect(gati.response.timeMs).toBeLessThan(1000); });
test("not", () => expect(gati.response.json()).not.toEqual({}));
gati.variables.set("userId", gati.response.json().user.id);
`
		body := `{"user":{"id":"u7","name":"Ada","roles":["admin"]}}`
		r := runScript(t, ctx, code, post(200, map[string]string{"Content-Type": "application/json"}, body, nil), map[string]any{"name": "post-response script"})
		if !r.OK || len(r.Tests) != 6 || r.Variables["userId"] != "u7" {
			t.Fatalf("%v", r)
		}
		for _, tc := range r.Tests {
			if !tc.Passed {
				t.Errorf("test %q failed: %s", tc.Name, tc.Error)
			}
		}
		body = `{"user":{"id":"u7","name":"Bob","roles":[]}}`
		r = runScript(t, ctx, code, post(404, map[string]string{"Content-Type": "text/plain"}, body, nil), nil)
		want := map[string]string{
			"status is 200": "expected 404 to be 200",
			"content type":  `expected "text/plain" to match "/json/"`,
			"has a name":    `to have property "user.name" equal to "Ada"`,
			"roles":         `expected [] to contain "admin"`,
			"async passes":  "",
			"not":           "",
		}
		if !r.OK || len(r.Tests) != len(want) {
			t.Fatalf("%v", r)
		}
		for _, tc := range r.Tests {
			w := want[tc.Name]
			if tc.Passed != (w == "") || !strings.Contains(tc.Error, w) {
				t.Errorf("test %q: passed %v, error %q; want error %q", tc.Name, tc.Passed, tc.Error, w)
			}
			if !tc.Passed && tc.Line < 2 {
				t.Errorf("test %q: line %d", tc.Name, tc.Line)
			}
		}
		if r.Tests[0].Line != 2 || r.Tests[3].Line != 5 {
			t.Errorf("failed tests' lines: %d and %d, want 2 and 5", r.Tests[0].Line, r.Tests[3].Line)
		}
		// A post-response script cannot change the request.
		r = runScript(t, ctx, `gati.request.url = "http://elsewhere/";`, post(200, nil, "", nil), nil)
		if r.OK || !strings.Contains(r.Error.Message, "read-only") || r.Error.Line != 1 {
			t.Errorf("post script changing the request: %v", r)
		}
	})

	t.Run("SyntaxErrorLine", func(t *testing.T) {
		r := runScript(t, ctx, "gati.variables.set(\"a\", 1);\n\nconst x = {\n  a: 1,\n  b: 2;\n};\n", pre(map[string]string{"keep": "me"}), nil)
		if r.OK || r.Error == nil || r.Error.Line != 5 || r.Error.Column < 7 || !strings.Contains(r.Error.Message, "SyntaxError") {
			t.Fatalf("want a SyntaxError at line 5: %v", r)
		}
		if r.Variables["keep"] != "me" || r.Variables["a"] != "" {
			t.Errorf("a failed script must change nothing: %v", r.Variables)
		}
		t.Logf("syntax error: %s at %d:%d", r.Error.Message, r.Error.Line, r.Error.Column)
		// The code is a function body: it cannot close the function early.
		r = runScript(t, ctx, "})\n;gati.variables.set('escaped', '1');\n(async function () {", pre(nil), nil)
		if r.OK || r.Error == nil || !strings.Contains(r.Error.Message, "SyntaxError") || r.Variables["escaped"] != "" {
			t.Errorf("escaping the wrapper: %v", r)
		}
	})

	t.Run("RuntimeErrorLine", func(t *testing.T) {
		r := runScript(t, ctx, "// first line\nconst u = gati.response;\nconsole.log('before');\nu.status;\n", pre(nil), nil)
		if r.OK || r.Error == nil || r.Error.Line != 4 || r.Error.Column != 3 || !strings.Contains(r.Error.Message, "TypeError") {
			t.Fatalf("want a TypeError at 4:3: %v", r)
		}
		if len(r.Logs) != 1 || r.Logs[0] != "before" {
			t.Errorf("logs before the error: %q", r.Logs)
		}
		r = runScript(t, ctx, "\n\nawait null;\nthrow new Error('nope');", pre(nil), nil)
		if r.OK || r.Error == nil || r.Error.Line != 4 || r.Error.Message != "nope" {
			t.Errorf("want nope at line 4 after an await: %v", r)
		}
		r = runScript(t, ctx, "throw 'a string';", pre(nil), nil)
		if r.OK || r.Error == nil || !strings.Contains(r.Error.Message, "a string") {
			t.Errorf("throwing a string: %v", r)
		}
	})

	t.Run("InfiniteLoopStopped", func(t *testing.T) {
		for _, limit := range []int{1000, 300} {
			start := time.Now()
			r := runScript(t, ctx, "console.log('looping');\nfor (;;) {}", pre(map[string]string{"v": "1"}), map[string]any{"timeoutMs": limit})
			elapsed := time.Since(start)
			if r.OK || !r.TimedOut || r.Error == nil || !strings.Contains(r.Error.Message, fmt.Sprintf("within %d ms", limit)) {
				t.Fatalf("%v", r)
			}
			// Within a second of the limit: a loaded machine delays the page's timer.
			if r.TimeMs < limit || r.TimeMs > limit+1000 || len(r.Logs) != 1 || r.Variables["v"] != "1" {
				t.Errorf("limit %d ms: stopped after %d ms, logs %q, variables %v", limit, r.TimeMs, r.Logs, r.Variables)
			}
			t.Logf("limit %d ms: the loop was stopped %d ms after the script started (%s for the whole call, worker start included)",
				limit, r.TimeMs, elapsed.Round(time.Millisecond))
		}
		// A test that never settles is stopped too.
		r := runScript(t, ctx, "test('hangs', () => new Promise(() => {}));", pre(nil), map[string]any{"timeoutMs": 200})
		if r.OK || !r.TimedOut {
			t.Errorf("a test that never settles: %v", r)
		}
		// The page still runs scripts after a stopped one.
		if r := runScript(t, ctx, "gati.variables.set('after', 'yes')", pre(nil), nil); !r.OK || r.Variables["after"] != "yes" {
			t.Errorf("after the loop: %v", r)
		}
	})

	// Network: each API is missing from the script's scope; the result
	// says so, and neither the app nor another origin sees a request.
	t.Run("NetworkRefused", func(t *testing.T) {
		code := fmt.Sprintf(`
const other = %q, self_ = %q;
const out = {};
const attempt = async (name, f) => {
  try { out[name] = "reached: " + String(await f()); }
  catch (e) { out[name] = "refused: " + e.name + ": " + e.message; }
};
await attempt("fetch", () => fetch(other + "/probe/fetch"));
await attempt("fetchSame", () => fetch("/probe/fetch-same"));
await attempt("fetchFile", () => fetch("file:///etc/passwd"));
await attempt("xhr", () => { const x = new XMLHttpRequest(); x.open("GET", other + "/probe/xhr", false); x.send(); return x.status; });
await attempt("websocket", () => new WebSocket(other.replace("http", "ws") + "/probe/ws"));
await attempt("eventsource", () => new EventSource(other + "/probe/es"));
await attempt("importScripts", () => importScripts(other + "/probe/import-scripts.js"));
await attempt("importScriptsFile", () => importScripts("file:///etc/passwd"));
await attempt("import", () => import(other + "/probe/import.js"));
await attempt("importSame", () => import(self_ + "/probe/import-same.js"));
await attempt("importFile", () => import("file:///etc/passwd"));
await attempt("worker", () => new Worker(self_ + "/probe/worker.js"));
await attempt("sharedWorker", () => new SharedWorker(self_ + "/probe/shared-worker.js"));
await attempt("font", () => new FontFace("x", "url(" + other + "/probe/font)").load());
await attempt("protoFetch", () => { let o = globalThis; while (o) { const d = Object.getOwnPropertyDescriptor(o, "fetch"); if (d) return d.value(other + "/probe/proto"); o = Object.getPrototypeOf(o); } throw new Error("no fetch anywhere"); });
await attempt("functionThis", () => Function("return this")().fetch(other + "/probe/function-this"));
await attempt("postMessage", () => postMessage({ t: "done", json: "{}" }));
await attempt("close", () => close());
await new Promise((r) => setTimeout(r, 300)); // time for anything queued to go out
gati.variables.set("out", JSON.stringify(out));
`, other.URL, app.URL)
		r := runScript(t, ctx, code, pre(nil), map[string]any{"timeoutMs": 2000})
		if !r.OK {
			t.Fatalf("%v", r)
		}
		var out map[string]string
		if err := json.Unmarshal([]byte(r.Variables["out"]), &out); err != nil || len(out) != 18 {
			t.Fatalf("%v: %s", err, r.Variables["out"])
		}
		for name, got := range out {
			if !strings.HasPrefix(got, "refused: ") {
				t.Errorf("%s: %s", name, got)
			} else {
				t.Logf("%-18s %s", name, got)
			}
		}
		time.Sleep(200 * time.Millisecond)
		if h := append(appHits.matching("/probe"), otherHits.matching("/probe")...); len(h) > 0 {
			t.Errorf("requests reached a server: %q", h)
		}
	})

	// The CSP alone, without the worker removing the APIs: a worker
	// served with the sandbox worker's policy can load nothing. The same
	// probe from the page (its own policy allows connect-src http:)
	// reaches the other origin, so the probe does detect a load.
	t.Run("WorkerCSPRefusesLoads", func(t *testing.T) {
		probe := func(where string) map[string]string {
			js := fmt.Sprintf(`new Promise((resolve) => {
  const w = new Worker("/csp-probe-worker.js");
  w.onmessage = (e) => resolve(e.data);
  w.onerror = (e) => resolve({ error: "worker error: " + e.message });
  w.postMessage({ other: %q, self: %q, tag: %q });
})`, other.URL, app.URL, where)
			if where == "page" {
				js = fmt.Sprintf(`(async () => { const r = await fetch(%q + "/probe/page/fetch"); return { fetch: "reached: " + r.status }; })()`, other.URL)
			}
			return value(t, ctx, chromedp.Evaluate[map[string]string](js, chromedp.EvalAwaitPromise))
		}
		got := probe("csp")
		if got["error"] != "" || got["eval"] != "2" || len(got) < 10 {
			t.Fatalf("%v", got)
		}
		for name, res := range got {
			if name == "eval" || name == "fetchAvailable" {
				continue
			}
			if !strings.HasPrefix(res, "refused") {
				t.Errorf("under the worker's CSP, %s: %s", name, res)
			} else {
				t.Logf("%-18s %s", name, res)
			}
		}
		if got["fetchAvailable"] != "function" {
			t.Errorf("the probe worker should keep fetch: %q", got["fetchAvailable"])
		}
		time.Sleep(200 * time.Millisecond)
		if h := append(appHits.matching("/probe/csp"), otherHits.matching("/probe/csp")...); len(h) > 0 {
			t.Errorf("requests reached a server: %q", h)
		}
		if page := probe("page"); !strings.HasPrefix(page["fetch"], "reached") || len(otherHits.matching("/probe/page/fetch")) != 1 {
			t.Errorf("the page's own fetch to another origin: %v, hits %q", page, otherHits.matching("/probe/page"))
		}
	})

	// The page keeps a production secret in every store of its origin;
	// a script run for staging gets only staging's variables and cannot
	// reach any of those stores.
	t.Run("CrossEnvironmentSecret", func(t *testing.T) {
		const secret = "prod-secret-5f1c9a"
		do(t, ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(async () => {
  const s = %q;
  localStorage.setItem("gati.env.production", JSON.stringify({ token: s }));
  sessionStorage.setItem("gati.env.production", s);
  document.cookie = "gati_production=" + s + "; path=/";
  await new Promise((ok, bad) => {
    const r = indexedDB.open("gati-playground", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("env");
    r.onsuccess = () => { const tx = r.result.transaction("env", "readwrite"); tx.objectStore("env").put(s, "production"); tx.oncomplete = ok; tx.onerror = bad; };
    r.onerror = bad;
  });
  const c = await caches.open("gati-playground");
  await c.put("/_playground/env/production", new Response(s));
  window.name = s;
})()`, secret), chromedp.EvalAwaitPromise))
		code := `
const found = {};
const tryIt = async (name, f) => {
  try { const v = await f(); found[name] = typeof v === "string" ? v : JSON.stringify(v) ?? String(v); }
  catch (e) { found[name] = "refused: " + e.name + ": " + e.message; }
};
await tryIt("localStorage", () => localStorage.getItem("gati.env.production"));
await tryIt("sessionStorage", () => sessionStorage.getItem("gati.env.production"));
await tryIt("cookie", () => document.cookie);
await tryIt("cookieStore", () => cookieStore.getAll());
await tryIt("indexedDB", () => new Promise((ok, bad) => { const r = indexedDB.open("gati-playground"); r.onsuccess = () => { const g = r.result.transaction("env").objectStore("env").get("production"); g.onsuccess = () => ok(g.result); }; r.onerror = bad; }));
await tryIt("caches", async () => (await (await caches.open("gati-playground")).match("/_playground/env/production")).text());
await tryIt("storageDirectory", () => navigator.storage.getDirectory());
await tryIt("locks", () => navigator.locks.query());
await tryIt("broadcast", () => new BroadcastChannel("gati"));
await tryIt("fetchSame", async () => (await fetch("/_playground/")).text());
await tryIt("importSame", () => import("/_playground/app.js"));
await tryIt("name", () => self.name);
await tryIt("location", () => String(location));
await tryIt("globals", () => Object.getOwnPropertyNames(globalThis).join(","));
await tryIt("variables", () => gati.variables.toObject());
gati.variables.set("found", JSON.stringify(found));
`
		in := pre(map[string]string{"token": "staging-token"})
		r := runScript(t, ctx, code, in, map[string]any{"timeoutMs": 2000, "name": "staging pre-request script"})
		if !r.OK {
			t.Fatalf("%v", r)
		}
		all := r.String()
		if strings.Contains(all, secret) {
			t.Fatalf("the staging script obtained production's secret:\n%s", all)
		}
		var found map[string]string
		if err := json.Unmarshal([]byte(r.Variables["found"]), &found); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"localStorage", "sessionStorage", "cookie", "cookieStore", "indexedDB", "caches", "storageDirectory", "locks", "broadcast", "fetchSame", "importSame"} {
			if !strings.HasPrefix(found[name], "refused: ") {
				t.Errorf("%s: %s", name, found[name])
			}
		}
		if found["variables"] != `{"token":"staging-token"}` {
			t.Errorf("the script sees the variables %s, want staging's only", found["variables"])
		}
		for name, v := range found {
			t.Logf("%-16s %.160s", name, v)
		}
		// The page still has its secret: the run did not disturb it.
		if got := value(t, ctx, chromedp.Evaluate[string](`localStorage.getItem("gati.env.production")`)); !strings.Contains(got, secret) {
			t.Errorf("localStorage after the run: %q", got)
		}
	})

	t.Run("Limits", func(t *testing.T) {
		r := runScript(t, ctx, "for (let i = 0; i < 5000; i++) console.log('line', i, 'x'.repeat(20000));", pre(nil), map[string]any{"timeoutMs": 2000})
		total := 0
		for _, l := range r.Logs {
			total += len(l)
		}
		if !r.OK || len(r.Logs) > 1001 || total > 1<<20+20000 || !strings.Contains(r.Logs[len(r.Logs)-1], "more output cut") {
			t.Errorf("logs: ok %v, %d lines, %d bytes, last %.100q", r.OK, len(r.Logs), total, r.Logs[len(r.Logs)-1])
		}
		t.Logf("5,000 lines of 20 KB logged: %d lines kept, %d bytes", len(r.Logs), total)
		r = runScript(t, ctx, "gati.variables.set('big', 'x'.repeat(300 * 1024));", pre(map[string]string{"small": "1"}), nil)
		if r.OK || r.Error == nil || !strings.Contains(r.Error.Message, "characters, more than") || r.Variables["small"] != "1" {
			t.Errorf("a 300 KiB variable: %v", r.Error)
		}
		r = runScript(t, ctx, "gati.request.headers.set('X-Bad', 'a\\r\\nInjected: 1');", pre(nil), nil)
		if r.OK || r.Error == nil || !strings.Contains(r.Error.Message, "CR, LF") {
			t.Errorf("a header value with CRLF: %v", r.Error)
		}
	})

	t.Run("DocExamples", func(t *testing.T) {
		testDocExamples(t, ctx)
	})
}

// probeWorker is a worker script that keeps every API and tries each
// load; served with the sandbox worker's CSP, all must be refused.
const probeWorker = `
self.onmessage = async (ev) => {
  const { other, self: origin, tag } = ev.data;
  const out = { fetchAvailable: typeof fetch, eval: String(eval("1 + 1")) };
  const attempt = async (name, f) => {
    try { out[name] = "reached: " + String(await f()); }
    catch (e) { out[name] = "refused: " + e.name + ": " + e.message; }
  };
  const event = (name, make) => attempt(name, () => new Promise((ok, bad) => {
    const s = make();
    s.onopen = () => ok("open");
    s.onerror = () => bad(new Error("error event"));
  }));
  await attempt("fetch", async () => (await fetch(other + "/probe/" + tag + "/fetch")).status);
  await attempt("fetchSame", async () => (await fetch(origin + "/probe/" + tag + "/fetch-same")).status);
  await attempt("fetchFile", async () => (await fetch("file:///etc/passwd")).status);
  await attempt("xhr", () => { const x = new XMLHttpRequest(); x.open("GET", other + "/probe/" + tag + "/xhr", false); x.send(); return x.status; });
  await event("websocket", () => new WebSocket(other.replace("http", "ws") + "/probe/" + tag + "/ws"));
  await event("eventsource", () => new EventSource(other + "/probe/" + tag + "/es"));
  await attempt("importScripts", () => importScripts(other + "/probe/" + tag + "/import-scripts.js"));
  await attempt("importScriptsSame", () => importScripts(origin + "/probe/" + tag + "/import-scripts.js"));
  await attempt("importScriptsFile", () => importScripts("file:///etc/passwd"));
  await attempt("import", () => import(other + "/probe/" + tag + "/import.js"));
  await attempt("importSame", () => import(origin + "/_playground/sandbox.js"));
  await attempt("font", () => new FontFace("x", "url(" + other + "/probe/" + tag + "/font)").load());
  await new Promise((r) => setTimeout(r, 300));
  postMessage(out);
};
`

// docExample is a ```js block of docs/playground-scripts.md with its
// info string's settings: phase=pre|post, status=, body=, and
// variables=name:value,... for its input; the test runs it and requires
// ok and every test(...) to pass.
var docInfoRE = regexp.MustCompile(`(\w+)=(\S+)`)

func testDocExamples(t *testing.T, ctx context.Context) {
	path := filepath.Join("..", "..", "..", "..", "..", "docs", "playground-scripts.md")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	n := 0
	for i := 0; i < len(lines); i++ {
		info, ok := strings.CutPrefix(lines[i], "```js")
		if !ok {
			continue
		}
		start := i + 1
		var code []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			code = append(code, lines[i])
		}
		n++
		settings := map[string]string{"phase": "pre", "status": "200"}
		for _, m := range docInfoRE.FindAllStringSubmatch(info, -1) {
			settings[m[1]] = m[2]
		}
		vars := map[string]string{}
		if v := settings["variables"]; v != "" {
			for _, kv := range strings.Split(v, ",") {
				k, v, _ := strings.Cut(kv, ":")
				vars[k] = v
			}
		}
		in := pre(vars)
		if settings["phase"] == "post" {
			status := 200
			fmt.Sscan(settings["status"], &status)
			body := `{"id":"u1","name":"Ada","token":"tok-123","expires_in":3600,"roles":["admin","dev"],"items":[{"id":1},{"id":2}]}`
			in = post(status, map[string]string{"Content-Type": "application/json", "X-Request-Id": "r-1"}, body, vars)
		}
		r := runScript(t, ctx, strings.Join(code, "\n"), in, nil)
		if !r.OK {
			t.Errorf("%s:%d: the example fails: %v", path, start, r)
			continue
		}
		for _, tc := range r.Tests {
			if !tc.Passed {
				t.Errorf("%s:%d: test %q fails: %s", path, start, tc.Name, tc.Error)
			}
		}
		if want := settings["expect"]; want != "" {
			k, v, _ := strings.Cut(want, ":")
			if r.Variables[k] != v {
				t.Errorf("%s:%d: variable %s is %q, want %q", path, start, k, r.Variables[k], v)
			}
		}
	}
	if n < 5 {
		t.Errorf("%s has %d js examples, want at least 5", path, n)
	}
	t.Logf("%d examples of %s ran", n, path)
}

// TestSandboxRunawayMemory runs scripts that allocate without bound.
// In Chromium a dedicated worker that fills its V8 heap (about 4 GiB)
// crashes the renderer process, page included, with no error event; the
// sandbox's time limit is what stops such a script first. The run must
// end with an error and the page keep working.
func TestSandboxRunawayMemory(t *testing.T) {
	app, _, _, _ := sandboxServers(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(app.URL+"/_playground/"), ready)
	const grow = `
const keep = [];
for (let i = 1; ; i++) {
  keep.push(new Array(1 << 20).fill(i)); // 4 MiB of elements each
  if (i % 16 === 0) console.log(i * 4);
}
`
	for _, limit := range []int{1000, 2000, 60000} { // 60 s asks for more than the sandbox allows: it gets 2 s
		start := time.Now()
		r := runScript(t, ctx, grow, pre(map[string]string{"v": "1"}), map[string]any{"timeoutMs": limit})
		if r.OK || !r.TimedOut || r.Error == nil || !strings.Contains(r.Error.Message, "memory that keeps growing") || r.Variables["v"] != "1" {
			t.Fatalf("limit %d ms: %v", limit, r)
		}
		if limit > 2000 && !strings.Contains(r.Error.Message, "within 2000 ms") {
			t.Errorf("limit %d ms: %s", limit, r.Error.Message)
		}
		mib := "0"
		if len(r.Logs) > 0 {
			mib = r.Logs[len(r.Logs)-1]
		}
		t.Logf("limit %d ms: stopped after %d ms (%s in all) with at least %s MiB of array elements allocated", limit, r.TimeMs,
			time.Since(start).Round(time.Millisecond), mib)
	}
	// A buffer too large to allocate is a RangeError, not a crash.
	r := runScript(t, ctx, "\nconst b = new Uint8Array(2 ** 40);", pre(nil), nil)
	if r.OK || r.Error == nil || !strings.Contains(r.Error.Message, "RangeError") || r.Error.Line != 2 {
		t.Errorf("a 1 TiB buffer: %v", r)
	}
	// The page is alive: it still lists the route and runs scripts.
	if got := value(t, ctx, count("#routes li")); got != 1 {
		t.Errorf("after the runs the page lists %d routes, want 1", got)
	}
	if r := runScript(t, ctx, "gati.variables.set('alive', 'yes')", pre(nil), nil); !r.OK || r.Variables["alive"] != "yes" {
		t.Errorf("after the runs: %v", r)
	}
}
