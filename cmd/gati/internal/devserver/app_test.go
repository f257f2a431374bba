package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gati.dev/gati/cmd/gati/internal/scaffold"
	"gati.dev/gati/gatitest"
)

// devApp is a scaffolded app served by Run, for tests.
type devApp struct {
	dir    string
	url    string
	out    *gatitest.Buffer
	client *http.Client
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// startDevApp scaffolds an app in a temporary directory and runs the dev
// server on it, on a loopback port. Prepare may be nil.
func startDevApp(t *testing.T, prepare func(context.Context) error, edit func(dir string)) *devApp {
	t.Helper()
	dir := newApp(t)
	if edit != nil {
		edit(dir)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &devApp{dir: dir, url: "http://" + ln.Addr().String(), out: &gatitest.Buffer{}, cancel: cancel,
		done: make(chan error, 1), client: &http.Client{Timeout: 3 * time.Minute}}
	go func() {
		a.done <- Run(ctx, Options{Dir: dir, Listener: ln, Out: a.out, Prepare: prepare, Timings: true})
	}()
	t.Cleanup(func() { a.stop(t) })
	return a
}

// newApp writes the scaffold into a temporary directory, with go.sum.
func newApp(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	var out bytes.Buffer
	if err := scaffold.New(context.Background(), dir, "", &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return dir
}

// stop ends Run and checks that it returns in time; once.
func (a *devApp) stop(t *testing.T) {
	a.once.Do(func() { a.stopOnce(t) })
}

func (a *devApp) stopOnce(t *testing.T) {
	a.cancel()
	select {
	case err := <-a.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("Run did not return 30s after its context ended")
	}
	if t.Failed() {
		t.Logf("dev server output:\n%s", a.out.String())
	}
}

// get requests path with an optional Accept header.
func (a *devApp) get(t *testing.T, path, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func (a *devApp) status(t *testing.T) Status {
	t.Helper()
	_, body := a.get(t, StatusPath, "")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("status %q: %v", body, err)
	}
	return st
}

// waitStatus polls the status until it is in state, for at most a minute.
func (a *devApp) waitStatus(t *testing.T, state string) Status {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st := a.status(t)
		if st.State == state {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %q after a minute, want %q; status %+v", st.State, state, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeFile replaces a file of the app.
func (a *devApp) writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(a.dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (a *devApp) readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(a.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seconds returns the durations printed after prefix ("ready in 0.84s").
func seconds(out, prefix string) []string {
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + ` ([0-9.]+s)`)
	var d []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		d = append(d, m[1])
	}
	return d
}

// phaseLines returns the timing lines of the output.
func phaseLines(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "go build ") && strings.HasPrefix(l, "  ") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
