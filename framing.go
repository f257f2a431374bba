package gati

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
)

// RFC 9112 §6.1: a server that receives a request with both
// Content-Length and Transfer-Encoding, or an HTTP/1.0 request with
// Transfer-Encoding, must close the connection after responding: an
// intermediary may have framed the message differently, and whatever
// follows on the connection may be a smuggled request. net/http frames
// such requests safely but deletes the evidence from the headers before
// a handler runs, so Serve's listener notes which header fields each
// connection's bytes carried, and the pipeline closes the connection
// after a request whose framing is in doubt.

// framingListener wraps each accepted connection in a framingConn, or a
// framingTCPConn for TCP: that type calls the connection's methods
// directly instead of through an interface, for the read and the two
// deadlines every request sets, and keeps sendfile and half-close as
// they are.
type framingListener struct{ net.Listener }

func (l framingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return &framingTCPConn{TCPConn: tc}, nil
	}
	return &framingConn{Conn: c}, nil
}

type framingTCPConn struct {
	*net.TCPConn
	framing
}

func (c *framingTCPConn) Read(p []byte) (int, error) {
	n, err := c.TCPConn.Read(p)
	c.scan(p[:n])
	return n, err
}

type framingConn struct {
	net.Conn
	framing
}

func (c *framingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.scan(p[:n])
	return n, err
}

// framingOf returns the framing state of a connection framingListener
// accepted, or nil.
func framingOf(c net.Conn) *framing {
	switch c := c.(type) {
	case *framingTCPConn:
		return &c.framing
	case *framingConn:
		return &c.framing
	}
	return nil
}

// framing watches the bytes a connection reads for header lines naming
// Content-Length and Transfer-Encoding. It cannot tell headers from body
// bytes that look like them; a false alarm only closes a connection.
type framing struct {
	// state is its http.ConnState + 1, for connSet. net/http reports a
	// connection's states from the goroutine that accepted it and then
	// from the one that serves it, which the first starts: no atomic
	// operation is needed.
	state                  int32
	sawLength, sawEncoding atomic.Bool
	// midLine is set once the start of the line being read is checked;
	// tail holds a line start a read cut off too short to check.
	midLine bool
	tail    []byte
}

var (
	headerContentLength    = []byte("content-length:")
	headerTransferEncoding = []byte("transfer-encoding:")
)

// scan checks the start of every line in b. Reads end anywhere, down to
// one byte at a time, and a client can send each header line in a TCP
// segment of its own: line starts are tracked across reads.
func (c *framing) scan(b []byte) {
	for len(b) > 0 {
		if c.midLine {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				return
			}
			b, c.midLine = b[i+1:], false
			continue
		}
		if len(c.tail) == 0 && b[0]|0x20 != 'c' && b[0]|0x20 != 't' {
			c.midLine = true // not a line either header can start
			continue
		}
		need := len(headerTransferEncoding) - len(c.tail)
		if len(b) < need && bytes.IndexByte(b, '\n') < 0 {
			c.tail = append(c.tail, b...) // too short to tell: wait for the next read
			return
		}
		line := b
		if len(c.tail) > 0 {
			line = append(c.tail, b[:min(len(b), need)]...)
			c.tail = c.tail[:0]
		}
		c.check(line)
		c.midLine = true
	}
}

func (c *framing) check(line []byte) {
	if len(line) == 0 {
		return
	}
	switch line[0] | 0x20 {
	case 'c':
		if hasFoldPrefix(line, headerContentLength) {
			c.sawLength.Store(true)
		}
	case 't':
		if hasFoldPrefix(line, headerTransferEncoding) {
			c.sawEncoding.Store(true)
		}
	}
}

// hasFoldPrefix reports whether b starts with the lower-case ASCII prefix,
// ignoring case.
func hasFoldPrefix(b, prefix []byte) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if b[i]|0x20 != p && b[i] != p {
			return false
		}
	}
	return true
}

// CloseWrite and ReadFrom keep what net/http finds on a *net.TCPConn (a
// graceful half-close and sendfile) for other connections that have them.
func (c *framingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *framingConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

type framingKey struct{}

// withFraming makes each connection's framing state reachable from its
// requests' contexts.
func withFraming(ctx context.Context, c net.Conn) context.Context {
	if f := framingOf(c); f != nil {
		return context.WithValue(ctx, framingKey{}, f)
	}
	return ctx
}

// framingInDoubt reports whether r's connection must close after the
// response. Only the requests net/http let through with a
// Transfer-Encoding, or that speak HTTP/1.0, pay for the look-up.
func framingInDoubt(r *http.Request) bool {
	if len(r.TransferEncoding) == 0 && (r.ProtoMinor != 0 || r.ProtoMajor != 1) {
		return false // inlined into the pipeline: most requests stop here
	}
	return framingSeen(r)
}

func framingSeen(r *http.Request) bool {
	chunked := len(r.TransferEncoding) > 0
	http10 := r.ProtoMajor == 1 && r.ProtoMinor == 0
	fc, ok := r.Context().Value(framingKey{}).(*framing)
	if !ok {
		return false
	}
	return chunked && fc.sawLength.Load() || http10 && fc.sawEncoding.Load()
}
