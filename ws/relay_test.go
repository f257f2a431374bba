package ws_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"gati.dev/gati"
	"gati.dev/gati/ws"
)

// relayed is a message from the relay to the browser.
type relayed struct {
	Type     string              `json:"type"`
	At       string              `json:"at"`
	Status   int                 `json:"status"`
	Headers  map[string][]string `json:"headers"`
	Protocol string              `json:"protocol"`
	Dropped  []string            `json:"dropped"`
	Body     string              `json:"body"`
	Text     *string             `json:"text"`
	Binary   []byte              `json:"binary"`
	Size     int                 `json:"size"`
	By       string              `json:"by"`
	Code     int                 `json:"code"`
	Reason   string              `json:"reason"`
	Error    string              `json:"error"`
}

// relayTest is an app with WebSocket routes, served on a loopback port.
type relayTest struct {
	url    string                    // ws://host:port
	closes chan websocket.StatusCode // the close codes /closer got from its client
}

func newRelayTest(t *testing.T, env string, cfg *gati.Config) *relayTest {
	t.Helper()
	opts := []gati.Option{gati.WithEnv(env), gati.WithLogOutput(io.Discard)}
	if cfg != nil {
		opts = append(opts, gati.WithConfig(cfg))
	}
	app := gati.New(opts...)
	rt := &relayTest{closes: make(chan websocket.StatusCode, 8)}
	// /echo first tells the headers it got, then echoes every message.
	app.HandleFunc("GET /echo", func(req *gati.Request, res *gati.Response, g *gati.Global, l *gati.Local) error {
		seen := map[string]string{"query": req.HTTP().URL.RawQuery}
		for _, k := range []string{"Authorization", "X-Api-Version", "Keep-Alive", "Proxy-Authorization", "X-Custom", "Origin"} {
			seen[k] = req.HTTP().Header.Get(k)
		}
		return ws.Handler(func(ctx context.Context, c *websocket.Conn, _ *gati.Global, _ *gati.Local) error {
			b, _ := json.Marshal(seen)
			if err := c.Write(ctx, websocket.MessageText, b); err != nil {
				return err
			}
			for {
				typ, msg, err := c.Read(ctx)
				if err != nil {
					return err
				}
				if err := c.Write(ctx, typ, append([]byte("echo:"), msg...)); err != nil {
					return err
				}
			}
		}, nil)(req, res, g, l)
	})
	app.HandleFunc("GET /auth", func(req *gati.Request, res *gati.Response, g *gati.Global, l *gati.Local) error {
		if req.HTTP().Header.Get("Authorization") != "Bearer good" {
			return gati.NewError(http.StatusUnauthorized, "unauthorized", "send Authorization: Bearer good")
		}
		return ws.Handler(func(ctx context.Context, c *websocket.Conn, _ *gati.Global, _ *gati.Local) error {
			return c.Write(ctx, websocket.MessageText, []byte("welcome"))
		}, nil)(req, res, g, l)
	})
	// /closer closes with 4002 "done" on its first message, and reports
	// the close code its client closes with.
	app.HandleFunc("GET /closer", ws.Handler(func(ctx context.Context, c *websocket.Conn, _ *gati.Global, _ *gati.Local) error {
		_, _, err := c.Read(ctx)
		if err != nil {
			rt.closes <- websocket.CloseStatus(err)
			return err
		}
		return c.Close(4002, "done")
	}, nil))
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(func() {
		srv.Close()
		_ = app.Stop(context.Background())
	})
	rt.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	return rt
}

// open opens the relay and sends connect.
func (rt *relayTest) open(t *testing.T, ctx context.Context, connect any, header http.Header) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(ctx, rt.url+gati.PathPlaygroundWS, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dialling the relay: %v (%d)", err, status)
	}
	t.Cleanup(func() { c.CloseNow() })
	sendJSON(t, ctx, c, connect)
	return c
}

func sendJSON(t *testing.T, ctx context.Context, c *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, ctx context.Context, c *websocket.Conn) relayed {
	t.Helper()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("reading from the relay: %v", err)
	}
	var m relayed
	if typ != websocket.MessageText || json.Unmarshal(b, &m) != nil {
		t.Fatalf("the relay sent %v %q", typ, b)
	}
	if _, err := time.Parse(time.RFC3339Nano, m.At); err != nil {
		t.Errorf("message %q has no time: %v", b, err)
	}
	return m
}

// closedWith reads until the relay closes the browser's WebSocket.
func closedWith(t *testing.T, ctx context.Context, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPlaygroundWSRoundTripAndHeaders(t *testing.T) {
	t.Parallel()
	rt, ctx := newRelayTest(t, "development", nil), testCtx(t)
	c := rt.open(t, ctx, map[string]any{"type": "connect", "path": "/echo?api-version=2025-01-01",
		"headers": [][2]string{{"Authorization", "Bearer abc"}, {"X-API-Version", "2025-06-01"}, {"x-custom", "1"},
			{"Keep-Alive", "timeout=5"}, {"Proxy-Authorization", "Basic eA=="}, {"Connection", "close"},
			{"Sec-WebSocket-Extensions", "permessage-deflate"}}}, nil)
	open := next(t, ctx, c)
	if open.Type != "open" || open.Status != http.StatusSwitchingProtocols ||
		strings.Join(open.Dropped, ",") != "Keep-Alive,Proxy-Authorization,Connection,Sec-WebSocket-Extensions" {
		t.Fatalf("open: %+v", open)
	}
	hello := next(t, ctx, c)
	var seen map[string]string
	if hello.Type != "message" || hello.Text == nil || json.Unmarshal([]byte(*hello.Text), &seen) != nil {
		t.Fatalf("first message: %+v", hello)
	}
	want := map[string]string{"Authorization": "Bearer abc", "X-Api-Version": "2025-06-01", "X-Custom": "1",
		"Keep-Alive": "", "Proxy-Authorization": "", "Origin": "", "query": "api-version=2025-01-01"}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("the route got %s %q, want %q", k, seen[k], v)
		}
	}
	sendJSON(t, ctx, c, map[string]any{"type": "send", "text": "hello"})
	if m := next(t, ctx, c); m.Type != "message" || m.Text == nil || *m.Text != "echo:hello" || m.Size != 10 {
		t.Errorf("text echo: %+v", m)
	}
	sendJSON(t, ctx, c, map[string]any{"type": "send", "binary": []byte{0, 1, 2, 255}})
	if m := next(t, ctx, c); m.Type != "message" || m.Text != nil || string(m.Binary) != "echo:\x00\x01\x02\xff" {
		t.Errorf("binary echo: %+v", m)
	}
	sendJSON(t, ctx, c, map[string]any{"type": "send", "text": "x", "binary": "eA=="})
	if m := next(t, ctx, c); m.Type != "error" || !strings.Contains(m.Error, "either") {
		t.Errorf("text and binary: %+v", m)
	}
	sendJSON(t, ctx, c, map[string]any{"type": "close"})
	if m := next(t, ctx, c); m.Type != "close" || m.By != "client" || m.Code != 1000 {
		t.Errorf("close: %+v", m)
	}
	if code := closedWith(t, ctx, c); code != websocket.StatusNormalClosure {
		t.Errorf("the relay closed with %d", code)
	}
}

func TestPlaygroundWSReportsRefusedHandshake(t *testing.T) {
	t.Parallel()
	rt, ctx := newRelayTest(t, "development", nil), testCtx(t)
	c := rt.open(t, ctx, map[string]any{"path": "/auth"}, nil)
	m := next(t, ctx, c)
	if m.Type != "refused" || m.Status != http.StatusUnauthorized || !strings.Contains(m.Body, `"unauthorized"`) ||
		!strings.Contains(strings.Join(m.Headers["Content-Type"], ""), "problem+json") {
		t.Errorf("refused: %+v", m)
	}
	if code := closedWith(t, ctx, c); code != websocket.StatusNormalClosure {
		t.Errorf("the relay closed with %d", code)
	}

	c = rt.open(t, ctx, map[string]any{"path": "/auth", "headers": [][2]string{{"Authorization", "Bearer good"}}}, nil)
	if m := next(t, ctx, c); m.Type != "open" {
		t.Fatalf("with the token: %+v", m)
	}
	if m := next(t, ctx, c); m.Text == nil || *m.Text != "welcome" {
		t.Errorf("welcome: %+v", m)
	}
	if m := next(t, ctx, c); m.Type != "close" || m.By != "server" || m.Code != 1000 {
		t.Errorf("the route's close: %+v", m)
	}
}

func TestPlaygroundWSClosePropagates(t *testing.T) {
	t.Parallel()
	rt, ctx := newRelayTest(t, "development", nil), testCtx(t)

	// The app closes: its code and reason reach the browser.
	c := rt.open(t, ctx, map[string]any{"path": "/closer"}, nil)
	if m := next(t, ctx, c); m.Type != "open" {
		t.Fatalf("open: %+v", m)
	}
	sendJSON(t, ctx, c, map[string]any{"type": "send", "text": "bye"})
	if m := next(t, ctx, c); m.Type != "close" || m.By != "server" || m.Code != 4002 || m.Reason != "done" {
		t.Errorf("the app's close: %+v", m)
	}
	closedWith(t, ctx, c)

	// The browser closes: its code reaches the app.
	c = rt.open(t, ctx, map[string]any{"path": "/closer"}, nil)
	if m := next(t, ctx, c); m.Type != "open" {
		t.Fatalf("open: %+v", m)
	}
	sendJSON(t, ctx, c, map[string]any{"type": "close", "code": 4001, "reason": "enough"})
	if m := next(t, ctx, c); m.Type != "close" || m.By != "client" || m.Code != 4001 || m.Reason != "enough" {
		t.Errorf("the browser's close: %+v", m)
	}
	if code := <-rt.closes; code != 4001 {
		t.Errorf("the app got close code %d, want 4001", code)
	}
	closedWith(t, ctx, c)

	// The browser goes: the app sees it go away.
	c = rt.open(t, ctx, map[string]any{"path": "/closer"}, nil)
	if m := next(t, ctx, c); m.Type != "open" {
		t.Fatalf("open: %+v", m)
	}
	c.CloseNow()
	if code := <-rt.closes; code != websocket.StatusGoingAway {
		t.Errorf("the app got close code %d when the browser went, want 1001", code)
	}
}

// TestPlaygroundWSIsNoOpenProxy asks the relay for other hosts, every way
// a client could put one, and checks that each is refused and that a
// listener standing in for the other host is never dialled.
func TestPlaygroundWSIsNoOpenProxy(t *testing.T) {
	t.Parallel()
	rt, ctx := newRelayTest(t, "development", nil), testCtx(t)
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var dialled atomic.Int32
	go func() {
		for {
			conn, err := other.Accept()
			if err != nil {
				return
			}
			dialled.Add(1)
			conn.Close()
		}
	}()
	defer other.Close()
	host := other.Addr().String()
	for _, connect := range []map[string]any{
		{"path": "http://127.0.0.1:1/"},
		{"path": "http://" + host + "/echo"},
		{"path": "ws://" + host + "/echo"},
		{"path": "//" + host + "/echo"},
		{"path": "//evil.example/x"},
		{"path": "evil.example/x"},
		{"path": host + "/echo"},
		{"path": `/\` + host + "/echo"},
		{"path": `\\evil.example\x`},
		{"path": "/echo\r\nHost: " + host},
		{"path": "/echo\nx"},
		{"path": "/echo x"},
		{"path": ""},
		{"path": gati.PathPlaygroundWS},
		{"path": "/echo", "headers": [][2]string{{"Host", host}}},
		{"path": "/echo", "headers": [][2]string{{"host", "evil.example"}}},
		{"path": "/echo", "headers": [][2]string{{"X-Evil", "a\r\nHost: " + host}}},
		{"path": "/echo", "headers": [][2]string{{"Bad Name", "x"}}},
		{"path": "/echo", "protocols": []string{"a b"}},
	} {
		c := rt.open(t, ctx, connect, nil)
		m := next(t, ctx, c)
		if m.Type != "error" || !strings.Contains(m.Error, "refused") && !strings.Contains(m.Error, "header") && !strings.Contains(m.Error, "subprotocol") {
			t.Errorf("%q: %+v", connect, m)
		}
		if code := closedWith(t, ctx, c); code != websocket.StatusPolicyViolation {
			t.Errorf("%q: closed with %d, want 1008", connect, code)
		}
	}
	if n := dialled.Load(); n != 0 {
		t.Errorf("the other host was dialled %d times", n)
	}
}

func TestPlaygroundWSRefusesForeignOrigin(t *testing.T) {
	t.Parallel()
	rt, ctx := newRelayTest(t, "development", nil), testCtx(t)
	_, resp, err := websocket.Dial(ctx, rt.url+gati.PathPlaygroundWS, &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a page of another origin opened the relay: %v %v", err, resp)
	}
}

func TestPlaygroundWSNeedsTokenOutsideDevelopment(t *testing.T) {
	t.Parallel()
	cfg := &gati.Config{Playground: gati.PlaygroundConfig{Enabled: new(true), Token: "s3cret"}}
	rt, ctx := newRelayTest(t, "production", cfg), testCtx(t)
	for _, auth := range []string{"", "Bearer wrong"} {
		_, resp, err := websocket.Dial(ctx, rt.url+gati.PathPlaygroundWS, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {auth}}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("with %q: %v %v", auth, err, resp)
		}
	}
	c := rt.open(t, ctx, map[string]any{"path": "/echo"}, http.Header{"Authorization": {"Bearer s3cret"}})
	if m := next(t, ctx, c); m.Type != "open" {
		t.Fatalf("with the token: %+v", m)
	}
	if m := next(t, ctx, c); m.Text == nil || strings.Contains(*m.Text, "s3cret") {
		t.Errorf("the playground's token reached the route: %+v", m)
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// TestPlaygroundWSCutsSlowConnect: a client that opens the relay and
// never sends its connect message loses the connection.
func TestPlaygroundWSCutsSlowConnect(t *testing.T) {
	t.Parallel()
	rt, ctx := newRelayTest(t, "development", nil), testCtx(t)
	c, _, err := websocket.Dial(ctx, rt.url+gati.PathPlaygroundWS, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	start := time.Now()
	_, _, err = c.Read(ctx)
	if elapsed := time.Since(start); err == nil || errors.Is(err, context.DeadlineExceeded) || elapsed > 13*time.Second {
		t.Errorf("a silent client kept the relay %s: %v", elapsed, err)
	} else {
		t.Logf("a silent client was cut after %s", elapsed.Round(time.Millisecond))
	}
}

func TestPlaygroundWSNeedsAWebSocket(t *testing.T) {
	t.Parallel()
	rt := newRelayTest(t, "development", nil)
	resp, err := http.Get("http" + strings.TrimPrefix(rt.url, "ws") + gati.PathPlaygroundWS)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired || !strings.Contains(string(body), "upgrade_required") {
		t.Errorf("GET without a handshake: %d %s", resp.StatusCode, body)
	}
}
