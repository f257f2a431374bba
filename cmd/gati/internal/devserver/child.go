package devserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const (
	readyPath     = "/healthz/ready" // gati.PathReady
	readyTimeout  = 30 * time.Second
	readyInterval = 10 * time.Millisecond
	stopGrace     = 10 * time.Second // SIGTERM, then kill
	tailSize      = 16 << 10
)

// child is one build of the app, running on a loopback port.
type child struct {
	cmd      *exec.Cmd
	bin      string
	addr     string // 127.0.0.1:port
	tail     *tailBuffer
	exited   chan struct{}
	err      error       // how it exited; set before exited closes
	stopping atomic.Bool // we asked it to stop
}

// startChild runs bin in dir on a free loopback port, in the development
// environment, with its output going to out.
func startChild(bin, dir string, out io.Writer) (*child, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c := &child{bin: bin, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		tail: newTailBuffer(tailSize), exited: make(chan struct{})}
	c.cmd = exec.Command(bin)
	c.cmd.Dir = dir
	c.cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "GATI_HOST=127.0.0.1", "GATI_ENV=development")
	w := io.MultiWriter(out, c.tail)
	c.cmd.Stdout, c.cmd.Stderr = w, w
	c.cmd.SysProcAttr = sysProcAttr()
	c.cmd.WaitDelay = time.Second
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the app: %w", err)
	}
	go c.wait()
	return c, nil
}

func (c *child) wait() {
	c.err = c.cmd.Wait()
	close(c.exited)
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// freePort asks the kernel for a loopback port nobody uses.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls the readiness endpoint until it answers 200. It fails,
// with the app's recent output, when the app exits first or does not get
// ready in time.
func (c *child) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(readyInterval)
	defer tick.Stop()
	url := "http://" + c.addr + readyPath
	for !c.ready(ctx, client, url) {
		select {
		case <-ctx.Done():
			return errStopped
		case <-c.exited:
			return fmt.Errorf("the app exited before it was ready (%v)%s", c.err, c.recentOutput())
		case <-deadline.C:
			return fmt.Errorf("the app was not ready after %v (GET %s)%s", readyTimeout, readyPath, c.recentOutput())
		case <-tick.C:
		}
	}
	return nil
}

func (c *child) ready(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func (c *child) recentOutput() string {
	out := strings.TrimSpace(c.tail.String())
	if out == "" {
		return ""
	}
	return ":\n" + out
}

// stop asks the app to shut down gracefully (it drains in-flight
// requests itself) and kills it when it takes longer than grace.
func (c *child) stop(grace time.Duration) {
	c.stopping.Store(true)
	_ = terminate(c.cmd.Process)
	select {
	case <-c.exited:
		return
	case <-time.After(grace):
	}
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// crashed reports whether the app exited without being asked to.
func (c *child) crashed() bool {
	select {
	case <-c.exited:
		return !c.stopping.Load()
	default:
		return false
	}
}
