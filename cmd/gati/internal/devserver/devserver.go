// Package devserver runs an app in development: it builds the app, runs
// each build as a child process on a loopback port and serves a reverse
// proxy in front of it. When a source file changes it builds and starts
// the new version, waits until it is ready, switches the proxy to it and
// only then stops the old one, so no request fails during a reload. A
// build that fails leaves the last good version serving and shows the
// error in the terminal, in browsers and at [StatusPath].
//
// # Reloads
//
// Builds run one at a time on one goroutine; changes saved meanwhile
// cause one more reload afterwards. On the first build Prepare (analysis
// and code generation) and go build run at the same time, and the build
// runs again only when Prepare changed gati_gen.go. On later reloads
// Unchanged decides: Prepare is skipped when it says nothing Prepare
// writes would change, and runs before go build otherwise. Builds leave
// out DWARF data (-ldflags=-w), the costliest part of the link, run the
// compiler and linker with GOGC=400 unless GOGC is set (less of a large
// package's compile goes to collecting garbage), and the session's last
// binary is kept, so the next session starts without linking when the
// source has not changed.
//
// # No failed requests
//
// Requests read the serving build through an atomic pointer. A replaced
// build is retired: no new request takes it, and it gets SIGTERM only once
// every request it took has its response headers, so none can land on a
// keep-alive connection the app is closing; the app then drains the
// responses in flight itself. Streams and WebSockets do not delay this.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Options configures Run. The zero value means defaults.
type Options struct {
	// Dir is the app's directory (its main package); default ".".
	Dir string
	// Host is the interface the dev server listens on when Listener is
	// nil; default 127.0.0.1, this machine only.
	Host string
	// Port is the port the dev server listens on when Listener is nil;
	// default $PORT, else 8080.
	Port int
	// Listener, when set, is used instead of listening on Port.
	Listener net.Listener
	// Prepare runs before every build: analysis and code generation. An
	// error counts as a failed build; its text is shown as is. go build
	// runs alongside it, so Prepare must leave files it does not change
	// untouched and replace the others atomically (write, then rename).
	Prepare func(ctx context.Context) error
	// Unchanged, when set, is asked before each reload after the first
	// whether Prepare would leave every file as it is (the edit was inside
	// a function body, say); it must be cheap. When it says so, the reload
	// skips Prepare and only builds. When it does not, Prepare runs before
	// go build rather than beside it: it has likely something to write,
	// which would make a build started beside it wasted work.
	Unchanged func() bool
	// Out receives the dev server's messages and the app's output;
	// default standard output.
	Out io.Writer
	// Began is when the command started, for the start-up time; default
	// when Run is called.
	Began time.Time
	// Timings prints where each reload's time went: Prepare, go build,
	// and the app's start until ready.
	Timings bool
	// Progress is how often a build that is still running reports its
	// progress (time taken, packages compiled); default 5s, negative for
	// never.
	Progress time.Duration
	// Debounce is how long changes must settle before a reload; default
	// 50ms.
	Debounce time.Duration
	// Serve maps path prefixes the dev server answers itself, in front of
	// the app, to their handlers: the playground's file API, which reads
	// and writes the app's source tree.
	Serve map[string]http.Handler
}

func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		o.Dir = "."
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return o, err
	}
	o.Dir = dir
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Began.IsZero() {
		o.Began = time.Now()
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Progress == 0 {
		o.Progress = 5 * time.Second
	}
	if o.Debounce == 0 {
		o.Debounce = 50 * time.Millisecond
	}
	if o.Port == 0 {
		o.Port = 8080
		if p := os.Getenv("PORT"); p != "" {
			port, err := strconv.Atoi(p)
			if err != nil {
				return o, fmt.Errorf("$PORT=%q is not a port number", p)
			}
			o.Port = port
		}
	}
	return o, nil
}

// Run serves the app in o.Dir until ctx is done, then stops the app and
// returns nil. It returns an error only when it cannot start: the port is
// taken or the directory cannot be watched.
func Run(ctx context.Context, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	ln, err := listen(o)
	if err != nil {
		return err
	}
	s := newSupervisor(o, ln.Addr())
	fmt.Fprintf(s.out, "gati dev: serving %s; building %s…\n", s.url, o.Dir)
	w, err := newWatcher(o.Dir, o.Debounce, s.out)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go w.run()
	s.loop(ctx, w)
	w.close()
	s.shutdown(srv)
	return nil
}

func listen(o Options) (net.Listener, error) {
	if o.Listener != nil {
		return o.Listener, nil
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("port %d is taken on %s: another program listens there; stop it, or choose another port with --port (or $PORT, or server.port in gati.yaml)", o.Port, o.Host)
	}
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, nil
}

// URL returns the address to print for a listener: localhost when it
// listens on every interface.
func URL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// errStopped reports that a reload was abandoned because Run is ending.
var errStopped = errors.New("devserver: stopped")
