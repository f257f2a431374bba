package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/bench"
	"gati.dev/gati/bench/internal/server"
)

// BenchmarkLoopback serves GET /hello?name=Ada over real loopback
// connections, each server with the settings scripts/bench-http gives it:
// Gati through its own Serve (connection tracking and the framing
// listener included), the others through an http.Server with the same
// timeouts. The client sends wrk's bytes on keep-alive connections and
// parses responses without allocating, so allocs/op and B/op are the
// server's per request, net/http's own share included, which
// BenchmarkHello's in-process handler calls leave out. Its ns/op includes
// the client's work on the same CPUs: throughput is scripts/bench-http's.
func BenchmarkLoopback(b *testing.B) {
	for _, p := range peers {
		b.Run(p.name, func(b *testing.B) {
			var addr string
			if p.name == "gati" {
				addr = serveGati(b)
			} else {
				addr = serveHTTP(b, p.new(b))
			}
			benchLoopback(b, addr, 8)
		})
	}
}

// serveGati serves the bench app with Serve until the benchmark ends. It
// returns once the app has started: Serve answers 503 not_started before.
func serveGati(tb testing.TB) string {
	started := &listeningLog{seen: make(chan struct{})}
	app := bench.Gati(gati.WithEnv("production"), gati.WithLogOutput(started))
	ln := listenLoopback(tb)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("gati: %v", err)
		}
	})
	select {
	case <-started.seen:
	case err := <-done:
		tb.Fatalf("gati: %v", err)
	case <-time.After(30 * time.Second):
		tb.Fatal("gati: Serve did not log that it is listening within 30 s; has that log line changed?")
	}
	return ln.Addr().String()
}

// listeningLog closes seen when Serve logs that it is listening, which it
// does once the app has started.
type listeningLog struct {
	once sync.Once
	seen chan struct{}
}

func (l *listeningLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"listening"`)) || bytes.Contains(p, []byte("msg=listening")) {
		l.once.Do(func() { close(l.seen) })
	}
	return len(p), nil
}

// serveHTTP serves h with the timeouts of every bench server until the
// benchmark ends.
func serveHTTP(tb testing.TB, h http.Handler) string {
	ln := listenLoopback(tb)
	srv := server.New(h)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	tb.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func listenLoopback(tb testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return ln
}

// benchLoopback sends b.N requests over conns keep-alive connections.
func benchLoopback(b *testing.B, addr string, conns int) {
	req := []byte("GET /hello?name=Ada HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")
	clients := make([]*loopbackClient, conns)
	for i := range clients {
		c, err := dialLoopback(addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.conn.Close()
		clients[i] = c
		if err := c.roundTrip(req); err != nil { // the server's connection state exists before timing
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i, c := range clients {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Go(func() {
			for range n {
				if err := c.roundTrip(req); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

type loopbackClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialLoopback(addr string) (*loopbackClient, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &loopbackClient{conn: c, r: bufio.NewReaderSize(c, 4096)}, nil
}

var (
	contentLength = []byte("content-length:")
	wantBody      = []byte(`"message":"Hello, Ada!"`)
)

// roundTrip sends req and reads one response, framed by Content-Length,
// without allocating.
func (c *loopbackClient) roundTrip(req []byte) error {
	if _, err := c.conn.Write(req); err != nil {
		return err
	}
	status, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status line %q", status)
	}
	length := -1
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > len(contentLength) && bytes.EqualFold(line[:len(contentLength)], contentLength) {
			length, err = strconv.Atoi(string(bytes.TrimSpace(line[len(contentLength):])))
			if err != nil {
				return fmt.Errorf("content-length %q: %v", line, err)
			}
		}
	}
	if length < 0 {
		return errors.New("response without Content-Length")
	}
	body, err := c.r.Peek(length)
	if err != nil {
		return err
	}
	if !bytes.Contains(body, wantBody) {
		return fmt.Errorf("body %q", body)
	}
	_, err = c.r.Discard(length)
	return err
}
