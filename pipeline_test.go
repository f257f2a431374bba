package gati_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gati.dev/gati"
)

func tag(name string, order *[]string) gati.Middleware {
	return func(next gati.HandlerFunc) gati.HandlerFunc {
		return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
			*order = append(*order, name+":"+lctx.Pattern())
			return next(req, res, gctx, lctx)
		}
	}
}

func tagHTTP(name string, order *[]string) gati.HTTPMiddleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			*order = append(*order, name)
			w.Header().Set("X-"+name, "1")
			next.ServeHTTP(w, r)
		})
	}
}

func TestMiddlewareOrder(t *testing.T) {
	var order []string // requests below are sequential
	app := newApp()
	app.UseHTTP(tagHTTP("h1", &order), tagHTTP("h2", &order))
	app.Use(tag("g1", &order), tag("g2", &order))
	app.HandleFunc("GET /x", func(req *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		_, fromCtx := gati.LocalFrom(req.HTTP().Context())
		order = append(order, "handler")
		if !fromCtx {
			order = append(order, "no-local-in-context")
		}
		return res.Text(200, "ok")
	}, gati.With(tag("r1", &order)), gati.WithHTTP(tagHTTP("rh", &order)))
	srv := start(t, app)

	r := do(t, srv, "GET", "/x", "")
	want := "h1 h2 rh g1:GET /x g2:GET /x r1:GET /x handler"
	if got := strings.Join(order, " "); got != want || r.header.Get("X-rh") != "1" {
		t.Fatalf("order:\n got %s\nwant %s", got, want)
	}
	order = nil
	if r := do(t, srv, "GET", "/missing", ""); r.status != 404 || r.header.Get("X-h1") != "1" {
		t.Fatalf("global HTTP middleware must see 404s: %d %v", r.status, r.header)
	}
	if got := strings.Join(order, " "); got != "h1 h2" {
		t.Fatalf("404 order %q", got)
	}
}

func TestMiddlewareCanShortCircuitWithError(t *testing.T) {
	t.Parallel()
	auth := func(next gati.HandlerFunc) gati.HandlerFunc {
		return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
			if req.Header("Authorization") == "" {
				return gati.NewError(401, "unauthenticated", "send a bearer token")
			}
			return next(req, res, gctx, lctx)
		}
	}
	app := newApp()
	app.Handle("GET /me", gati.Typed(greet), gati.With(auth))
	srv := start(t, app)
	if r := do(t, srv, "GET", "/me", ""); r.status != 401 || r.problem.Code != "unauthenticated" || r.problem.Detail != "send a bearer token" {
		t.Fatalf("got %d %+v", r.status, r.problem)
	}
	if r := do(t, srv, "GET", "/me", "", "Authorization", "Bearer x"); r.status != 200 {
		t.Fatalf("got %d", r.status)
	}
}

func TestResponseWriteTwiceIsAnError(t *testing.T) {
	t.Parallel()
	var second error
	app := newApp()
	app.HandleFunc("GET /twice", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		if err := res.Text(200, "first"); err != nil {
			return err
		}
		second = res.JSON(500, map[string]string{"x": "y"})
		return nil
	})
	srv := start(t, app)
	r := do(t, srv, "GET", "/twice", "")
	if r.status != 200 || r.body != "first" || !errors.Is(second, gati.ErrAlreadyWritten) {
		t.Fatalf("got %d %q, second write: %v", r.status, r.body, second)
	}
}

func TestResponseForms(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /redirect", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		res.SetCookie(&http.Cookie{Name: "seen", Value: "1"})
		return res.Redirect(http.StatusSeeOther, "/elsewhere")
	})
	app.HandleFunc("GET /bytes", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		return res.Bytes(200, "image/png", []byte{0x89, 'P', 'N', 'G'})
	})
	app.HandleFunc("GET /empty", func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error { return nil })
	app.HandleFunc("POST /form", func(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		f, err := req.Form()
		if err != nil {
			return err
		}
		c, _ := req.Cookie("session")
		return res.Text(200, f.Get("a")+"/"+f.Get("q")+"/"+c.Value)
	})
	srv := start(t, app)
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(srv.URL + "/redirect")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/elsewhere" || resp.Header.Get("Set-Cookie") != "seen=1" {
		t.Fatalf("redirect: %d %v", resp.StatusCode, resp.Header)
	}
	if r := do(t, srv, "GET", "/bytes", ""); r.header.Get("Content-Type") != "image/png" || r.body != "\x89PNG" {
		t.Fatalf("bytes: %v %q", r.header, r.body)
	}
	if r := do(t, srv, "GET", "/empty", ""); r.status != 204 {
		t.Fatalf("empty: %d", r.status)
	}
	r := do(t, srv, "POST", "/form?q=2", "a=1", "Content-Type", "application/x-www-form-urlencoded", "Cookie", "session=s3")
	if r.body != "1/2/s3" {
		t.Fatalf("form: %d %q", r.status, r.body)
	}
}

func TestServerSentEvents(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /events", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		es, err := res.SSE()
		if err != nil {
			return err
		}
		if err := es.Send(gati.Event{ID: "1", Event: "tick", Data: "a\nb"}); err != nil {
			return err
		}
		return es.Send(gati.Event{Data: "done", Retry: 500})
	})
	srv := start(t, app)
	r := do(t, srv, "GET", "/events", "")
	want := "id: 1\nevent: tick\ndata: a\ndata: b\n\nretry: 500\ndata: done\n\n"
	if r.header.Get("Content-Type") != "text/event-stream" || r.body != want {
		t.Fatalf("got %v %q", r.header, r.body)
	}
}

func TestStreamFlushesIncrementally(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	app := newApp()
	app.HandleFunc("GET /stream", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		s, err := res.Stream(200, "text/plain")
		if err != nil {
			return err
		}
		io.WriteString(s, "first\n")
		s.Flush()
		<-release
		_, err = io.WriteString(s, "second\n")
		return err
	})
	srv := start(t, app)
	resp, err := srv.Client().Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n') // arrives before the handler finishes
	close(release)
	if line != "first\n" || err != nil {
		t.Fatalf("first line %q %v", line, err)
	}
	if rest, _ := io.ReadAll(br); string(rest) != "second\n" {
		t.Fatalf("rest %q", rest)
	}
}

func TestTraceparentIsContinued(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /t", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		return res.Text(200, lctx.Trace().TraceIDString()+" "+lctx.Trace().Traceparent())
	})
	srv := start(t, app)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	r := do(t, srv, "GET", "/t", "", "traceparent", parent)
	id, next, _ := strings.Cut(r.body, " ")
	if id != "4bf92f3577b34da6a3ce929d0e0e4736" || !strings.HasPrefix(next, "00-4bf92f3577b34da6a3ce929d0e0e4736-") ||
		strings.Contains(next, "00f067aa0ba902b7") || !strings.HasSuffix(next, "-01") {
		t.Fatalf("got %q", r.body)
	}
	for _, bad := range []string{"", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "zz-garbage"} {
		r := do(t, srv, "GET", "/t", "", "traceparent", bad)
		if id, _, _ := strings.Cut(r.body, " "); len(id) != 32 || id == "00000000000000000000000000000000" {
			t.Fatalf("traceparent %q: new trace id %q", bad, id)
		}
	}
}

var userKey = gati.NewKey[string]("user")

func TestStateAndCleanups(t *testing.T) {
	t.Parallel()
	var cleaned atomic.Int32
	setUser := func(next gati.HandlerFunc) gati.HandlerFunc {
		return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
			userKey.Set(lctx, "ada")
			lctx.OnCleanup(func() { cleaned.Add(1) })
			return next(req, res, gctx, lctx)
		}
	}
	app := newApp()
	app.Use(setUser)
	app.HandleFunc("GET /me", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		u, _ := userKey.Get(lctx)
		return res.Text(200, u)
	})
	app.HandleFunc("GET /panic", func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error { panic("x") })
	srv := start(t, app)
	if r := do(t, srv, "GET", "/me", ""); r.body != "ada" {
		t.Fatalf("state %q", r.body)
	}
	do(t, srv, "GET", "/panic", "")
	if n := cleaned.Load(); n != 2 {
		t.Fatalf("cleanups ran %d times, want 2 (one after a panic)", n)
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	rec := &recorder{}
	app := newApp()
	app.Module(&testModule{name: "db", rec: rec})
	app.Global().OnShutdown(func(context.Context) error { rec.add("hook:first"); return nil })
	app.Global().OnShutdown(func(context.Context) error { rec.add("hook:second"); return nil })
	app.HandleFunc("GET /slow", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		close(started)
		<-release
		return res.Text(200, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	waitReady(t, base)

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel() // SIGTERM
	waitNotReady(t, base)
	close(release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("listener still accepting after shutdown")
	}
	if got, want := rec.String(), "init:db hook:second hook:first shutdown:db"; got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	waitReadyWith(t, http.DefaultClient, base)
}

func waitReadyWith(t *testing.T, client *http.Client, base string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if resp, err := client.Get(base + gati.PathReady); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("app never became ready")
}

// waitNotReady polls readiness during shutdown: it must turn 503 while
// in-flight requests still run, or the listener must already be closed.
func waitNotReady(t *testing.T, base string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		resp, err := http.Get(base + gati.PathReady)
		if err != nil {
			return
		}
		resp.Body.Close()
		if resp.StatusCode == 503 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("readiness never turned false")
}

func TestShutdownEndsStreams(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /events", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		es, err := res.SSE()
		if err != nil {
			return err
		}
		if err := es.Comment("open"); err != nil {
			return err
		}
		<-lctx.Context().Done() // a stream that never ends by itself
		return nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	waitReady(t, base)
	resp, err := http.Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if line, _ := bufio.NewReader(resp.Body).ReadString('\n'); line != ": open\n" {
		t.Fatalf("stream started with %q", line)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an open stream held shutdown up")
	}
	select {
	case <-app.Global().Stopping():
	default:
		t.Fatal("Stopping not closed after shutdown")
	}
}

type paramsIn struct {
	Done   *bool    `query:"done"`
	Limit  *int     `query:"limit"`
	Tags   []string `query:"tag"`
	Flavor []string `cookie:"flavor"`
}

func TestOptionalAndRepeatedParameters(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Handle("GET /p", gati.Typed(func(_ *gati.Global, _ *gati.Local, in paramsIn) (paramsIn, error) { return in, nil }))
	srv := start(t, app)
	r := do(t, srv, "GET", "/p?done=false&tag=a&tag=b", "", "Cookie", "flavor=mint; flavor=lime")
	if r.body != `{"Done":false,"Limit":null,"Tags":["a","b"],"Flavor":["mint","lime"]}` {
		t.Fatalf("got %s", r.body)
	}
	r = do(t, srv, "GET", "/p?limit=ten", "")
	if r.status != 400 || len(r.problem.Errors) != 1 || r.problem.Errors[0].Pointer != "/query/limit" {
		t.Fatalf("got %d %+v", r.status, r.problem)
	}
}

func TestProblemDoesNotEscapeHTML(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.HandleFunc("GET /x", func(*gati.Request, *gati.Response, *gati.Global, *gati.Local) error {
		return gati.NewError(401, "unauthenticated", "send Authorization: Bearer <token>")
	})
	srv := start(t, app)
	if r := do(t, srv, "GET", "/x", ""); !strings.Contains(r.body, "Bearer <token>") {
		t.Fatalf("got %s", r.body)
	}
}

// TestEscapedSlashStaysInItsSegment guards path parameters holding an
// encoded slash: /files/a%2Fb matches /files/{name} with name "a/b", as
// net/http's ServeMux does, and a rest wildcard gets its value decoded;
// an unescaped slash still separates segments.
func TestEscapedSlashStaysInItsSegment(t *testing.T) {
	t.Parallel()
	app := newApp()
	echo := func(name string) gati.HandlerFunc {
		return func(req *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
			return res.Text(200, name+"="+req.Param(name))
		}
	}
	app.HandleFunc("GET /files/{name}", echo("name"))
	app.HandleFunc("GET /tree/{path...}", echo("path"))
	srv := start(t, app)
	for target, want := range map[string]string{
		"/files/a%2Fb":     "name=a/b",
		"/files/caf%C3%A9": "name=café",
		"/files/a%20b":     "name=a b",
		"/tree/x%2Fy/z":    "path=x/y/z",
		"/tree/plain/path": "path=plain/path",
	} {
		r := do(t, srv, "GET", target, "")
		if r.status != 200 || r.body != want {
			t.Errorf("GET %s: %d %q, want 200 %q", target, r.status, r.body, want)
		}
	}
	if r := do(t, srv, "GET", "/files/a/b", ""); r.status != 404 {
		t.Errorf("GET /files/a/b: %d, want 404 (a slash separates segments)", r.status)
	}
}
