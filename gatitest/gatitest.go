// Package gatitest helps test Gati apps: in process with an httptest
// server, or as a built binary run the way production runs it.
//
//	func TestHello(t *testing.T) {
//		app := gati.New(gati.WithEnv("test"))
//		gatiRegister(app)
//		srv := gatitest.Serve(t, app)
//		resp, err := srv.Client().Get(srv.URL + "/hello?name=Ada")
//		...
//	}
package gatitest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"gati.dev/gati"
)

// Serve starts app (initializing its modules) and serves it from an
// httptest server with the app's own server settings (its timeouts among
// them). Both stop when the test ends.
func Serve(tb testing.TB, app *gati.App) *httptest.Server {
	tb.Helper()
	if err := app.Start(context.Background()); err != nil {
		tb.Fatalf("gatitest: starting the app: %v", err)
	}
	srv := httptest.NewUnstartedServer(app)
	srv.Config = app.HTTPServer()
	srv.Start()
	tb.Cleanup(func() {
		srv.Close()
		if err := app.Stop(context.Background()); err != nil {
			tb.Errorf("gatitest: stopping the app: %v", err)
		}
	})
	return srv
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("gatitest: finding a free port: %v", err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// DecodeProblem reads resp's body as an RFC 9457 problem document,
// failing the test when it is not one. It closes the body.
func DecodeProblem(tb testing.TB, resp *http.Response) gati.Problem {
	tb.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("gatitest: reading the body: %v", err)
	}
	var p gati.Problem
	if ct := resp.Header.Get("Content-Type"); ct != gati.ProblemContentType {
		tb.Fatalf("gatitest: Content-Type %q, want %s; body %s", ct, gati.ProblemContentType, body)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		tb.Fatalf("gatitest: problem %s: %v", body, err)
	}
	return p
}
