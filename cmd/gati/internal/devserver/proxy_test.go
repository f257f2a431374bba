package devserver

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// proxyTo returns a target forwarding to the handler h, served on loopback.
func proxyTo(t *testing.T, h http.Handler) *target {
	t.Helper()
	app := httptest.NewServer(h)
	t.Cleanup(app.Close)
	tg := newTarget(&child{addr: strings.TrimPrefix(app.URL, "http://")}, func(w http.ResponseWriter, _ *http.Request, err error) {
		http.Error(w, err.Error(), http.StatusBadGateway)
	})
	t.Cleanup(tg.transport.CloseIdleConnections)
	return tg
}

// serveTarget serves tg as the dev server does, on loopback.
func serveTarget(t *testing.T, tg *target) string {
	t.Helper()
	var cur atomic.Pointer[target]
	cur.Store(tg)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acquire(&cur).serve(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestProxyStreamsEvents(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	tg := proxyTo(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	res, err := http.Get(serveTarget(t, tg))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	defer close(release)
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(res.Body).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if l != "data: first\n" {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first event did not arrive while the stream was open")
	}
	if n := tg.pending.Load(); n != 0 {
		t.Errorf("an open stream counts as pending (%d): it would hold up reloads", n)
	}
}

func TestProxyPassesUpgrades(t *testing.T) {
	t.Parallel()
	tg := proxyTo(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			http.Error(w, "upgrade required", http.StatusUpgradeRequired)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		_ = buf.Flush()
		line, _ := buf.ReadString('\n')
		_, _ = conn.Write([]byte("echo: " + line))
	}))
	addr := strings.TrimPrefix(serveTarget(t, tg), "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	_, _ = io.WriteString(conn, "hi\n")
	if got, _ := br.ReadString('\n'); got != "echo: hi\n" {
		t.Fatalf("over the upgraded connection: %q", got)
	}
}

func TestAcquireSkipsRetiredTarget(t *testing.T) {
	t.Parallel()
	var cur atomic.Pointer[target]
	if acquire(&cur) != nil {
		t.Fatal("acquired a target when there is none")
	}
	old, next := &target{}, &target{}
	cur.Store(old)
	old.retired.Store(true)
	go func() {
		time.Sleep(10 * time.Millisecond)
		cur.Store(next)
	}()
	if got := acquire(&cur); got != next {
		t.Fatal("acquire returned the retired target")
	}
	if old.pending.Load() != 0 || next.pending.Load() != 1 {
		t.Errorf("pending: old %d, next %d; want 0, 1", old.pending.Load(), next.pending.Load())
	}
}

func TestDrainWaitsForPendingRequests(t *testing.T) {
	t.Parallel()
	tg := &target{transport: &http.Transport{}}
	tg.pending.Add(1)
	go func() {
		time.Sleep(30 * time.Millisecond)
		tg.pending.Add(-1)
	}()
	began := time.Now()
	tg.drain(5 * time.Second)
	if took := time.Since(began); took < 30*time.Millisecond || took > 4*time.Second {
		t.Errorf("drain took %v; want it to wait for the request, and no longer", took)
	}
	if !tg.retired.Load() {
		t.Error("drain did not retire the target")
	}
}
