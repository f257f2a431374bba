// Package browser tests the playground UI, as the app serves it at
// /_playground/, in real headless Chromium (/usr/bin/chromium, Debian
// package chromium) driven with chromedp. The tests fail when Chromium is
// missing: scripts/test installs it.
package browser

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/gatitest"
	"gati.dev/gati/internal/playground"
)

// chromium is the browser the tests drive.
const chromium = "/usr/bin/chromium"

var examples = filepath.Join("..", "..", "..", "..", "..", "examples")

// bins are the example apps, built once by TestMain.
var bins = map[string]string{"tasks": "", "versioned-api": ""}

func TestMain(m *testing.M) {
	os.Exit(func() int {
		if _, err := os.Stat(chromium); err != nil {
			fmt.Fprintf(os.Stderr, "the playground's browser tests need Chromium at %s: install it (Debian/Ubuntu: apt-get install chromium); scripts/test does\n", chromium)
			return 1
		}
		dir, err := os.MkdirTemp("", "pgbrowser")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		for name := range bins {
			bins[name] = filepath.Join(dir, name)
			cmd := exec.Command("go", "build", "-o", bins[name], ".")
			cmd.Dir = filepath.Join(examples, name)
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "building examples/%s: %v\n%s", name, err, out)
				return 1
			}
		}
		return m.Run()
	}())
}

// startExample runs examples/name in development and returns its URL.
func startExample(t *testing.T, name string) string {
	t.Helper()
	cmd := exec.Command(bins[name])
	cmd.Dir = filepath.Join(examples, name) // for its gati.yaml and .gati/versions
	cmd.Env = append(os.Environ(), "GATI_ENV=development")
	return gatitest.Start(t, cmd).URL
}

// manifestRoutes counts the routes of the example's manifest, as gati
// build writes it to .gati/manifest.json: one per method and path (older
// implementations, registered with until=, share their route's).
func manifestRoutes(t *testing.T, name string) int {
	t.Helper()
	r, err := analyze.Analyze(t.Context(), filepath.Join(examples, name))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range r.Manifest.Routes {
		if rt.Until == "" {
			n++
		}
	}
	return n
}

// browser starts headless Chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// screenshots is where the tests write a PNG of each step: $GATI_SCREENSHOTS,
// else a directory removed after the test.
func screenshots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GATI_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// screenshot writes a PNG of the viewport to dir/name.png.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		png, err := chromedp.CaptureScreenshot()(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// ready waits for the explorer to have rendered the route list.
var ready = chromedp.WaitVisible(chromedp.CSS(`body[data-state="ready"]`))

// selectRoute clicks the route in the explorer.
func selectRoute(method, path string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(fmt.Sprintf(`#routes li[data-method=%q][data-path=%q]`, method, path)))
}

func count(sel string) chromedp.Action[int] {
	return chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

func TestExplorerAndBuilderOnTasks(t *testing.T) {
	t.Parallel()
	url, want, shots := startExample(t, "tasks"), manifestRoutes(t, "tasks"), screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready, screenshot(shots, "1-explorer"))
	if listed := value(t, ctx, count("#routes li")); listed != want || want == 0 {
		t.Errorf("the explorer lists %d routes, the manifest %d", listed, want)
	}
	// gati build marked the streams: Events is a WebSocket, Stream SSE.
	if ws, sse := value(t, ctx, count(`#routes li[data-path="/tasks/events"] .stream[data-kind="websocket"]`)),
		value(t, ctx, count(`#routes li[data-path="/tasks/stream"] .stream[data-kind="sse"]`)); ws != 1 || sse != 1 {
		t.Errorf("stream badges: %d WebSocket on /tasks/events, %d SSE on /tasks/stream; want one each", ws, sse)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "{id}"), screenshot(shots, "2-filtered"))
	if shown := value(t, ctx, count("#routes li:not([hidden])")); shown != 3 { // GET, PATCH and DELETE /tasks/{id}
		t.Errorf("filtering on {id} shows %d routes, want 3", shown)
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#filter"), " "), selectRoute("GET", "/tasks"),
		chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#status")),
		screenshot(shots, "3-get-tasks"))
	status := value(t, ctx, chromedp.Text(chromedp.CSS("#status")))
	body := value(t, ctx, chromedp.Text(chromedp.CSS("#resp-body")))
	if !strings.HasPrefix(status, "200") || !strings.Contains(body, "[") {
		t.Errorf("GET /tasks: %q %q", status, body)
	}

	// Run on its own, the app has no file API: saving says how to get one.
	if !value(t, ctx, chromedp.Evaluate[bool](`document.querySelector("#save").disabled && document.querySelector("#export").disabled`)) {
		t.Error("Save and Export are enabled without the file API")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`#tabs [data-tab="saved"]`)), chromedp.WaitVisible(chromedp.CSS("#saved-unavailable")))
	if hint := value(t, ctx, chromedp.Text(chromedp.CSS("#saved-unavailable"))); !strings.Contains(hint, "gati dev") {
		t.Errorf("the Saved tab without the file API says %q", hint)
	}
}

func TestBuilderSendsDeprecatedVersion(t *testing.T) {
	t.Parallel()
	url, want, shots := startExample(t, "versioned-api"), manifestRoutes(t, "versioned-api"), screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(url+"/_playground/"), ready)
	if listed := value(t, ctx, count("#routes li")); listed != want || want == 0 {
		t.Errorf("the explorer lists %d routes, the manifest %d", listed, want)
	}
	do(t, ctx, selectRoute("GET", "/users/{id}"),
		chromedp.SetValue(chromedp.CSS("#version"), "2025-01-01"),
		chromedp.SetValue(chromedp.CSS(`[data-param="id"]`), "nobody"),
		chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#status")),
		screenshot(shots, "4-deprecated-version"))
	status := value(t, ctx, chromedp.Text(chromedp.CSS("#status")))
	headers := value(t, ctx, chromedp.Text(chromedp.CSS("#resp-headers")))
	problem := value(t, ctx, chromedp.Text(chromedp.CSS("#problem")))
	h := strings.ToLower(headers)
	if !strings.HasPrefix(status, "404") || !strings.Contains(h, "deprecation: @") || !strings.Contains(h, "sunset: ") ||
		!strings.Contains(h, "x-api-version: 2025-01-01") {
		t.Errorf("GET /users/nobody at 2025-01-01: %q\n%s", status, headers)
	}
	if !strings.Contains(problem, "not_found") {
		t.Errorf("the problem view shows %q", problem)
	}
	// versioned-api serves no WebSocket route, so it has no relay to test one through.
	if n := value(t, ctx, count("#open-ws")); n != 0 {
		t.Errorf("a WebSocket… button without the relay")
	}
}

// TestThousandRoutes measures how long the explorer takes to list an
// app's 1,000 routes, from navigation to the list rendered. It reports
// the time; it does not assert one.
func TestThousandRoutes(t *testing.T) {
	t.Parallel()
	app := gati.New(gati.WithEnv("development"), gati.WithLogOutput(io.Discard))
	ok := func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		return res.JSON(http.StatusOK, map[string]string{"ok": "yes"})
	}
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	for i := range 1000 {
		app.HandleFunc(fmt.Sprintf("%s /resource%d/{id}", methods[i%4], i/4), ok)
	}
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	shots := screenshots(t)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate("about:blank")) // start the browser outside the measure
	start := time.Now()
	do(t, ctx, chromedp.Navigate(srv.URL+"/_playground/"), ready)
	elapsed := time.Since(start)
	if listed := value(t, ctx, count("#routes li")); listed != 1000 {
		t.Fatalf("the explorer lists %d routes, want 1000", listed)
	}
	t.Logf("1,000 routes listed %s after navigation", elapsed.Round(time.Millisecond))
	start = time.Now()
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "resource249/"), screenshot(shots, "5-thousand-routes-filtered"))
	if shown := value(t, ctx, count("#routes li:not([hidden])")); shown != 4 {
		t.Errorf("filtering shows %d routes, want 4", shown)
	}
	t.Logf("typing a 12-character filter over 1,000 routes took %s", time.Since(start).Round(time.Millisecond))
}

// TestRouteListUnreachable shows a message, not a blank page, when the
// route list fails.
func TestRouteListUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_playground/api/routes" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		playground.ServeAsset(w, r, strings.TrimPrefix(r.URL.Path, "/_playground/"))
	}))
	t.Cleanup(srv.Close)
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(srv.URL+"/_playground/"), chromedp.WaitVisible(chromedp.CSS(`body[data-state="error"]`)))
	msg := value(t, ctx, chromedp.Text(chromedp.CSS("#message")))
	if !strings.Contains(msg, "cannot reach the app's route list") || !strings.Contains(msg, "500") {
		t.Errorf("message %q", msg)
	}
}
