package devserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gati.dev/gati"
)

// TestFirstBuildFails starts on a broken app: every request gets the
// compiler's output until the app is fixed.
func TestFirstBuildFails(t *testing.T) {
	var good string
	a := startDevApp(t, nil, func(dir string) {
		b, err := os.ReadFile(filepath.Join(dir, "hello.go"))
		if err != nil {
			t.Fatal(err)
		}
		good = string(b)
		write(t, filepath.Join(dir, "hello.go"), good+"\nfunc broken( {\n")
	})
	wantLoc := "hello.go:" + strconv.Itoa(strings.Count(good, "\n")+2)

	res, body := a.get(t, "/hello", "application/json")
	var p gati.Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != http.StatusServiceUnavailable ||
		res.Header.Get("Content-Type") != gati.ProblemContentType || !strings.Contains(p.Detail, wantLoc) {
		t.Fatalf("GET /hello = %d %s %s; want 503 problem+json with %s", res.StatusCode, res.Header.Get("Content-Type"), body, wantLoc)
	}
	if res, body := a.get(t, "/hello", "text/html"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, wantLoc) {
		t.Errorf("page = %d, want 503 with the compiler output:\n%s", res.StatusCode, body)
	}
	if st := a.status(t); st.State != StateBuildFailed || st.ChildPID != 0 {
		t.Errorf("status = %+v, want build_failed without a child", st)
	}

	a.writeFile(t, "hello.go", good)
	a.waitStatus(t, StateOK)
	if res, body := a.get(t, "/hello", ""); res.StatusCode != http.StatusOK || !strings.Contains(body, "Hello, world!") {
		t.Errorf("after the fix: %d %s", res.StatusCode, body)
	}
	a.out.WaitFor(t, "ready in", time.Minute) // the first build that serves
}

// fakePrepare stands in for the analyzer: it rewrites gati_gen.go (with
// the same content, atomically) on every call, and fails while failing is
// set.
type fakePrepare struct {
	dir     string
	calls   atomic.Int64
	failing atomic.Bool
}

const analysisError = "hello.go:3:1: the analyzer says no"

func (f *fakePrepare) prepare(ctx context.Context) error {
	f.calls.Add(1)
	gen := filepath.Join(f.dir, genFile)
	b, err := os.ReadFile(gen)
	if err != nil {
		return err
	}
	if err := os.WriteFile(gen+".tmp", b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(gen+".tmp", gen); err != nil {
		return err
	}
	if f.failing.Load() {
		return errors.New(analysisError)
	}
	return nil
}

// TestPrepareErrorsAndOwnWrites checks that Prepare's errors count as a
// failed build, and that its own writes to gati_gen.go do not trigger
// reloads.
func TestPrepareErrorsAndOwnWrites(t *testing.T) {
	f := &fakePrepare{}
	a := startDevApp(t, f.prepare, func(dir string) { f.dir = dir })
	a.waitStatus(t, StateOK)
	settle(t, &f.calls, 1)

	f.failing.Store(true)
	a.writeFile(t, "hello.go", a.readFile(t, "hello.go")+"\n// edited\n")
	if st := a.waitStatus(t, StateBuildFailed); st.Error != analysisError {
		t.Errorf("status error %q, want the analyzer's %q", st.Error, analysisError)
	}
	a.out.WaitFor(t, analysisError, time.Minute)
	if res, _ := a.get(t, "/hello", ""); res.StatusCode != http.StatusOK || res.Header.Get(ErrorHeader) == "" {
		t.Errorf("API request while broken = %d, %s=%q", res.StatusCode, ErrorHeader, res.Header.Get(ErrorHeader))
	}
	settle(t, &f.calls, 2)

	f.failing.Store(false)
	a.writeFile(t, "hello.go", a.readFile(t, "hello.go")+"// again\n")
	a.waitStatus(t, StateOK)
	settle(t, &f.calls, 3)
}

// settle waits for the reloads to finish and checks that Prepare ran n
// times in all.
func settle(t *testing.T, calls *atomic.Int64, n int64) {
	t.Helper()
	time.Sleep(500 * time.Millisecond)
	if got := calls.Load(); got != n {
		t.Fatalf("Prepare ran %d times, want %d", got, n)
	}
}

// TestStopEndsTheApp checks that the app process is gone when Run returns.
func TestStopEndsTheApp(t *testing.T) {
	a := startDevApp(t, nil, nil)
	pid := a.waitStatus(t, StateOK).ChildPID
	if pid == 0 {
		t.Fatal("no child pid")
	}
	a.stop(t)
	if processAlive(pid) {
		t.Errorf("the app (pid %d) still runs after Run returned", pid)
	}
	if _, err := os.Stat(binPath(a.dir, 0)); err != nil {
		t.Errorf("the last build was not kept for the next start: %v", err)
	}
}
