package gati

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	w       http.ResponseWriter // the exchange's responseWriter, or per-route middleware's wrapper of it
	r       *http.Request
	written bool
	down    []transform // version downgrades for JSON bodies
}

// Header returns the response headers, to set before writing.
func (res *Response) Header() http.Header { return res.w.Header() }

// Written reports whether the response has been started.
func (res *Response) Written() bool { return res.written }

// StatusCode returns the status the client got, or 0 before writing. It
// is 503 when the request timed out, whatever the handler wrote since.
func (res *Response) StatusCode() int {
	res.ex.w.mu.Lock()
	defer res.ex.w.mu.Unlock()
	return res.ex.w.status
}

// Size returns how many body bytes have been written.
func (res *Response) Size() int64 {
	res.ex.w.mu.Lock()
	defer res.ex.w.mu.Unlock()
	return res.ex.w.size
}

// SetCookie adds a Set-Cookie header. Call it before writing.
func (res *Response) SetCookie(c *http.Cookie) { http.SetCookie(res.w, c) }

// JSON writes v as JSON with the given status.
func (res *Response) JSON(status int, v any) error {
	if res.written {
		return ErrAlreadyWritten
	}
	if res.down == nil {
		// Encode straight to the connection: json.Encoder writes its pooled
		// buffer in one Write once the whole value is encoded, so a failure
		// writes nothing, and a large body is held once, not copied.
		body, enc := res.ex.jsonEncoder(res, status)
		err := enc.Encode(v)
		res.ex.encoding = false
		if err != nil && !body.started {
			return fmt.Errorf("gati: encoding the response as JSON: %w", err)
		}
		return err
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("gati: encoding the response as JSON: %w", err)
	}
	if body, err = translate(body, res.down, "downgrading the response body"); err != nil {
		return err
	}
	return res.bytes(status, "application/json", body)
}

// errUntranslatable is what writing a raw body returns when the client
// pinned a version whose changes translate this route's responses: Gati
// can translate only JSON written with Response.JSON (or by a typed
// handler), and sending the newest shape instead would break the client.
func (res *Response) errUntranslatable() error {
	return &Error{Status: http.StatusInternalServerError, Code: "untranslatable_response",
		Detail: fmt.Sprintf("this route cannot answer API version %s: its response is not JSON the version changes can translate", res.ex.lctx.version)}
}

// jsonEncoder returns the exchange's reusable encoder writing to res with
// status, or a new one when a JSON encoding is already under way (a
// MarshalJSON method writing a response of its own).
func (x *exchange) jsonEncoder(res *Response, status int) (*jsonBody, *json.Encoder) {
	if x.encoding || res != &x.res {
		body := &jsonBody{res: res, status: status}
		return body, json.NewEncoder(body)
	}
	x.encoding = true
	x.json = jsonBody{res: res, status: status}
	if x.enc == nil {
		x.enc = json.NewEncoder(&x.json)
	}
	return &x.json, x.enc
}

// jsonBody starts the response on json.Encoder's one Write and drops the
// newline Encode adds, so the body is what json.Marshal would return.
type jsonBody struct {
	res     *Response
	status  int
	started bool
}

func (b *jsonBody) Write(p []byte) (int, error) {
	b.started = true
	if err := b.res.send(b.status, "application/json", p[:len(p)-1]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Text writes s as text/plain with the given status.
func (res *Response) Text(status int, s string) error {
	if res.written {
		return ErrAlreadyWritten
	}
	if len(res.down) > 0 {
		return res.errUntranslatable()
	}
	res.start(status, "text/plain; charset=utf-8")
	_, err := io.WriteString(res.w, s)
	return err
}

// Bytes writes body with the given status and content type.
func (res *Response) Bytes(status int, contentType string, body []byte) error {
	if len(res.down) > 0 && !res.written {
		return res.errUntranslatable()
	}
	return res.bytes(status, contentType, body)
}

func (res *Response) bytes(status int, contentType string, body []byte) error {
	if res.written {
		return ErrAlreadyWritten
	}
	return res.send(status, contentType, body)
}

// send writes a whole response: through the exchange's writer in one
// step when nothing wraps it, else as start and Write.
func (res *Response) send(status int, contentType string, body []byte) error {
	if w := &res.ex.w; res.w == http.ResponseWriter(w) {
		res.written = true
		return w.writeWhole(status, contentTypeValue(contentType), body)
	}
	res.start(status, contentType)
	_, err := res.w.Write(body)
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
	res.written = true
	http.Redirect(res.w, res.r, url, status)
	return nil
}

// start writes the status line and content type once. Content-Length is
// left to net/http, which sets it for bodies written in one Write.
func (res *Response) start(status int, contentType string) {
	res.written = true
	if contentType != "" {
		if w := &res.ex.w; res.w == http.ResponseWriter(w) {
			w.contentType = contentTypeValue(contentType) // the handler's own header wins
		} else if h := res.w.Header(); h["Content-Type"] == nil {
			h["Content-Type"] = contentTypeValue(contentType)
		}
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

// ErrHeadRequest is returned by Stream and SSE for a HEAD request, after
// the headers are sent: there is no body to stream. Return it from the
// handler (or return nil); Gati treats it as success.
var ErrHeadRequest = errors.New("gati: HEAD request: the response has no body")

// Stream starts a streamed response of unknown length. Write to the
// returned Stream and Flush to push bytes to the client as they are ready.
// A stream is exempt from the request timeout and from the connection's
// whole-response deadlines; each write must still finish within
// server.write_timeout. Call lctx.Context() after Stream for the stream's
// context: it ends when the client goes away or the app begins shutting
// down, so long-lived streams end instead of holding shutdown up.
func (res *Response) Stream(status int, contentType string) (*Stream, error) {
	if res.written {
		return nil, ErrAlreadyWritten
	}
	if len(res.down) > 0 {
		return nil, res.errUntranslatable()
	}
	res.ex.streaming()
	res.start(status, contentType)
	s := &Stream{res: res, rc: http.NewResponseController(res.w)}
	if res.r.Method == http.MethodHead {
		return nil, errors.Join(ErrHeadRequest, s.Flush())
	}
	return s, nil
}

// Stream is a response body written incrementally.
type Stream struct {
	res *Response
	rc  *http.ResponseController
}

// Write writes p to the client's connection buffer.
func (s *Stream) Write(p []byte) (int, error) { return s.res.w.Write(p) }

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
// written from here on, and is treated as a stream (see Stream).
func (res *Response) Hijack() (http.ResponseWriter, error) {
	if res.written {
		return nil, ErrAlreadyWritten
	}
	if len(res.down) > 0 {
		return nil, res.errUntranslatable()
	}
	res.written = true
	res.ex.streaming()
	return res.w, nil
}
