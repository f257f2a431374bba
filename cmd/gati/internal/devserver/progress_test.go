package devserver

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/gatitest"
)

func TestProgressSortsPackagesFromErrors(t *testing.T) {
	t.Parallel()
	var out gatitest.Buffer
	p := startProgress(&out, time.Hour)
	for _, chunk := range []string{"internal/abi\nnet/ht", "tp\n# demo\n./hello.go:3:2: undefined: x\n", "demo"} {
		if _, err := p.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.line(); !strings.Contains(got, "2 packages compiled (last: net/http)") {
		t.Errorf("line = %q", got)
	}
	errs, n := p.finish()
	if n != 3 || errs != "# demo\n./hello.go:3:2: undefined: x\n" {
		t.Errorf("finish = %q, %d", errs, n)
	}
}

// TestBuildReportsProgress builds an app with a short interval: the
// lines the first build on a cold cache prints every 5s.
func TestBuildReportsProgress(t *testing.T) {
	t.Parallel()
	dir := newApp(t)
	out := &gatitest.Buffer{}
	bin, err := build(context.Background(), dir, 0, nil, out, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if bin == "" || !strings.Contains(out.String(), "  go build: ") || !strings.Contains(out.String(), "compiled") {
		t.Errorf("no progress lines:\n%s", out)
	}
}

func TestBuildErrorLeavesOutPackageNames(t *testing.T) {
	t.Parallel()
	dir := newApp(t)
	write(t, filepath.Join(dir, "broken.go"), "package main\n\nvar _ = undefinedThing\n")
	_, err := build(context.Background(), dir, 0, nil, &gatitest.Buffer{}, time.Hour)
	if err == nil || !strings.Contains(err.Error(), "undefinedThing") {
		t.Fatalf("err = %v", err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if isImportPath(line) {
			t.Errorf("the error lists package %q:\n%s", line, err)
		}
	}
}

func TestListenLoopbackByDefault(t *testing.T) {
	t.Parallel()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	o, err := Options{Port: port}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listen(o)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if got, want := URL(ln.Addr()), "http://127.0.0.1:"+strconv.Itoa(o.Port); got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
}

func TestListenSaysThePortIsTaken(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	_, err = listen(Options{Host: "127.0.0.1", Port: port})
	if err == nil || !strings.Contains(err.Error(), "port "+strconv.Itoa(port)+" is taken") || !strings.Contains(err.Error(), "--port") {
		t.Fatalf("err = %v, want one saying the port is taken", err)
	}
}
