package gati

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// ErrAlreadyWritten is returned by Response methods once a response has
// been started: a second write is a bug in the handler, reported as an
// error rather than a panic or a corrupted body.
var ErrAlreadyWritten = errors.New("gati: response already written")

// Response writes the reply to a request. Each request gets exactly one
// response: the first writing method wins and later ones return
// ErrAlreadyWritten.
type Response struct {
	ex      *exchange
	w       http.ResponseWriter
	r       *http.Request
	status  int
	written bool
	size    int64
	down    []func(map[string]any) error // version downgrades for JSON bodies
}

// Header returns the response headers, to set before writing.
func (res *Response) Header() http.Header { return res.w.Header() }

// Written reports whether the response has been started.
func (res *Response) Written() bool { return res.written }

// StatusCode returns the status written, or 0 before writing.
func (res *Response) StatusCode() int { return res.status }

// Size returns how many body bytes have been written.
func (res *Response) Size() int64 { return res.size }

// SetCookie adds a Set-Cookie header. Call it before writing.
func (res *Response) SetCookie(c *http.Cookie) { http.SetCookie(res.w, c) }

// JSON writes v as JSON with the given status.
func (res *Response) JSON(status int, v any) error {
	if res.written {
		return ErrAlreadyWritten
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("gati: encoding the response as JSON: %w", err)
	}
	if res.down != nil {
		if body, err = downgrade(body, res.down); err != nil {
			return err
		}
	}
	return res.Bytes(status, "application/json", body)
}

// Text writes s as text/plain with the given status.
func (res *Response) Text(status int, s string) error {
	if res.written {
		return ErrAlreadyWritten
	}
	res.start(status, "text/plain; charset=utf-8")
	n, err := io.WriteString(res.w, s)
	res.size += int64(n)
	return err
}

// Bytes writes body with the given status and content type.
func (res *Response) Bytes(status int, contentType string, body []byte) error {
	if res.written {
		return ErrAlreadyWritten
	}
	res.start(status, contentType)
	n, err := res.w.Write(body)
	res.size += int64(n)
	return err
}

// NoContent writes a 204 with no body.
func (res *Response) NoContent() error {
	if res.written {
		return ErrAlreadyWritten
	}
	res.start(http.StatusNoContent, "")
	return nil
}

// Redirect replies with a redirect to url; status must be a 3xx code.
func (res *Response) Redirect(status int, url string) error {
	if res.written {
		return ErrAlreadyWritten
	}
	if status < 300 || status > 399 {
		return fmt.Errorf("gati: redirect status %d is not 3xx", status)
	}
	res.written, res.status = true, status
	http.Redirect(res.w, res.r, url, status)
	return nil
}

// start writes the status line and content type once. Content-Length is
// left to net/http, which sets it for bodies written in one Write.
func (res *Response) start(status int, contentType string) {
	res.written, res.status = true, status
	h := res.w.Header()
	if _, set := h["Content-Type"]; contentType != "" && !set {
		h["Content-Type"] = contentTypeValue(contentType)
	}
	res.w.WriteHeader(status)
}

// Shared header values for the common content types: a header slice is
// replaced, never modified in place, so sharing one avoids an allocation.
var (
	ctJSON = []string{"application/json"}
	ctText = []string{"text/plain; charset=utf-8"}
)

func contentTypeValue(ct string) []string {
	switch ct {
	case ctJSON[0]:
		return ctJSON[:1:1]
	case ctText[0]:
		return ctText[:1:1]
	}
	return []string{ct}
}

// Stream starts a streamed response of unknown length. Write to the
// returned Stream and Flush to push bytes to the client as they are ready.
// When the app begins shutting down, the request's context is cancelled
// so that long-lived streams end instead of holding shutdown up.
func (res *Response) Stream(status int, contentType string) (*Stream, error) {
	if res.written {
		return nil, ErrAlreadyWritten
	}
	res.start(status, contentType)
	res.ex.streaming()
	return &Stream{res: res, rc: http.NewResponseController(res.w)}, nil
}

// Stream is a response body written incrementally.
type Stream struct {
	res *Response
	rc  *http.ResponseController
}

// Write writes p to the client's connection buffer.
func (s *Stream) Write(p []byte) (int, error) {
	n, err := s.res.w.Write(p)
	s.res.size += int64(n)
	return n, err
}

// Flush sends buffered bytes to the client now.
func (s *Stream) Flush() error { return s.rc.Flush() }

// SSE starts a Server-Sent Events stream (text/event-stream).
func (res *Response) SSE() (*EventStream, error) {
	res.Header().Set("Cache-Control", "no-cache")
	res.Header().Set("X-Accel-Buffering", "no")
	s, err := res.Stream(http.StatusOK, "text/event-stream")
	if err != nil {
		return nil, err
	}
	return &EventStream{s: s}, s.Flush()
}

// Event is one Server-Sent Event. Data may span lines.
type Event struct {
	ID    string
	Event string
	Data  string
	Retry int // reconnection delay in milliseconds; 0 omits the field
}

// EventStream sends Server-Sent Events.
type EventStream struct{ s *Stream }

// Send writes one event and flushes it.
func (es *EventStream) Send(e Event) error {
	var b strings.Builder
	field := func(name, v string) {
		if v != "" {
			b.WriteString(name + ": " + v + "\n")
		}
	}
	field("id", e.ID)
	field("event", e.Event)
	if e.Retry > 0 {
		field("retry", strconv.Itoa(e.Retry))
	}
	for _, line := range strings.Split(e.Data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	if _, err := io.WriteString(es.s, b.String()); err != nil {
		return err
	}
	return es.s.Flush()
}

// Comment writes an SSE comment line, useful as a keep-alive.
func (es *EventStream) Comment(text string) error {
	if _, err := io.WriteString(es.s, ": "+text+"\n\n"); err != nil {
		return err
	}
	return es.s.Flush()
}

// Hijack hands the raw ResponseWriter to code that writes the response
// itself (a WebSocket upgrade, http.ServeContent). The response counts as
// written from here on.
func (res *Response) Hijack() (http.ResponseWriter, error) {
	if res.written {
		return nil, ErrAlreadyWritten
	}
	res.written = true
	res.ex.streaming()
	return &statusRecorder{ResponseWriter: res.w, res: res}, nil
}

// statusRecorder notes the status code written through a hijacked writer.
type statusRecorder struct {
	http.ResponseWriter
	res *Response
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.res.status == 0 {
		s.res.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.res.status == 0 {
		s.res.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(p)
	s.res.size += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (Hijack, Flush).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Hijack takes over the connection (a WebSocket upgrade) and records the
// status as 101 Switching Protocols.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err == nil && s.res.status == 0 {
		s.res.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}
