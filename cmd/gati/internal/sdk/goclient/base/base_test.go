package base

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type thing struct {
	Name string `json:"name"`
}

// serve starts a server answering with h and a client of it.
func serve(t *testing.T, h http.HandlerFunc, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return New(srv.URL+"/", opts...)
}

func problem(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Request-Id", "rid-1")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func TestRequestHeadersAndBody(t *testing.T) {
	t.Parallel()
	var got *http.Request
	var body string
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, body = r, string(b)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, `{"name":"back"}`)
	}, WithHeader("X-Team", "a"), WithHeader("X-Team", "b"), WithBearer("tok"))
	var out thing
	resp, err := c.do(t.Context(), &request{
		method: "POST", path: "/things/a%2Fb", query: url.Values{"q": {"1", "2"}},
		header: http.Header{"X-Trace": {"t1"}}, cookies: []*http.Cookie{{Name: "s", Value: "v"}},
		json: thing{Name: "x"},
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if out.Name != "back" || resp.StatusCode != 201 {
		t.Errorf("out %+v, status %d", out, resp.StatusCode)
	}
	checks := map[string][2]string{
		"path":          {got.URL.EscapedPath(), "/things/a%2Fb"},
		"query":         {got.URL.RawQuery, "q=1&q=2"},
		"version":       {got.Header.Get("X-API-Version"), Version},
		"accept":        {got.Header.Get("Accept"), "application/json"},
		"content type":  {got.Header.Get("Content-Type"), "application/json"},
		"authorization": {got.Header.Get("Authorization"), "Bearer tok"},
		"client header": {strings.Join(got.Header.Values("X-Team"), ","), "a,b"},
		"param header":  {got.Header.Get("X-Trace"), "t1"},
		"cookie":        {got.Header.Get("Cookie"), "s=v"},
		"body":          {body, `{"name":"x"}`},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: %q, want %q", what, c[0], c[1])
		}
	}
}

func TestVersionOverrideAndAuthFunc(t *testing.T) {
	t.Parallel()
	var version, auth []string
	h := func(w http.ResponseWriter, r *http.Request) {
		version = r.Header.Values("X-API-Version")
		auth = r.Header.Values("Authorization")
		w.WriteHeader(204)
	}
	calls := 0
	c := serve(t, h, WithVersion(""), WithAuth(func(ctx context.Context) (string, error) {
		calls++
		if calls == 2 {
			return "", errors.New("no credentials")
		}
		return "fresh", nil
	}))
	if _, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil); err != nil {
		t.Fatal(err)
	}
	if len(version) != 0 || len(auth) != 1 || auth[0] != "Bearer fresh" {
		t.Errorf("WithVersion(\"\") and WithAuth sent version %q, authorization %q", version, auth)
	}
	_, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil)
	if err == nil || !strings.Contains(err.Error(), "authorization: no credentials") {
		t.Errorf("failing auth: err %v", err)
	}
	if _, err := serve(t, h, WithVersion("2030-01-01")).do(t.Context(), &request{method: "GET", path: "/"}, nil); err != nil || len(version) != 1 || version[0] != "2030-01-01" {
		t.Errorf("WithVersion: sent %q (%v)", version, err)
	}
}

func TestResponseMetadata(t *testing.T) {
	t.Parallel()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-API-Version", "2025-01-01")
		w.Header().Set("X-Request-Id", "abc")
		w.Header().Set("Deprecation", "@1735689600")
		w.Header().Set("Sunset", "Tue, 01 Jan 2030 00:00:00 GMT")
		w.WriteHeader(204)
	})
	var out thing
	resp, err := c.do(t.Context(), &request{method: "DELETE", path: "/x"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := Response{StatusCode: 204, APIVersion: "2025-01-01", RequestID: "abc", Deprecated: true,
		Deprecation: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Sunset: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	resp.Header = nil
	if fmt.Sprint(*resp) != fmt.Sprint(want) {
		t.Errorf("response %+v, want %+v", *resp, want)
	}
	if out != (thing{}) {
		t.Errorf("204 decoded into %+v", out)
	}
}

func TestParseDeprecation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
	}{
		{"@1735689600", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Wed, 01 Jan 2025 00:00:00 GMT", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"true", time.Time{}},
		{"@soon", time.Time{}},
	}
	for _, tt := range tests {
		if got := parseDeprecation(tt.in); !got.Equal(tt.want) {
			t.Errorf("parseDeprecation(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestProblemError(t *testing.T) {
	t.Parallel()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		problem(w, 422, `{"type":"https://gati.dev/problems/validation_failed","title":"Unprocessable Entity","status":422,
			"detail":"the request is invalid","instance":"/things","code":"validation_failed",
			"errors":[{"pointer":"/name","detail":"is required"},{"pointer":"/query/n","detail":"must be at least 1"}]}`)
	})
	resp, err := c.do(t.Context(), &request{method: "POST", path: "/things", json: thing{}}, nil)
	var e *ApiError
	if !errors.As(err, &e) {
		t.Fatalf("err %v (%T), want an *ApiError", err, err)
	}
	if e.Status != 422 || e.Code != "validation_failed" || e.Instance != "/things" || e.RequestID != "rid-1" ||
		len(e.Errors) != 2 || e.Errors[1] != (FieldError{"/query/n", "must be at least 1"}) {
		t.Errorf("ApiError %+v", e)
	}
	if resp == nil || resp != e.Response || resp.StatusCode != 422 {
		t.Errorf("response %+v, want the error's", resp)
	}
	if want := "422 validation_failed: the request is invalid: /name: is required; /query/n: must be at least 1"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if CodeOf(fmt.Errorf("wrapped: %w", err)) != "validation_failed" || CodeOf(errors.New("x")) != "" {
		t.Error("CodeOf does not find the code")
	}
}

func TestNonProblemError(t *testing.T) {
	t.Parallel()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		io.WriteString(w, "<html>bad gateway\nupstream down</html>")
	})
	_, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil)
	var e *ApiError
	if !errors.As(err, &e) {
		t.Fatalf("err %v, want an *ApiError", err)
	}
	if e.Status != 502 || e.Code != "" || e.Title != "Bad Gateway" || !strings.Contains(string(e.Body), "upstream down") {
		t.Errorf("ApiError %+v", e)
	}
	if want := "502 Bad Gateway: <html>bad gateway …"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestUndecodableResponse(t *testing.T) {
	t.Parallel()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"name":`) })
	var out thing
	resp, err := c.do(t.Context(), &request{method: "GET", path: "/t"}, &out)
	if err == nil || !strings.Contains(err.Error(), "GET /t: decoding the response") || resp == nil {
		t.Errorf("err %v, response %v", err, resp)
	}
}

// counting answers the first fails requests with status and header, then 200.
func counting(fails, status int, header map[string]string) (http.HandlerFunc, *atomic.Int32) {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if int(n.Add(1)) <= fails {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			problem(w, status, fmt.Sprintf(`{"status":%d,"code":"busy","type":"x"}`, status))
			return
		}
		io.WriteString(w, `{"name":"ok"}`)
	}, &n
}

func TestRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		method         string
		status, fails  int
		header         map[string]string
		opts           []Option
		wantCalls      int
		wantCode       string // "" when the call succeeds
		nonReplayBody  bool
		wantMinElapsed time.Duration
	}{
		{name: "503 then ok", method: "GET", status: 503, fails: 1, header: map[string]string{"Retry-After": "0"}, wantCalls: 2},
		{name: "429 twice then ok", method: "PUT", status: 429, fails: 2, header: map[string]string{"Retry-After": "0"}, wantCalls: 3},
		{name: "attempts used up", method: "GET", status: 503, fails: 5, header: map[string]string{"Retry-After": "0"}, wantCalls: 3, wantCode: "busy"},
		{name: "retry-after honoured", method: "GET", status: 503, fails: 1, header: map[string]string{"Retry-After": "1"}, wantCalls: 2, wantMinElapsed: time.Second},
		{name: "retry-after beyond max delay", method: "GET", status: 429, fails: 1, header: map[string]string{"Retry-After": "60"}, wantCalls: 1, wantCode: "busy"},
		{name: "backoff without retry-after", method: "DELETE", status: 503, fails: 1, opts: []Option{WithRetry(2, 20*time.Millisecond)}, wantCalls: 2},
		{name: "not idempotent", method: "POST", status: 503, fails: 1, header: map[string]string{"Retry-After": "0"}, wantCalls: 1, wantCode: "busy"},
		{name: "other status", method: "GET", status: 500, fails: 1, wantCalls: 1, wantCode: "busy"},
		{name: "retries off", method: "GET", status: 503, fails: 1, header: map[string]string{"Retry-After": "0"}, opts: []Option{WithRetry(1, time.Second)}, wantCalls: 1, wantCode: "busy"},
		{name: "raw body cannot be replayed", method: "PUT", status: 503, fails: 1, header: map[string]string{"Retry-After": "0"}, nonReplayBody: true, wantCalls: 1, wantCode: "busy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, n := counting(tt.fails, tt.status, tt.header)
			c := serve(t, h, tt.opts...)
			r := &request{method: tt.method, path: "/"}
			if tt.nonReplayBody {
				r.body = strings.NewReader("raw")
			}
			start := time.Now()
			var out thing
			_, err := c.do(t.Context(), r, &out)
			if got := int(n.Load()); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
			if CodeOf(err) != tt.wantCode || tt.wantCode == "" && (err != nil || out.Name != "ok") {
				t.Errorf("err %v, out %+v; want code %q", err, out, tt.wantCode)
			}
			if elapsed := time.Since(start); elapsed < tt.wantMinElapsed {
				t.Errorf("took %s, want at least %s", elapsed, tt.wantMinElapsed)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"99999999999999", 24 * time.Hour, true},
		{"Thu, 01 Jan 2026 00:00:05 GMT", 5 * time.Second, true},
		{"Wed, 31 Dec 2025 23:59:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		if got, ok := retryAfter(tt.in, now); got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestNoRetryAfterCancel guards that a call cancelled while it waits to
// retry ends at once with context.Canceled and sends nothing more.
func TestNoRetryAfterCancel(t *testing.T) {
	t.Parallel()
	h, n := counting(10, 503, map[string]string{"Retry-After": "5"})
	c := serve(t, h)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.do(ctx, &request{method: "GET", path: "/"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if time.Since(start) > 3*time.Second || n.Load() != 1 {
		t.Errorf("%d requests in %s after cancelling", n.Load(), time.Since(start))
	}
	if _, err := c.do(ctx, &request{method: "GET", path: "/"}, nil); !errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Errorf("call with a cancelled context: err %v, %d requests", err, n.Load())
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, WithTimeout(50*time.Millisecond))
	_, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("do: err %v, want context.DeadlineExceeded", err)
	}
	_, err = c.raw(t.Context(), &request{method: "GET", path: "/"})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no response within 50ms") {
		t.Errorf("raw: err %v, want context.DeadlineExceeded", err)
	}
}

// TestTimeoutSparesStreams guards that the client's timeout bounds the
// wait for a stream's headers, not the reading of its body.
func TestTimeoutSparesStreams(t *testing.T) {
	t.Parallel()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		time.Sleep(150 * time.Millisecond)
		io.WriteString(w, "data: late\n\n")
	}, WithTimeout(50*time.Millisecond))
	s, err := c.stream(t.Context(), &request{method: "GET", path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ev, err := s.Next(); err != nil || ev.Data != "late" {
		t.Errorf("Next = %+v, %v", ev, err)
	}
	resp, err := c.raw(t.Context(), &request{method: "GET", path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != "data: late\n\n" {
		t.Errorf("raw body %q, %v", b, err)
	}
}

func TestEventStream(t *testing.T) {
	t.Parallel()
	const body = ": keep-alive\n\n" +
		"event: created\nid: 1\ndata: {\"name\":\"a\"}\n\n" +
		"data: line one\r\ndata:line two\r\n\r\n" + // CRLF; no space after the colon
		"id\rdata: cr only\r\r" + // an empty id; CR line ends
		"event: ignored\n\n" + // no data: not dispatched
		"data: unterminated"
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "text/event-stream" {
			w.WriteHeader(406)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		io.WriteString(w, body)
	})
	s, err := c.stream(t.Context(), &request{method: "GET", path: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []Event
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	want := []Event{
		{Type: "created", ID: "1", Data: `{"name":"a"}`},
		{Type: "message", ID: "1", Data: "line one\nline two"},
		{Type: "message", ID: "", Data: "cr only"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events\n%+v\nwant\n%+v", got, want)
	}
	var v thing
	if err := got[0].Decode(&v); err != nil || v.Name != "a" {
		t.Errorf("Decode: %+v, %v", v, err)
	}
	if _, err := s.Next(); err != io.EOF {
		t.Errorf("Next after the end: %v, want io.EOF", err)
	}
}

func TestEventStreamCancel(t *testing.T) {
	t.Parallel()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: one\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(t.Context())
	s, err := c.stream(ctx, &request{method: "GET", path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := s.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel: %v, want context.Canceled", err)
	}
}

func TestStreamErrors(t *testing.T) {
	t.Parallel()
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/json" {
			io.WriteString(w, "{}")
			return
		}
		problem(w, 404, `{"status":404,"code":"not_found","type":"x"}`)
	})
	if _, err := c.stream(t.Context(), &request{method: "GET", path: "/json"}); err == nil || !strings.Contains(err.Error(), "not an event stream") {
		t.Errorf("JSON response: err %v", err)
	}
	if _, err := c.stream(t.Context(), &request{method: "GET", path: "/missing"}); CodeOf(err) != "not_found" {
		t.Errorf("404: err %v", err)
	}
	if _, err := c.raw(t.Context(), &request{method: "GET", path: "/missing"}); CodeOf(err) != "not_found" {
		t.Errorf("raw 404: err %v", err)
	}
}

func TestWebSocketRequest(t *testing.T) {
	t.Parallel()
	tests := []struct{ base, want string }{
		{"http://h:1/p/", "ws://h:1/p/ws?a=b"},
		{"https://h", "wss://h/ws?a=b"},
	}
	for _, tt := range tests {
		c := New(tt.base, WithBearer("tok"), WithHeader("X-Team", "a"))
		ws, err := c.webSocket(t.Context(), &request{method: "GET", path: "/ws", query: url.Values{"a": {"b"}},
			cookies: []*http.Cookie{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}})
		if err != nil {
			t.Fatal(err)
		}
		if ws.URL != tt.want || ws.Header.Get("Authorization") != "Bearer tok" || ws.Header.Get("X-API-Version") != Version ||
			ws.Header.Get("X-Team") != "a" || ws.Header.Get("Cookie") != "a=1; b=2" || ws.Header.Get("Accept") != "" {
			t.Errorf("%s: %+v", tt.base, ws)
		}
	}
}

// idServer answers the first fails requests 503 (Retry-After: 0), then
// 200, echoing X-Request-Id when echo is set, and records the ids it got.
func idServer(t *testing.T, fails int, echo bool, opts ...Option) (*Client, func() []string) {
	var mu sync.Mutex
	var ids []string
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get("X-Request-Id"))
		n := len(ids)
		mu.Unlock()
		if echo {
			w.Header().Set("X-Request-Id", r.Header.Get("X-Request-Id"))
		}
		if n <= fails {
			w.Header().Set("Retry-After", "0")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(503)
			io.WriteString(w, `{"status":503,"code":"busy","type":"x"}`)
			return
		}
		io.WriteString(w, `{"name":"ok"}`)
	}, opts...)
	return c, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(ids)
	}
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestRequestIDSentOncePerCall guards the client's request ids: each call
// sends a new random one, its retries the same, and its Response has it
// when the server does not echo it (a Gati server echoes it; other
// servers and proxies may not).
func TestRequestIDSentOncePerCall(t *testing.T) {
	t.Parallel()
	c, ids := idServer(t, 2, false)
	resp, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ids()
	if len(got) != 3 || !hexID.MatchString(got[0]) || got[1] != got[0] || got[2] != got[0] {
		t.Fatalf("the attempts sent %q, want one random 128-bit hex id thrice", got)
	}
	if resp.RequestID != got[0] {
		t.Errorf("Response.RequestID %q, want the id sent, %q", resp.RequestID, got[0])
	}
	if _, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := ids(); got[3] == got[0] || !hexID.MatchString(got[3]) {
		t.Errorf("two calls sent %q and %q, want different ids", got[0], got[3])
	}
}

// TestRequestIDTheCallerSets guards ids set by the caller: the client's
// WithHeader, overridden by a call's header parameter, is sent instead of
// a random one; what the server echoes is what Response reports.
func TestRequestIDTheCallerSets(t *testing.T) {
	t.Parallel()
	c, ids := idServer(t, 0, true, WithHeader("X-Request-Id", "client-wide"))
	resp, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil)
	if err != nil || resp.RequestID != "client-wide" {
		t.Fatalf("WithHeader: Response.RequestID %q (%v)", resp.RequestID, err)
	}
	resp, err = c.do(t.Context(), &request{method: "GET", path: "/", header: http.Header{"X-Request-Id": {"per-call"}}}, nil)
	if err != nil || resp.RequestID != "per-call" {
		t.Fatalf("header parameter: Response.RequestID %q (%v)", resp.RequestID, err)
	}
	if got := ids(); fmt.Sprint(got) != "[client-wide per-call]" {
		t.Errorf("sent %q", got)
	}
}

// TestRequestIDOfFailures guards that a call that got no usable response
// still names its id: after a timeout, a refused connection, or an error
// response without one (the server's echo and the problem's request_id
// come first).
func TestRequestIDOfFailures(t *testing.T) {
	t.Parallel()
	var sent atomic.Value
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		sent.Store(r.Header.Get("X-Request-Id"))
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, WithTimeout(50*time.Millisecond))
	for name, call := range map[string]func() error{
		"do":  func() error { _, err := slow.do(t.Context(), &request{method: "GET", path: "/"}, nil); return err },
		"raw": func() error { _, err := slow.raw(t.Context(), &request{method: "GET", path: "/"}); return err },
	} {
		err := call()
		id, _ := sent.Load().(string)
		if !errors.Is(err, context.DeadlineExceeded) || !hexID.MatchString(id) || RequestIDOf(err) != id || !strings.Contains(err.Error(), id) {
			t.Errorf("%s timing out: err %v, RequestIDOf %q; the server got %q", name, err, RequestIDOf(err), id)
		}
	}

	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := New(srv.URL).do(t.Context(), &request{method: "GET", path: "/"}, nil)
	if err == nil || !hexID.MatchString(RequestIDOf(err)) {
		t.Errorf("refused connection: err %v, RequestIDOf %q", err, RequestIDOf(err))
	}

	c, ids := idServer(t, 1, false, WithRetry(1, 0))
	_, err = c.do(t.Context(), &request{method: "GET", path: "/"}, nil)
	var e *ApiError
	if !errors.As(err, &e) || e.RequestID != ids()[0] || e.Response.RequestID != ids()[0] || RequestIDOf(err) != ids()[0] {
		t.Errorf("503 without an id: err %v, RequestID %q, want the one sent, %q", err, RequestIDOf(err), ids()[0])
	}
	c = serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "from-header")
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(404)
		io.WriteString(w, `{"status":404,"code":"not_found","type":"x","request_id":"from-problem"}`)
	})
	if _, err := c.do(t.Context(), &request{method: "GET", path: "/"}, nil); RequestIDOf(err) != "from-problem" {
		t.Errorf("a problem's request_id: RequestIDOf %q", RequestIDOf(err))
	}
	if RequestIDOf(errors.New("x")) != "" || RequestIDOf(nil) != "" {
		t.Error("RequestIDOf of an error not a call's")
	}
}
