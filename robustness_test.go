package gati_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
)

// Regression tests for what a hostile client or a careless handler can do
// to the request path, each named after what it guards.

// serverConfig returns a config with short timeouts for these tests.
func serverConfig(edit func(*gati.ServerConfig)) gati.Option {
	cfg := &gati.Config{}
	edit(&cfg.Server)
	return gati.WithConfig(cfg)
}

// metric returns the value of the exposition line that starts with
// series, or "" when there is none.
func metric(t *testing.T, base, series string) string {
	t.Helper()
	resp, err := http.Get(base + gati.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestTimeoutAnswersWhenHandlerIgnoresContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	returned := make(chan struct{})
	app := newApp()
	handlerID := make(chan string, 1)
	app.HandleFunc("GET /stuck", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		defer close(returned)
		handlerID <- lctx.RequestID() // made on this goroutine, as the watchdog answers on its own
		<-release                     // ignores its context
		return res.Text(200, "too late")
	}, gati.Timeout(100*time.Millisecond))
	srv := start(t, app)
	released := false
	t.Cleanup(func() { // before the server closes: it waits for the handler
		if !released {
			close(release)
		}
	})

	began := time.Now()
	resp, err := srv.Client().Get(srv.URL + "/stuck")
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	p := gatitest.DecodeProblem(t, resp) // answered while the handler is still blocked
	if resp.StatusCode != 503 || p.Code != "timeout" || !resp.Close {
		t.Fatalf("got %d %+v close=%v, want 503 timeout with Connection: close", resp.StatusCode, p, resp.Close)
	}
	if id := <-handlerID; p.RequestID == "" || resp.Header.Get("X-Request-Id") != p.RequestID || p.RequestID != id {
		t.Fatalf("request id %q, header %q, the handler's %q: want one id", p.RequestID, resp.Header.Get("X-Request-Id"), id)
	}
	t.Logf("stuck handler answered 503 after %v (timeout 100ms)", took)
	route := `{method="GET",route="/stuck"}`
	if got := metric(t, srv.URL, "gati_http_handlers_overrunning"); got != "1" {
		t.Fatalf("overrunning = %q while the handler runs, want 1", got)
	}
	if got := metric(t, srv.URL, "gati_http_request_timeouts_total"+route); got != "1" {
		t.Fatalf("timeouts = %q, want 1", got)
	}
	close(release)
	released = true
	<-returned
	waitFor(t, func() bool { return metric(t, srv.URL, "gati_http_handlers_overrunning") == "0" })
	if got := metric(t, srv.URL, `gati_http_requests_total{method="GET",route="/stuck",status="503"}`); got != "1" {
		t.Fatalf("requests_total 503 = %q, want 1", got)
	}
}

// TestTimeoutRequestIDWhenWatchdogDrawsIt covers the other order: the
// request id is drawn on first use, here by the watchdog answering 503,
// and the handler, asking only afterwards, gets the same id.
func TestTimeoutRequestIDWhenWatchdogDrawsIt(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	handlerID := make(chan string, 1)
	app := newApp()
	app.HandleFunc("GET /late-id", func(_ *gati.Request, _ *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		<-release
		handlerID <- lctx.RequestID()
		return nil
	}, gati.Timeout(50*time.Millisecond))
	srv := start(t, app)
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})
	resp, err := srv.Client().Get(srv.URL + "/late-id")
	if err != nil {
		t.Fatal(err)
	}
	p := gatitest.DecodeProblem(t, resp)
	if resp.StatusCode != 503 || p.RequestID == "" {
		t.Fatalf("got %d %+v, want 503 with a request id", resp.StatusCode, p)
	}
	close(release)
	released = true
	if id := <-handlerID; id != p.RequestID {
		t.Fatalf("the handler's request id %q, the 503's %q: want one id", id, p.RequestID)
	}
}

func TestTimeoutIsNeverReportedAs500(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /wait", func(_ *gati.Request, _ *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		<-lctx.Context().Done()
		return fmt.Errorf("waiting for the database: %w", lctx.Context().Err())
	}, gati.Timeout(50*time.Millisecond))
	app.HandleFunc("GET /deadline", func(_ *gati.Request, _ *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		if _, ok := lctx.Deadline(); !ok {
			return errors.New("no deadline on the request context")
		}
		return context.DeadlineExceeded
	})
	srv := start(t, app)
	for _, path := range []string{"/wait", "/deadline"} {
		if r := do(t, srv, "GET", path, ""); r.status != 503 || r.problem.Code != "timeout" {
			t.Errorf("%s: got %d %+v, want 503 timeout", path, r.status, r.problem)
		}
	}
}

func TestKeptRequestContextStaysSafe(t *testing.T) {
	t.Parallel()
	key := gati.NewKey[string]("user")
	kept := make(chan context.Context, 2)
	app := newApp()
	app.HandleFunc("GET /keep", func(req *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		key.Set(lctx, req.Query("user"))
		kept <- lctx.Context()
		kept <- context.WithoutCancel(lctx.Context())
		return res.Text(200, "ok")
	})
	app.HandleFunc("GET /other", func(req *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		key.Set(lctx, "mallory")
		return res.Text(200, "ok")
	})
	srv := start(t, app)
	do(t, srv, "GET", "/keep?user=ada", "")
	ctx, detached := <-kept, <-kept
	checked := make(chan error)
	go func() { // a goroutine that outlives the request, as handlers start them
		for i := 0; i < 20; i++ {
			do(t, srv, "GET", "/other", "") // the pooled Local serves others now
			for _, c := range []context.Context{ctx, detached} {
				if l, ok := gati.LocalFrom(c); ok {
					v, _ := key.Get(l)
					checked <- fmt.Errorf("a kept context still finds a Local (user %q)", v)
					return
				}
			}
		}
		checked <- nil
	}()
	if err := <-checked; err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the kept context is not done after the response")
	}
	if ctx.Err() == nil || detached.Err() != nil {
		t.Fatalf("Err: kept %v, detached %v", ctx.Err(), detached.Err())
	}
}

func TestFinishRunsWhenHandlerPanicsAfterResponseStarted(t *testing.T) {
	t.Parallel()
	var cleanups atomic.Int32
	app := newApp()
	partial := func(v any) gati.HandlerFunc {
		return func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
			lctx.OnCleanup(func() { cleanups.Add(1) })
			s, err := res.Stream(200, "text/plain")
			if err != nil {
				return err
			}
			fmt.Fprint(s, "partial")
			_ = s.Flush()
			panic(v)
		}
	}
	app.HandleFunc("GET /boom", partial("boom"))
	app.HandleFunc("GET /abort", partial(http.ErrAbortHandler))
	srv := start(t, app)
	for _, path := range []string{"/boom", "/abort"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("%s: the body ended cleanly; a handler that panics mid-body must cut the connection", path)
		}
	}
	waitFor(t, func() bool { return cleanups.Load() == 2 })
	if got := metric(t, srv.URL, "gati_http_requests_in_flight"); got != "1" { // the scrape itself
		t.Fatalf("in flight = %q after two aborted requests, want 1", got)
	}
	if got := metric(t, srv.URL, `gati_http_requests_total{method="GET",route="/boom",status="200"}`); got != "1" {
		t.Fatalf("requests_total for the aborted request = %q, want 1", got)
	}
}

func TestPerRouteHTTPMiddlewareContextReachesLocal(t *testing.T) {
	t.Parallel()
	type ctxKey struct{}
	deadline := time.Now().Add(time.Hour)
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithDeadline(context.WithValue(r.Context(), ctxKey{}, "tenant-7"), deadline)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	app := newApp()
	app.HandleFunc("GET /t", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		d, _ := lctx.Deadline()
		_, hasLocal := gati.LocalFrom(lctx.Context())
		return res.Text(200, fmt.Sprintf("%v %v %v", lctx.Context().Value(ctxKey{}), d.Equal(deadline), hasLocal))
	}, gati.WithHTTP(mw), gati.Timeout(-1))
	srv := start(t, app)
	if r := do(t, srv, "GET", "/t", ""); r.body != "tenant-7 true true" {
		t.Fatalf("handler saw %q, want the middleware's value and deadline", r.body)
	}
}

func TestHeadOnStreamingRoutesCompletes(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /events", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		es, err := res.SSE()
		if err != nil {
			return err
		}
		<-lctx.Context().Done() // a stream that waits for events that never come
		return es.Comment("bye")
	})
	srv := start(t, app)
	req, _ := http.NewRequest("HEAD", srv.URL+"/events", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := srv.Client().Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("HEAD on an SSE route: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestStreamsAreExemptFromTheRequestTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 50 * time.Millisecond
	app := newApp()
	app.HandleFunc("GET /events", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		es, err := res.SSE()
		if err != nil {
			return err
		}
		if d, ok := lctx.Deadline(); ok {
			return fmt.Errorf("the stream's context has a deadline (%v)", d)
		}
		time.Sleep(4 * timeout) // outlive the route's timeout
		return es.Send(gati.Event{Data: "still here"})
	}, gati.Timeout(timeout))
	srv := start(t, app)
	resp, err := srv.Client().Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "data: still here") {
		t.Fatalf("stream got %d %q", resp.StatusCode, b)
	}
}

// rawConn dials the server for tests that misbehave below HTTP.
func rawConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reads c until the server closes it, failing the test if
// that takes longer than limit; it returns what was read and how long.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) (string, time.Duration) {
	t.Helper()
	began := time.Now()
	_ = c.SetReadDeadline(began.Add(limit))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v; read %q", limit, b)
	}
	return string(b), time.Since(began)
}

func TestSlowBodySenderIsCutAtReadTimeout(t *testing.T) {
	t.Parallel()
	app := newApp(serverConfig(func(s *gati.ServerConfig) { s.ReadTimeout = 200 * time.Millisecond }))
	app.HandleFunc("POST /upload", func(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		b, err := req.Body()
		if err != nil {
			return err
		}
		return res.Text(200, fmt.Sprint(len(b)))
	})
	srv := start(t, app)
	c := rawConn(t, srv.Listener.Addr().String())
	fmt.Fprint(c, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nabc")
	out, took := closedWithin(t, c, 5*time.Second)
	if !strings.HasPrefix(out, "HTTP/1.1 408 ") || !strings.Contains(out, `"code":"body_timeout"`) {
		t.Fatalf("slow sender got %q", out)
	}
	t.Logf("slow body sender: 408 and closed after %v (read_timeout 200ms)", took)
}

func TestSlowResponseReaderIsCutAtWriteTimeout(t *testing.T) {
	t.Parallel()
	wrote := make(chan error, 1)
	app := newApp(serverConfig(func(s *gati.ServerConfig) {
		s.RequestTimeout, s.WriteTimeout = 100*time.Millisecond, 200*time.Millisecond
	}))
	app.HandleFunc("GET /big", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		err := res.Bytes(200, "application/octet-stream", make([]byte, 64<<20))
		wrote <- err
		return err
	})
	srv := start(t, app)
	c := rawConn(t, srv.Listener.Addr().String())
	fmt.Fprint(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	// The client reads nothing: the write must fail once the deadline passes.
	select {
	case err := <-wrote:
		if err == nil {
			t.Fatal("64 MiB written to a client that reads nothing")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler's write to a client that reads nothing still blocks after 10s (write bound 300ms)")
	}
}

func TestModulesInitializingGetAnAnswer(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	app := newApp()
	app.Module(&blockingModule{release: release})
	app.Handle("GET /hello", gati.Typed(greet))
	addr, stop := serveLoopback(t, app)
	base := "http://" + addr
	for path, want := range map[string]string{gati.PathStartup: "starting", gati.PathLive: "starting", "/hello": "not_started"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("%s while modules initialize: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(b), want) {
			t.Errorf("%s while modules initialize: %d %s, want 503 %s", path, resp.StatusCode, b, want)
		}
	}
	close(release)
	waitReady(t, base)
	stop()
}

type blockingModule struct{ release chan struct{} }

func (m *blockingModule) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "slow-db"} }
func (m *blockingModule) Init(ctx context.Context, _ *gati.ModuleContext) error {
	select {
	case <-m.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestResponsesDuringDrainCloseTheirConnection(t *testing.T) {
	t.Parallel()
	app := newApp(serverConfig(func(s *gati.ServerConfig) { s.DrainDelay = time.Second }))
	app.Handle("GET /hello", gati.Typed(greet))
	addr, stop := serveLoopback(t, app)
	base := "http://" + addr
	waitReady(t, base)
	c := rawConn(t, addr)
	br := bufio.NewReader(c)
	get := func() *http.Response {
		fmt.Fprint(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		return resp
	}
	if resp := get(); resp.Close {
		t.Fatal("Connection: close before shutdown")
	}
	go stop() // SIGTERM: the drain delay begins
	waitNotReady(t, base)
	if resp := get(); resp.StatusCode != 200 || !resp.Close {
		t.Fatalf("during the drain: %d close=%v, want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	closedWithin(t, c, 5*time.Second)
}

// waitFor polls cond until it holds, for at most five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMalformedQueryIsNamedNotDropped(t *testing.T) {
	t.Parallel()
	type in struct {
		Limit int    `query:"limit"`
		Q     string `query:"q"`
	}
	app := newApp()
	app.Handle("GET /search", gati.Typed(func(_ *gati.Global, _ *gati.Local, in in) (in, error) { return in, nil }))
	srv := start(t, app)
	for query, pointer := range map[string]string{
		"limit=5000;":        "/query/limit",
		"q=a%zz&limit=1":     "/query/q",
		"q=ok&li%mit=2":      "/query/li%mit",
		"limit=1;q=x":        "/query/limit",
		"q=caf%C3%A9&limit=": "/query/limit", // empty is not an int: still named
	} {
		r := do(t, srv, "GET", "/search?"+query, "")
		if r.status != 400 || len(r.problem.Errors) == 0 || r.problem.Errors[0].Pointer != pointer {
			t.Errorf("?%s: got %d %+v, want 400 naming %s", query, r.status, r.problem, pointer)
		}
	}
	if r := do(t, srv, "GET", "/search?q=caf%C3%A9&limit=5", ""); r.status != 200 || r.body != `{"Limit":5,"Q":"café"}` {
		t.Errorf("a valid query: %d %s", r.status, r.body)
	}
}

func TestJSONErrorsPointAtTheField(t *testing.T) {
	t.Parallel()
	type item struct {
		Qty uint8 `json:"qty"`
	}
	type in struct {
		Name  string `json:"name"`
		Items []item `json:"items"`
	}
	app := newApp()
	app.Handle("POST /orders", gati.Typed(func(_ *gati.Global, _ *gati.Local, in in) (in, error) { return in, nil }))
	srv := start(t, app)
	for body, pointer := range map[string]string{
		`{"name":"ok","items":[{"qty":1},{"qty":300}]}`:   "/items/1/qty",
		"{\"name\":\"caf\xe9\"}":                          "/name",
		`{"name":"ok","items":[{"qty":1},{"qty":1e400}]}`: "/items/1/qty", // overflows float64
		`{"name":7}`: "/name",
	} {
		r := do(t, srv, "POST", "/orders", body, "Content-Type", "application/json")
		found := false
		for _, e := range r.problem.Errors {
			found = found || e.Pointer == pointer
		}
		if r.status != 400 && r.status != 422 || !found {
			t.Errorf("%q: got %d %+v, want an error at %s", body, r.status, r.problem, pointer)
		}
	}
}

func TestReadinessIsBoundedAndCallsAHungCheckOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	app := newApp()
	app.Global().AddHealthCheck("fast", func(context.Context) error { return nil })
	app.Global().AddHealthCheck("hung", func(context.Context) error {
		calls.Add(1)
		<-hang // ignores its context
		return nil
	})
	srv := start(t, app)
	var last result
	for i := 0; i < 3; i++ {
		began := time.Now()
		last = do(t, srv, "GET", gati.PathReady, "")
		t.Logf("probe %d: %d in %v", i, last.status, time.Since(began))
		if last.status != 503 {
			t.Fatalf("probe %d: %d %s, want 503", i, last.status, last.body)
		}
	}
	if !strings.Contains(last.body, `"hung"`) || strings.Contains(last.body, `"fast"`) {
		t.Fatalf("report %s should name the hung check only", last.body)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("the hung check was called %d times; a check that has not returned must not be called again", n)
	}
}

// serveLoopback serves app with Serve on a loopback listener, as Run
// does, and returns the address and a func that stops it like SIGTERM and
// waits for Serve to return. The test's end stops it too.
func serveLoopback(t *testing.T, app *gati.App) (addr string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveListener(t, app, ln)
}

// serveListener serves app on ln until the test ends or stop is called.
func serveListener(t *testing.T, app *gati.App, ln net.Listener) (addr string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return ln.Addr().String(), stop
}

// TestAmbiguousFramingClosesTheConnection runs over TCP and over a Unix
// socket: Serve watches the bytes of each with a connection type of its own.
func TestAmbiguousFramingClosesTheConnection(t *testing.T) {
	t.Parallel()
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			testAmbiguousFraming(t, network)
		})
	}
}

func testAmbiguousFraming(t *testing.T, network string) {
	app := newApp()
	app.HandleFunc("POST /echo", func(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		b, err := req.Body()
		if err != nil {
			return err
		}
		return res.Text(200, string(b))
	})
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "gati.sock")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ = serveListener(t, app, ln)
	dial := func() net.Conn {
		c, err := net.Dial(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	client := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return net.Dial(network, addr)
	}}}
	defer client.CloseIdleConnections()
	waitReadyWith(t, client, "http://gati")
	tests := []struct {
		name, request string
		closes        bool
	}{
		{"Content-Length and Transfer-Encoding",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", true},
		{"Transfer-Encoding first, odd case",
			"POST /echo HTTP/1.1\r\nHost: x\r\ntransfer-ENCODING: chunked\r\nCONTENT-length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", true},
		{"HTTP/1.0 with Transfer-Encoding",
			"POST /echo HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello", true},
		{"chunked alone keeps the connection",
			"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false},
	}
	for _, tt := range tests {
		c := dial()
		fmt.Fprint(c, tt.request)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "hello" || resp.Close != tt.closes {
			t.Errorf("%s: %d %q Connection: close=%v, want 200 hello close=%v", tt.name, resp.StatusCode, b, resp.Close, tt.closes)
		}
		if tt.closes {
			closedWithin(t, c, 5*time.Second)
		}
	}
}
