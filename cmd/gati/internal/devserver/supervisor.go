package devserver

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// genFile is the registration code Prepare generates; its own writes to
// it must not trigger another reload.
const genFile = "gati_gen.go"

// drainMax bounds the wait for a retired build's requests to get their
// response headers before it is told to stop.
const drainMax = 10 * time.Second

// supervisor builds and runs the app and serves the proxy in front of it.
// Builds happen on the loop goroutine only, one at a time; requests read
// the current build through an atomic pointer.
type supervisor struct {
	o   Options
	out io.Writer
	url string

	cur      atomic.Pointer[target]
	status   atomic.Pointer[Status]
	statusMu sync.Mutex // serializes status updates

	first     chan struct{} // closed once the first build has succeeded or failed
	firstOnce sync.Once
	retiring  sync.WaitGroup

	// Owned by the loop goroutine.
	builds  int
	tried   bool              // a build was attempted: the next one is a reload
	started bool              // a build served: the next success is a reload
	genSum  [sha256.Size]byte // gati_gen.go as Prepare last left it
	phases  phases            // of the latest attempt
	flags   []string          // go build flags, after "build"
}

func newSupervisor(o Options, addr net.Addr) *supervisor {
	s := &supervisor{o: o, out: &lockedWriter{w: o.Out}, url: URL(addr), first: make(chan struct{})}
	s.status.Store(&Status{State: StateStarting})
	return s
}

// loop builds the app, then rebuilds it whenever the watcher reports
// changes, until ctx is done.
func (s *supervisor) loop(ctx context.Context, w *watcher) {
	cleanBinaries(s.o.Dir)
	s.flags = buildFlags(ctx, s.o.Dir)
	s.reload(ctx, nil)
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
			if files := s.withoutOwnWrites(w.take()); len(files) > 0 {
				s.reload(ctx, files)
			}
		}
	}
}

// withoutOwnWrites drops gati_gen.go when it is as Prepare wrote it.
func (s *supervisor) withoutOwnWrites(files []string) []string {
	out := files[:0]
	for _, f := range files {
		if f == genFile && fileSum(filepath.Join(s.o.Dir, genFile)) == s.genSum {
			continue
		}
		out = append(out, f)
	}
	return out
}

func fileSum(path string) [sha256.Size]byte {
	data, _ := os.ReadFile(path)
	return sha256.Sum256(data)
}

// reload builds and starts the app and, once it is ready, switches the
// proxy to it. On failure the previous build keeps serving.
func (s *supervisor) reload(ctx context.Context, changed []string) {
	began := time.Now()
	if !s.tried {
		began, s.tried = s.o.Began, true
	}
	c, err := s.start(ctx)
	switch {
	case errors.Is(err, errStopped):
		return
	case err != nil:
		s.failed(err, changed)
	default:
		s.switchTo(c, time.Since(began), changed)
	}
	s.firstOnce.Do(func() { close(s.first) })
}

// switchTo makes c serve new requests and retires the build it replaces.
func (s *supervisor) switchTo(c *child, took time.Duration, changed []string) {
	t := newTarget(c, s.proxyError)
	old := s.cur.Swap(t)
	s.setStatus(Status{State: StateOK, ChildPID: c.pid(), LastReloadMS: took.Milliseconds()})
	go s.watchCrash(t)
	if old != nil {
		s.retiring.Add(1)
		go func() {
			defer s.retiring.Done()
			retire(old)
			removeBinary(s.o.Dir, old.child.bin)
		}()
	}
	if !s.started {
		s.started = true
		fmt.Fprintf(s.out, "ready in %.2fs → %s\n", took.Seconds(), s.url)
	} else {
		fmt.Fprintf(s.out, "reloaded in %.2fs (%s)\n", took.Seconds(), fileList(changed))
	}
	if s.o.Timings {
		fmt.Fprintf(s.out, "  %s\n", s.phases)
	}
}

// retire stops a build once no request is waiting on it.
func retire(t *target) {
	t.drain(drainMax)
	t.child.stop(stopGrace)
}

// failed reports a failed build in the terminal and in the status; the
// current build, if any, keeps serving.
func (s *supervisor) failed(err error, changed []string) {
	msg := err.Error()
	cur := s.cur.Load()
	st := Status{State: StateBuildFailed, Error: msg, LastReloadMS: s.status.Load().LastReloadMS}
	hint := "fix it and save; requests get this error until then"
	if cur != nil {
		st.ChildPID = cur.child.pid()
		hint = "the last good build keeps serving; fix it and save"
	}
	s.setStatus(st)
	what := "build failed"
	if len(changed) > 0 {
		what += " (" + fileList(changed) + ")"
	}
	fmt.Fprintf(s.out, "%s:\n%s\n%s\n", what, msg, hint)
}

// watchCrash reports a build that exits without being told to.
func (s *supervisor) watchCrash(t *target) {
	<-t.child.exited
	if !t.child.crashed() || !s.cur.CompareAndSwap(t, nil) {
		return
	}
	removeBinary(s.o.Dir, t.child.bin)
	msg := fmt.Sprintf("the app exited (%v); save a file to restart it", t.child.err)
	s.setStatus(Status{State: StateExited, Error: msg, LastReloadMS: s.status.Load().LastReloadMS})
	fmt.Fprintln(s.out, msg)
}

func (s *supervisor) setStatus(st Status) {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	s.status.Store(&st)
}

// shutdown stops the app, then the proxy.
func (s *supervisor) shutdown(srv *http.Server) {
	s.firstOnce.Do(func() { close(s.first) })
	if t := s.cur.Swap(nil); t != nil {
		retire(t)
		keepBinary(s.o.Dir, t.child.bin)
	}
	s.retiring.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if srv.Shutdown(ctx) != nil {
		_ = srv.Close()
	}
}

// fileList names the changed files for a message.
func fileList(files []string) string {
	const show = 3
	if len(files) <= show {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(files[:show], ", "), len(files)-show)
}
