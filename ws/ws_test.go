package ws_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"gati.dev/gati"
	"gati.dev/gati/gatitest"
	"gati.dev/gati/ws"
)

func echo(ctx context.Context, c *websocket.Conn, _ *gati.Global, lctx *gati.Local) error {
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if err := c.Write(ctx, typ, append([]byte(lctx.Pattern()+": "), msg...)); err != nil {
			return err
		}
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	app.HandleFunc("GET /echo", ws.Handler(echo, nil))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	defer srv.Close()
	defer app.Stop(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	for _, msg := range []string{"hello", "again"} {
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.Read(ctx)
		if err != nil || string(got) != "GET /echo: "+msg {
			t.Fatalf("read %q, %v", got, err)
		}
	}
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
}

func TestPlainRequestIsRefused(t *testing.T) {
	t.Parallel()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	app.HandleFunc("GET /echo", ws.Handler(echo, nil))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/echo")
	if err != nil {
		t.Fatal(err)
	}
	if p := gatitest.DecodeProblem(t, resp); resp.StatusCode != 426 || p.Code != "upgrade_required" || resp.Header.Get("Upgrade") != "websocket" {
		t.Fatalf("got %d %+v %v, want a 426 problem with Upgrade: websocket", resp.StatusCode, p, resp.Header)
	}
}

func TestForeignOriginIsRefusedAsProblem(t *testing.T) {
	t.Parallel()
	app := gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
	app.HandleFunc("GET /echo", ws.Handler(echo, nil))
	srv := gatitest.Serve(t, app)
	req, _ := http.NewRequest("GET", srv.URL+"/echo", nil)
	for k, v := range map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": "http://evil.example"} {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if p := gatitest.DecodeProblem(t, resp); resp.StatusCode != 403 || p.Code != "websocket_refused" || !strings.Contains(p.Detail, "evil.example") {
		t.Fatalf("got %d %+v, want a 403 problem naming the origin", resp.StatusCode, p)
	}
}
