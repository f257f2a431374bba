package gati

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// errTimedOut is what writes return once the request's deadline has passed
// and Gati has answered the client on the handler's behalf.
var errTimedOut = &Error{Status: http.StatusServiceUnavailable, Code: "timeout",
	Detail: "the server did not answer within the request timeout; retry later"}

// errBodyTimedOut is the watchdog's answer instead when the deadline
// passes while the handler still waits for a body whose read deadline has
// passed with it (read_timeout no longer than request_timeout, as by
// default): the same 408 the failed read gives, without the race.
var errBodyTimedOut = &Error{Status: http.StatusRequestTimeout, Code: "body_timeout",
	Detail: "the request body did not arrive within the read timeout"}

// writeState is how far the response has gone.
type writeState uint8

const (
	writeIdle     writeState = iota // nothing sent yet
	writeStarted                    // the handler sent the status line
	writeHijacked                   // the handler took the connection
	writeTimedOut                   // the watchdog answered; later writes are dropped
)

// responseWriter is the exchange's only path to the client's
// http.ResponseWriter. Handlers write from the request goroutine while the
// deadline watchdog may answer from a timer goroutine, so every write is
// serialized here, and the handler gets a header map of its own: the
// watchdog never reads a map the handler may be changing. The handler's
// headers are copied to the connection when its status line is written.
type responseWriter struct {
	x      *exchange
	mu     sync.Mutex
	rw     http.ResponseWriter
	header http.Header // the handler's headers until it writes

	// The two headers nearly every response has skip header's map.
	contentType []string // unless the handler's headers have one
	state       writeState
	status      int
	size        int64
	overran     bool // the watchdog answered 503: counted in handlers_overrunning

	// Set while a request timeout is armed; see exchange.deadlinePassed.
	armed    bool
	deadline time.Time
	path     string // for the watchdog's problem document

	// streamWrite bounds each write once the response streams: the
	// connection's deadline for the whole response no longer applies.
	streamWrite time.Duration
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Hijacker       = (*responseWriter)(nil)
)

// Header returns the handler's header map before the response starts and
// the connection's afterwards, so trailers can still be set.
func (w *responseWriter) Header() http.Header {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state == writeStarted {
		return w.rw.Header()
	}
	return w.header
}

// WriteHeader sends the status line with the handler's headers, unless the
// watchdog has already answered. Informational (1xx) codes may precede it.
func (w *responseWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(code)
}

func (w *responseWriter) writeHeaderLocked(code int) {
	x := w.x
	if w.state != writeIdle || x.ridSend || code < 200 || code >= 400 || len(w.header) > 0 || x.app.shuttingDown.Load() {
		w.writeHeaderAny(code)
		return
	}
	// Most responses: a success, with no header of the handler's own and
	// no id to send. This path is kept short, as every request runs it:
	// the less code a request runs, the less has to be fetched again
	// after the kernel and net/http have evicted it from the cache.
	dst := w.rw.Header()
	if w.contentType != nil {
		dst["Content-Type"] = w.contentType
	}
	w.sendStatus(dst, code)
}

// writeHeaderAny is writeHeaderLocked for any state, status and headers.
func (w *responseWriter) writeHeaderAny(code int) {
	switch w.state {
	case writeIdle:
		dst := w.rw.Header()
		if w.x.ridSend || code >= 400 {
			// Writing a header costs net/http a map insert, a sort and an
			// escape per response: successes skip it unless asked (see
			// exchange.ridSend). An error keeps the id a support request
			// quotes, as its problem document does.
			w.x.ridHd[0] = w.x.lctx.RequestID()
			dst["X-Request-Id"] = w.x.ridHd[:1:1]
		}
		if len(w.header) > 0 { // ranging over an empty map still costs a random start
			for k, v := range w.header {
				dst[k] = v
			}
		}
		if _, set := w.header["Content-Type"]; w.contentType != nil && !set {
			dst["Content-Type"] = w.contentType
		}
		if w.x.app.shuttingDown.Load() {
			dst["Connection"] = connectionClose
		}
		if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
			w.rw.WriteHeader(code)
			return
		}
		w.sendStatus(dst, code)
	case writeStarted:
		w.rw.WriteHeader(code) // net/http reports the superfluous call
	}
}

// sendStatus adds the Date header and sends the status line. A handler's
// own Date stands, and a nil one suppresses the header, as net/http
// documents.
func (w *responseWriter) sendStatus(dst http.Header, code int) {
	if _, set := w.header["Date"]; !set {
		w.x.dateHd[0] = dateHeader(w.x.lctx.start)
		dst["Date"] = w.x.dateHd[:1:1]
	}
	w.state, w.status = writeStarted, code
	w.rw.WriteHeader(code)
}

// connectionClose is shared: header values are replaced, never modified.
var connectionClose = []string{"close"}

// Write sends body bytes, starting a 200 response if nothing was sent.
func (w *responseWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state == writeIdle {
		w.writeHeaderLocked(http.StatusOK)
	}
	if w.state == writeTimedOut {
		return 0, errTimedOut
	}
	if w.streamWrite > 0 {
		_ = http.NewResponseController(w.rw).SetWriteDeadline(time.Now().Add(w.streamWrite))
	}
	n, err := w.rw.Write(p)
	w.size += int64(n)
	return n, err
}

// writeWhole sends a status line and a whole body under one lock: the
// common case of a handler's response.
func (w *responseWriter) writeWhole(code int, contentType []string, body []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.contentType = contentType
	w.writeHeaderLocked(code)
	if w.state == writeTimedOut {
		return errTimedOut
	}
	n, err := w.rw.Write(body)
	w.size += int64(n)
	return err
}

// FlushError sends buffered bytes to the client now.
func (w *responseWriter) FlushError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state == writeIdle {
		w.writeHeaderLocked(http.StatusOK)
	}
	if w.state == writeTimedOut {
		return errTimedOut
	}
	rc := http.NewResponseController(w.rw)
	if w.streamWrite > 0 {
		_ = rc.SetWriteDeadline(time.Now().Add(w.streamWrite))
	}
	return rc.Flush()
}

// Hijack takes over the connection (a WebSocket upgrade). The request
// timeout and the server's read and write deadlines stop applying: the
// connection's new owner sets its own.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state == writeTimedOut {
		return nil, nil, errTimedOut
	}
	// A WebSocket upgrade writes its 101 before it takes the connection.
	if w.state == writeStarted && w.status != http.StatusSwitchingProtocols {
		return nil, nil, errors.New("gati: cannot hijack a connection after the response started")
	}
	rc := http.NewResponseController(w.rw)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, brw, err := rc.Hijack()
	if err == nil {
		w.state, w.armed = writeHijacked, false
		if w.status == 0 {
			w.status = http.StatusSwitchingProtocols
		}
	}
	return conn, brw, err
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.rw }

// result reports the status and size the client got and whether the
// handler overran its deadline, and disarms the watchdog: the handler has
// returned. A watchdog firing late sees the flag under the lock and
// touches nothing else, so reset may then clear the other fields without
// it.
func (w *responseWriter) result() (status int, size int64, timedOut bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	return w.status, w.size, w.overran
}

// started reports whether anything reached the client.
func (w *responseWriter) started() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state != writeIdle
}

// reset prepares the writer for the exchange's next request, after
// result has disarmed it.
func (w *responseWriter) reset() {
	clear(w.header)
	w.rw, w.state, w.status, w.size, w.contentType = nil, writeIdle, 0, 0, nil
	w.deadline, w.path, w.streamWrite, w.overran = time.Time{}, "", 0, false
}
