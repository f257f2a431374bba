package hostile_test

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Probes of the server's timeouts: clients that send or read too slowly,
// and a handler that ignores its deadline.

// trickle writes s to c one byte every interval, from another goroutine,
// until it is done or a write fails. The returned func waits for it.
func trickle(c interface{ Write([]byte) (int, error) }, s string, interval time.Duration) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; i < len(s); i++ {
			if _, err := c.Write([]byte{s[i]}); err != nil {
				return
			}
			time.Sleep(interval)
		}
	})
	return wg.Wait
}

func TestSlowHeadersAreCutAtReadHeaderTimeout(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, helloBin, shortTimeouts)
	c := a.dial(t)
	began := time.Now()
	// About 5s of headers at one byte per 100ms: far past the bound.
	wait := trickle(c, "GET /hello HTTP/1.1\r\nHost: x\r\nUser-Agent: slowloris/1.0\r\nX-Pad: aaaaaaaaaa\r\n\r\n", 100*time.Millisecond)
	out, took := closedWithin(t, c, c, began, slack*bound)
	c.Close() // ends the trickle
	wait()
	t.Logf("slow headers: got %q, closed after %v (read_header_timeout %v)", firstLine(out), took, bound)
	if strings.Contains(out, " 200 ") {
		t.Fatalf("a request whose headers took longer than read_header_timeout was served: %q", out)
	}
}

func TestSlowBodyGets408AtReadTimeout(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	// The request timeout is longer than the read timeout, as when a
	// route sets gati.ReadTimeout below it.
	slowBody(t, strings.Replace(shortTimeouts, "request_timeout: 300ms", "request_timeout: 2s", 1), 1)
}

// TestSlowBodyGets408WhenReadAndRequestTimeoutsCoincide guards the
// defaults (read_timeout and request_timeout both 30s): a client that
// trickles its body past the bound is at fault, so it must get the 408,
// not the request timeout's 503 "retry later" (which a client retries,
// and which counts as the server's timeout in the metrics). The two
// deadlines race, so the probe tries four times.
func TestSlowBodyGets408WhenReadAndRequestTimeoutsCoincide(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	slowBody(t, shortTimeouts, 4)
}

// slowBody sends tries slow bodies, one after the other, to an app
// configured with config.
func slowBody(t *testing.T, config string, tries int) {
	t.Helper()
	a := start(t, tasksBin, config, "TASKS_TOKEN=hostile")
	for i := range tries {
		slowBodyOnce(t, a, i+1)
	}
	if timeouts := a.metric(t, `gati_http_request_timeouts_total{method="POST",route="/tasks"}`); timeouts != "" && timeouts != "0" {
		t.Errorf("the slow clients count as request timeouts of the server: gati_http_request_timeouts_total = %s", timeouts)
	}
	if r := a.get(t, "/tasks"); !strings.Contains(r.body, `"count":0`) {
		t.Fatalf("a cut request created a task: %s", r.body)
	}
}

func slowBodyOnce(t *testing.T, a *app, try int) {
	t.Helper()
	c := a.dial(t)
	began := time.Now()
	body := `{"title":"` + strings.Repeat("x", 60) + `"}`
	fmt.Fprintf(c, "POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer hostile\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	// A trickle, not a stall: every read succeeds, so only a deadline on
	// the whole body catches it.
	wait := trickle(c, body, 100*time.Millisecond)
	out, took := closedWithin(t, c, c, began, slack*bound)
	c.Close()
	wait()
	t.Logf("slow body %d: got %q, closed after %v (read_timeout %v)", try, firstLine(out), took, bound)
	if !strings.HasPrefix(out, "HTTP/1.1 408 ") || !strings.Contains(out, `"code":"body_timeout"`) {
		t.Errorf("slow body %d: a client trickling its body got %q, want 408 body_timeout (runtime: the request-timeout watchdog answered before the body read failed)", try, firstLine(out))
	}
}

// outcome is testdata/misbehaving's /report.
type outcome struct {
	Err     string `json:"err"`
	AfterMS int64  `json:"after_ms"`
	Bytes   int64  `json:"bytes"`
}

// report polls /report?id= until the route has recorded how it ended.
func report(t *testing.T, a *app, id string, limit time.Duration) outcome {
	t.Helper()
	var o outcome
	eventually(t, limit, "the handler's write ending", func() bool {
		r := a.get(t, "/report?id="+id)
		return r.status == 200 && json.Unmarshal([]byte(r.body), &o) == nil
	})
	return o
}

func TestClientThatNeverReadsLosesTheConnection(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, misbehavingBin, writeBound)
	// The connection's write deadline is request_timeout + write_timeout.
	limit := slack * 2 * bound
	for _, tc := range []struct{ path, what string }{
		{"/big?id=big", "64 MiB response"},
		{"/firehose?id=firehose", "stream (each write bounded by write_timeout)"},
	} {
		c := a.dial(t)
		began := time.Now()
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", tc.path)
		// Read nothing: the kernel buffers fill and the server's write blocks.
		id := strings.TrimPrefix(tc.path[strings.Index(tc.path, "id="):], "id=")
		o := report(t, a, id, limit)
		if o.Err == "" {
			t.Fatalf("%s: the handler wrote %d bytes to a client that reads nothing without an error", tc.what, o.Bytes)
		}
		// What the client can still read is what the kernel buffered,
		// then the end of the connection.
		out, _ := closedWithin(t, c, c, time.Now(), 10*time.Second)
		c.Close()
		t.Logf("%s to a client that never reads: status %q, server's write failed after %dms (%d bytes; %s); client read %d bytes then EOF, %v after the request",
			tc.what, firstLine(out), o.AfterMS, o.Bytes, o.Err, len(out), time.Since(began))
		if time.Duration(o.AfterMS)*time.Millisecond > limit {
			t.Errorf("%s: the write failed after %dms, want within %v", tc.what, o.AfterMS, limit)
		}
		if len(out) >= 64<<20 {
			t.Errorf("%s: the client got the whole response", tc.what)
		}
	}
}

func TestHandlerIgnoringItsDeadlineIsAnswered503(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, misbehavingBin, shortTimeouts)
	const stuckFor = 2 * time.Second
	c := a.dial(t)
	br := bufio.NewReader(c)
	began := time.Now()
	// A request pipelined behind: after the 503 with Connection: close it
	// must never be served, even once the handler returns.
	r := exchange(t, c, br, "GET", fmt.Sprintf("GET /stuck?for=%v HTTP/1.1\r\nHost: x\r\n\r\n", stuckFor)+
		"GET /healthz/live HTTP/1.1\r\nHost: x\r\n\r\n", 10*time.Second)
	p := r.problem(t)
	t.Logf("handler ignoring its context: %d %s after %v (request_timeout %v)", r.status, p.Code, r.took, bound)
	if r.status != 503 || p.Code != "timeout" || !r.close || r.header.Get("Content-Length") == "" {
		t.Fatalf("got %d %+v close=%v Content-Length=%q, want 503 timeout with Connection: close and a Content-Length",
			r.status, p, r.close, r.header.Get("Content-Length"))
	}
	if r.took > slack*bound {
		t.Errorf("answered after %v, want within %v", r.took, slack*bound)
	}
	if p.RequestID == "" || r.header.Get("X-Request-Id") != p.RequestID {
		t.Errorf("request id: problem %q, header %q", p.RequestID, r.header.Get("X-Request-Id"))
	}

	// While the handler runs on, the metrics say so.
	route := `{method="GET",route="/stuck"}`
	timeouts := a.metric(t, "gati_http_request_timeouts_total"+route)
	overrunning := a.metric(t, "gati_http_handlers_overrunning")
	t.Logf("metrics while the handler overruns: gati_http_request_timeouts_total%s %s, gati_http_handlers_overrunning %s",
		route, timeouts, overrunning)
	if timeouts != "1" || overrunning != "1" {
		t.Errorf("timeouts_total = %q, overrunning = %q; want 1 and 1", timeouts, overrunning)
	}

	// The connection closes when the handler gives up, not before: the
	// handler still owns it.
	rest, took := closedWithin(t, c, br, began, stuckFor+slack*bound)
	t.Logf("connection closed %v after the request (the handler blocks %v)", took, stuckFor)
	if rest != "" {
		t.Errorf("after the 503 the connection carried %q; the pipelined request must not be served", clip([]byte(rest)))
	}
	eventually(t, slack*bound, "overrunning back to 0", func() bool {
		return a.metric(t, "gati_http_handlers_overrunning") == "0"
	})
	if got := a.metric(t, `gati_http_requests_total{method="GET",route="/stuck",status="503"}`); got != "1" {
		t.Errorf("requests_total 503 = %q, want 1", got)
	}
	if !strings.Contains(a.logs.String(), "request timed out") {
		t.Errorf("no log line for the timeout:\n%s", a.logs.String())
	}
}

func TestReturnedDeadlineErrorIs503Not500(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, misbehavingBin, shortTimeouts)
	const n = 5
	for range n {
		r := a.get(t, "/wait")
		p := r.problem(t)
		if r.status != 503 || p.Code != "timeout" {
			t.Fatalf("handler returning its context's error: %d %+v, want 503 timeout", r.status, p)
		}
		if r.took > slack*bound {
			t.Errorf("answered after %v, want within %v", r.took, slack*bound)
		}
	}
	route := `{method="GET",route="/wait"}`
	t.Logf("%d handlers returning context.DeadlineExceeded at the deadline: %d x 503; timeouts_total%s = %q, requests_total 500 = %q",
		n, n, route, a.metric(t, "gati_http_request_timeouts_total"+route),
		a.metric(t, `gati_http_requests_total{method="GET",route="/wait",status="500"}`))
	if got := a.metric(t, `gati_http_requests_total{method="GET",route="/wait",status="503"}`); got != fmt.Sprint(n) {
		t.Errorf("requests_total 503 = %q, want %d", got, n)
	}
}

func TestIdleKeepAliveConnectionIsClosed(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, helloBin, shortTimeouts+"  idle_timeout: 300ms\n")
	c := a.dial(t)
	br := bufio.NewReader(c)
	r := exchange(t, c, br, "GET", "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 5*time.Second)
	if r.status != 200 || r.close {
		t.Fatalf("GET /hello: %d close=%v", r.status, r.close)
	}
	out, took := closedWithin(t, c, br, time.Now(), slack*bound)
	t.Logf("idle keep-alive connection: 200, then closed after %v idle (idle_timeout %v)", took, bound)
	if out != "" {
		t.Errorf("the server sent %q on an idle connection", out)
	}
}

func TestStreamsOutliveTheRequestTimeout(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, tasksBin, shortTimeouts, "TASKS_TOKEN=hostile")
	c := a.dial(t)
	br := bufio.NewReader(c)
	fmt.Fprint(c, "GET /tasks/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := readResponse(br, "GET")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /tasks/stream: %d %v", resp.StatusCode, resp.Header)
	}
	time.Sleep(3 * bound) // well past the request timeout
	if r := a.post(t, "/tasks", `{"title":"after the deadline"}`, "Authorization: Bearer hostile\r\n", "Content-Type: application/json\r\n"); r.status != 201 {
		t.Fatalf("POST /tasks: %d %s", r.status, r.body)
	}
	got, err := readUntil(resp.Body, "after the deadline")
	t.Logf("SSE stream %v past request_timeout %v: %q (err %v)", 3*bound, bound, got, err)
	if err != nil || !strings.Contains(got, "event: created") {
		t.Fatalf("the stream did not deliver the event after the request timeout: %q, %v", got, err)
	}
}

// readUntil reads r until it has seen s.
func readUntil(r io.Reader, s string) (string, error) {
	var b strings.Builder
	buf := make([]byte, 512)
	for !strings.Contains(b.String(), s) {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String(), err
		}
	}
	return b.String(), nil
}

// TestSlowlorisCrowdDoesNotStarveOthers opens many connections that send
// part of their headers and stall, checks that an ordinary client is
// still answered at once, and that every stalled connection is cut.
func TestSlowlorisCrowdDoesNotStarveOthers(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	const crowd = 64
	a := start(t, helloBin, shortTimeouts)
	conns := make([]net.Conn, crowd)
	began := time.Now()
	for i := range conns {
		conns[i] = a.dial(t)
		if _, err := io.WriteString(conns[i], "GET /hello HTTP/1.1\r\nHo"); err != nil {
			t.Fatal(err)
		}
	}
	r := a.get(t, "/hello?name=patient")
	t.Logf("with %d slow-header connections open: GET /hello %d in %v", crowd, r.status, r.took)
	if r.status != 200 || r.took > slack*bound {
		t.Errorf("an ordinary request got %d after %v, want 200 within %v", r.status, r.took, slack*bound)
	}
	var slowest time.Duration
	for _, c := range conns {
		_, took := closedWithin(t, c, c, began, slack*bound)
		slowest = max(slowest, took)
	}
	t.Logf("all %d slow-header connections closed within %v (read_header_timeout %v)", crowd, slowest, bound)
}

// TestWebSocketOutlivesTheRequestTimeout upgrades the tasks example's
// change feed with a raw handshake and reads a change made well after the
// request timeout.
func TestWebSocketOutlivesTheRequestTimeout(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	a := start(t, tasksBin, shortTimeouts, "TASKS_TOKEN=hostile")
	c := a.dial(t)
	br := bufio.NewReader(c)
	fmt.Fprint(c, "GET /tasks/events HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := readResponse(br, "GET")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-Websocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake: %d %v", resp.StatusCode, resp.Header)
	}
	time.Sleep(3 * bound) // well past the request timeout
	if r := a.post(t, "/tasks", `{"title":"over the socket"}`, "Authorization: Bearer hostile\r\n", "Content-Type: application/json\r\n"); r.status != 201 {
		t.Fatalf("POST /tasks: %d %s", r.status, r.body)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	msg, err := readFrame(br)
	t.Logf("WebSocket %v past request_timeout %v: %q (err %v)", 3*bound, bound, msg, err)
	if err != nil || !strings.Contains(msg, `"type":"created"`) || !strings.Contains(msg, "over the socket") {
		t.Fatalf("the socket did not deliver the change after the request timeout: %q, %v", msg, err)
	}
}

// readFrame reads one unmasked server frame and returns its payload.
func readFrame(br *bufio.Reader) (string, error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return "", err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return "", err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return "", err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<20 {
		return "", fmt.Errorf("frame of %d bytes", n)
	}
	payload := make([]byte, n)
	_, err := io.ReadFull(br, payload)
	return string(payload), err
}
