package devserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hammer sends GET /hello?name=Ada every millisecond until stopped,
// counting failures and remembering the last message served.
type hammer struct {
	app      *devApp
	stopped  chan struct{}
	wg       sync.WaitGroup
	requests atomic.Int64
	failures atomic.Int64
	flagged  atomic.Int64 // responses carrying ErrorHeader
	mu       sync.Mutex
	last     string
	errs     []string
}

func startHammer(a *devApp) *hammer {
	h := &hammer{app: a, stopped: make(chan struct{})}
	h.wg.Add(1)
	go h.run()
	return h
}

func (h *hammer) run() {
	defer h.wg.Done()
	client := &http.Client{Timeout: 30 * time.Second}
	for {
		select {
		case <-h.stopped:
			return
		case <-time.After(time.Millisecond):
		}
		h.once(client)
	}
}

func (h *hammer) once(client *http.Client) {
	h.requests.Add(1)
	res, err := client.Get(h.app.url + "/hello?name=Ada")
	if err != nil {
		h.fail(err.Error())
		return
	}
	defer res.Body.Close()
	var out struct{ Message string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		h.fail(res.Status)
		return
	}
	if res.Header.Get(ErrorHeader) != "" {
		h.flagged.Add(1)
	}
	h.mu.Lock()
	h.last = out.Message
	h.mu.Unlock()
}

func (h *hammer) fail(msg string) {
	h.failures.Add(1)
	h.mu.Lock()
	h.errs = append(h.errs, msg)
	h.mu.Unlock()
}

// waitMessage waits until msg is served, for at most a minute.
func (h *hammer) waitMessage(t *testing.T, msg string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		h.mu.Lock()
		last := h.last
		h.mu.Unlock()
		if last == msg {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q is not served after a minute (last %q)", msg, last)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *hammer) stop(t *testing.T) {
	t.Helper()
	close(h.stopped)
	h.wg.Wait()
	if n := h.failures.Load(); n > 0 {
		t.Errorf("%d of %d requests failed: %v", n, h.requests.Load(), h.errs[:min(len(h.errs), 5)])
	}
}

// TestReloadServesEveryRequest edits, breaks and fixes the app while
// requests keep coming, and expects every one of them to succeed.
func TestReloadServesEveryRequest(t *testing.T) {
	a := startDevApp(t, nil, nil)
	res, body := a.get(t, "/hello", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Hello, world!") {
		t.Fatalf("GET /hello = %d %s", res.StatusCode, body)
	}
	t.Logf("start-up: %v", seconds(a.out.String(), "ready in"))

	h := startHammer(a)
	h.waitMessage(t, "Hello, Ada!")
	hello := a.readFile(t, "hello.go")
	a.writeFile(t, "hello.go", strings.Replace(hello, `"Hello, "`, `"Hi, "`, 1))
	h.waitMessage(t, "Hi, Ada!")
	a.out.WaitFor(t, "reloaded in", time.Minute)
	t.Logf("reload: %v, %d requests so far; phases:\n%s", seconds(a.out.String(), "reloaded in"), h.requests.Load(), phaseLines(a.out.String()))

	breakAndFix(t, a, h)
	editTwice(t, a, h)
	h.stop(t)
}

// editTwice saves again while a reload runs: the second change must not
// be lost.
func editTwice(t *testing.T, a *devApp, h *hammer) {
	t.Helper()
	src := a.readFile(t, "hello.go")
	a.writeFile(t, "hello.go", strings.Replace(src, `"Hey, "`, `"Yo, "`, 1))
	time.Sleep(150 * time.Millisecond) // past the debounce: the reload has begun
	a.writeFile(t, "hello.go", strings.Replace(src, `"Hey, "`, `"Yo again, "`, 1))
	h.waitMessage(t, "Yo again, Ada!")
}

// breakAndFix writes a syntax error, checks how it is reported while the
// old build serves, then fixes it.
func breakAndFix(t *testing.T, a *devApp, h *hammer) {
	t.Helper()
	good := a.readFile(t, "hello.go")
	lines := strings.Count(good, "\n")
	a.writeFile(t, "hello.go", good+"\nfunc broken( {\n")
	st := a.waitStatus(t, StateBuildFailed)
	wantLoc := "hello.go:" + strconv.Itoa(lines+2)
	if !strings.Contains(st.Error, wantLoc) {
		t.Errorf("status error %q lacks %s", st.Error, wantLoc)
	}
	a.out.WaitFor(t, wantLoc, time.Minute)

	res, body := a.get(t, "/hello?name=Ada", "application/json")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Hi, Ada!") || res.Header.Get(ErrorHeader) != "build failed" {
		t.Errorf("API request while broken = %d %s %s=%q; want 200 from the old build, flagged",
			res.StatusCode, body, ErrorHeader, res.Header.Get(ErrorHeader))
	}
	res, body = a.get(t, "/hello", "text/html,application/xhtml+xml")
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, wantLoc) {
		t.Errorf("page request while broken = %d, want 500 with the compiler output:\n%s", res.StatusCode, body)
	}

	a.writeFile(t, "hello.go", strings.Replace(good, `"Hi, "`, `"Hey, "`, 1))
	h.waitMessage(t, "Hey, Ada!")
	if st := a.waitStatus(t, StateOK); st.Error != "" {
		t.Errorf("error not cleared after the fix: %+v", st)
	}
	if res, _ := a.get(t, "/hello", ""); res.Header.Get(ErrorHeader) != "" {
		t.Errorf("%s still set after the fix", ErrorHeader)
	}
	if h.flagged.Load() == 0 {
		t.Errorf("no proxied response carried %s while the build was broken", ErrorHeader)
	}
}
