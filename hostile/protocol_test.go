package hostile_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gati.dev/gati"
)

// Probes of requests that are malformed or ambiguous on the wire, and of
// handlers that fail half-way.

// responsesIn counts the status lines in what a server sent.
func responsesIn(out string) int {
	return strings.Count(out, "HTTP/1.1 ") + strings.Count(out, "HTTP/1.0 ")
}

func TestAdvisory_ContentLengthWithTransferEncodingClosesTheConnection(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	// Headers may take their time here: read_header_timeout is not the point.
	a := start(t, misbehavingBin, strings.Replace(shortTimeouts, "read_header_timeout: 300ms", "read_header_timeout: 10s", 1))
	// RFC 9112 §6.1: a request with both may be an attempt at request
	// smuggling; a server that serves it must close the connection after
	// the response. A request pipelined behind it must never be answered.
	// A "|" in raw is a pause: what precedes it goes out in its own TCP
	// segment, as a client that writes header by header sends it; with
	// byByte, every byte of the headers is a segment of its own.
	const (
		te      = "Transfer-Encoding: chunked\r\n"
		cl      = "Content-Length: 3\r\n"
		chunked = "\r\n5\r\nhello\r\n0\r\n\r\n"
		post11  = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
		post10  = "POST /echo HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: text/plain\r\n"
	)
	for _, tc := range []struct {
		name, raw, body string
		byByte          bool
	}{
		{"CL+TE", post11 + cl + te + chunked, "HELLO", false},
		{"HTTP1.0+TE", post10 + te + chunked, "", false},
		{"CL+TE header by header", post11 + "|" + cl + "|" + te + "|" + chunked, "HELLO", false},
		{"TE+CL header by header", post11 + "|" + te + "|" + cl + "|" + chunked, "HELLO", false},
		{"HTTP1.0+TE header by header", post10 + "|" + te + "|" + chunked, "", false},
		{"CL+TE byte by byte", post11 + cl + te + "|" + chunked, "HELLO", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := a.dial(t)
			began := time.Now()
			for i, seg := range strings.Split(tc.raw+"GET /report?id=smuggled HTTP/1.1\r\nHost: x\r\n\r\n", "|") {
				if tc.byByte && i == 0 {
					trickle(c, seg, 5*time.Millisecond)()
					continue
				}
				if _, err := io.WriteString(c, seg); err != nil {
					t.Fatal(err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			out, took := closedWithin(t, c, c, began, slack*bound)
			_, body, _ := strings.Cut(out, "\r\n\r\n")
			t.Logf("%s: got %q, body %q, %d responses, closed after %v", tc.name, firstLine(out), body, responsesIn(out), took)
			if !strings.Contains(firstLine(out), " 200 ") || tc.body != "" && body != tc.body {
				t.Errorf("not served as chunked: %q", clip([]byte(out)))
			}
			if n := responsesIn(out); n != 1 {
				t.Errorf("%d responses on the connection, want 1 and then the close: the request behind it was served:\n%s", n, out)
			}
			if !strings.Contains(strings.ToLower(out), "connection: close") {
				t.Errorf("the response does not say Connection: close:\n%s", out)
			}
		})
	}
}

func TestHeadOnSSERouteCompletes(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, tasksBin, shortTimeouts, "TASKS_TOKEN=hostile")
	c := a.dial(t)
	br := bufio.NewReader(c)
	r := exchange(t, c, br, "HEAD", "HEAD /tasks/stream HTTP/1.1\r\nHost: x\r\n\r\n", slack*bound)
	t.Logf("HEAD on the SSE route: %d %s in %v", r.status, r.header.Get("Content-Type"), r.took)
	if r.status != 200 || r.header.Get("Content-Type") != "text/event-stream" || r.body != "" {
		t.Fatalf("HEAD /tasks/stream: %d %v %q", r.status, r.header, r.body)
	}
	if r.close {
		return // the server may end the connection; then nothing more to check
	}
	// The HEAD response has ended: the connection serves the next request.
	next := exchange(t, c, br, "GET", "GET "+gati.PathLive+" HTTP/1.1\r\nHost: x\r\n\r\n", slack*bound)
	if next.status != 200 {
		t.Fatalf("the request after HEAD got %d %q", next.status, next.body)
	}
}

func TestMalformedInputIsNamed(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	hello := start(t, helloBin, shortTimeouts)
	tasks := start(t, tasksBin, shortTimeouts, "TASKS_TOKEN=hostile")
	misbehaving := start(t, misbehavingBin, shortTimeouts)
	auth := "Authorization: Bearer hostile\r\n"
	json := "Content-Type: application/json\r\n"
	tests := []struct {
		name    string
		app     *app
		send    func(t *testing.T, a *app) response
		status  []int
		pointer string
	}{
		{"query limit=5000;", tasks, func(t *testing.T, a *app) response { return a.get(t, "/tasks?limit=5000;") }, []int{400}, "/query/limit"},
		{"query done=%zz", tasks, func(t *testing.T, a *app) response { return a.get(t, "/tasks?done=%zz") }, []int{400}, "/query/done"},
		{"query name=%zz", hello, func(t *testing.T, a *app) response { return a.get(t, "/hello?name=%zz") }, []int{400}, "/query/name"},
		{"query limit above maximum", tasks, func(t *testing.T, a *app) response { return a.get(t, "/tasks?limit=5000") }, []int{400, 422}, "/query/limit"},
		{"invalid UTF-8 in JSON", tasks, func(t *testing.T, a *app) response {
			return a.post(t, "/tasks", "{\"title\":\"caf\xe9\"}", auth, json)
		}, []int{400}, "/title"},
		{"number above uint8", misbehaving, func(t *testing.T, a *app) response { return a.post(t, "/order", `{"qty":300}`, json) }, []int{400, 422}, "/qty"},
		{"negative uint8", misbehaving, func(t *testing.T, a *app) response { return a.post(t, "/order", `{"qty":-1}`, json) }, []int{400, 422}, "/qty"},
		{"number beyond float64", misbehaving, func(t *testing.T, a *app) response { return a.post(t, "/order", `{"qty":1e400}`, json) }, []int{400, 422}, "/qty"},
	}
	for _, tt := range tests {
		r := tt.send(t, tt.app)
		p := r.problem(t)
		t.Logf("%s: %d %s %v in %v", tt.name, r.status, p.Code, pointers(p), r.took)
		if !slices.Contains(tt.status, r.status) || !slices.Contains(pointers(p), tt.pointer) {
			t.Errorf("%s: got %d %s, want %v naming %s", tt.name, r.status, r.body, tt.status, tt.pointer)
		}
	}
}

func TestNonWebSocketRequestToWebSocketRouteIs426(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, tasksBin, shortTimeouts, "TASKS_TOKEN=hostile")
	r := a.get(t, "/tasks/events")
	p := r.problem(t)
	t.Logf("plain GET on the WebSocket route: %d %s, Upgrade %q, in %v", r.status, p.Code, r.header.Get("Upgrade"), r.took)
	if r.status != 426 || p.Code != "upgrade_required" || r.header.Get("Upgrade") != "websocket" {
		t.Fatalf("got %d %s %v, want 426 upgrade_required with Upgrade: websocket", r.status, r.body, r.header)
	}
	// A handshake without a version or key is refused as a problem too,
	// and the connection is not taken over.
	r = a.get(t, "/tasks/events", "Connection: Upgrade\r\n", "Upgrade: websocket\r\n")
	t.Logf("half a handshake: %d %q", r.status, r.body)
	if r.status != 400 || r.header.Get("Content-Type") != gati.ProblemContentType {
		t.Fatalf("half a handshake: %d %v %q, want a 400 problem", r.status, r.header, r.body)
	}
}

func TestHandlerPanickingMidBodyCutsTheConnection(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, misbehavingBin, shortTimeouts)
	for _, path := range []string{"/partial-panic", "/abort"} {
		c := a.dial(t)
		br := bufio.NewReader(c)
		began := time.Now()
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		_ = c.SetReadDeadline(began.Add(slack * bound))
		resp, err := readResponse(br, "GET")
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		rest, took := closedWithin(t, c, br, began, slack*bound)
		t.Logf("%s: %d, body %q then %v; closed after %v", path, resp.StatusCode, body, err, took)
		if err == nil {
			t.Errorf("%s: the body ended cleanly; a handler that panics mid-body must cut the connection", path)
		}
		if rest != "" {
			t.Errorf("%s: more bytes after the cut: %q", path, rest)
		}
	}
	// The process survived both and serves on.
	if r := a.get(t, gati.PathLive); r.status != 200 {
		t.Fatalf("after the panics: %d", r.status)
	}
	select {
	case <-a.exited:
		t.Fatalf("the app exited: %v", a.err)
	default:
	}
	if logs := a.logs.String(); !strings.Contains(logs, "handler panicked") {
		t.Errorf("the panic was not logged:\n%s", logs)
	}
}

func TestStartupProbesWhileModulesInitialize(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	const initDelay = 3 * time.Second
	began := time.Now()
	a := spawn(t, misbehavingBin, "", shortTimeouts, fmt.Sprintf("MISBEHAVING_INIT_DELAY=%v", initDelay))
	// The listener is up before Init ends: wait for the first answer.
	eventually(t, initDelay, "a first answer while the module initializes", func() bool {
		_, err := tryExchange(a.addr, "GET "+gati.PathStartup+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		return err == nil
	})
	t.Logf("first answer %v after exec", time.Since(began))
	for _, path := range []string{gati.PathStartup, gati.PathLive, gati.PathReady} {
		r := a.get(t, path)
		t.Logf("%s while initializing: %d %s", path, r.status, strings.TrimSpace(r.body))
		if r.status != 503 || strings.TrimSpace(r.body) != `{"status":"starting"}` {
			t.Errorf("%s while initializing: %d %q, want 503 {\"status\":\"starting\"}", path, r.status, r.body)
		}
	}
	r := a.post(t, "/echo", "hi")
	p := r.problem(t)
	t.Logf("POST /echo while initializing: %d %s", r.status, p.Code)
	if r.status != 503 || p.Code != "not_started" {
		t.Errorf("a route while initializing: %d %+v, want 503 not_started", r.status, p)
	}
	if time.Since(began) >= initDelay {
		t.Fatalf("the checks above took past the init delay (%v); they proved nothing", initDelay)
	}
	a.waitReady(t)
	t.Logf("ready %v after exec (init delay %v)", time.Since(began), initDelay)
	if r := a.get(t, gati.PathStartup); r.status != 200 {
		t.Errorf("%s after start: %d", gati.PathStartup, r.status)
	}
}

func TestOversizedRequestsAreRefused(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	// Sending 2 MiB can take longer than 300ms on a busy machine: the size,
	// not read_header_timeout, must be what refuses it.
	config := strings.Replace(shortTimeouts, "read_header_timeout: 300ms", "read_header_timeout: 10s", 1)
	a := start(t, tasksBin, config+"  body_limit: 64KiB\n", "TASKS_TOKEN=hostile")

	// 2 MiB of headers: past net/http's 1 MiB limit.
	c := a.dial(t)
	br := bufio.NewReader(c)
	big := "GET /tasks HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("a", 1000)+"\r\n", 2048) + "\r\n"
	wait := writeAsync(c, big) // the server may stop reading half-way
	r := exchange(t, c, br, "GET", "", slack*bound)
	rest, took := closedWithin(t, c, br, time.Now(), slack*bound)
	c.Close()
	wait()
	t.Logf("2 MiB of headers: %d, closed %v after the response", r.status, took)
	if r.status != 431 || rest != "" {
		t.Errorf("2 MiB of headers: %d %q then %q, want 431 and the close", r.status, r.body, rest)
	}

	// A chunked body past body_limit: no Content-Length to refuse it by.
	c = a.dial(t)
	br = bufio.NewReader(c)
	doc := `{"title":"` + strings.Repeat("a", 128<<10) + `"}` // valid JSON, 128 KiB
	var body strings.Builder
	for len(doc) > 0 {
		n := min(len(doc), 8<<10)
		fmt.Fprintf(&body, "%x\r\n%s\r\n", n, doc[:n])
		doc = doc[n:]
	}
	body.WriteString("0\r\n\r\n")
	head := "POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer hostile\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
	wait = writeAsync(c, head+body.String())
	r = exchange(t, c, br, "POST", "", slack*bound)
	c.Close()
	wait()
	p := r.problem(t)
	t.Logf("128 KiB chunked body, limit 64 KiB: %d %s in %v", r.status, p.Code, r.took)
	if r.status != 413 || p.Code != "body_too_large" {
		t.Errorf("chunked body past the limit: %d %+v, want 413 body_too_large", r.status, p)
	}
	if got := a.get(t, "/tasks"); !strings.Contains(got.body, `"count":0`) {
		t.Errorf("the refused body created a task: %s", got.body)
	}
}

// writeAsync writes s to c from another goroutine; the returned func
// waits for it (close c first if the server may stop reading).
func writeAsync(c net.Conn, s string) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.WriteString(c, s) })
	return wg.Wait
}
