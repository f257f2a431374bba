package azqueue_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests run Azurite, the Azure Storage emulator, from the npm lock
// file in internal/azurite (scripts/test runs npm ci there).
var azuriteBin = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "internal", "azurite", "node_modules", ".bin", "azurite-queue")
}()

const devKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// azurite is one running emulator.
type azurite struct {
	cmd  *exec.Cmd
	dir  string
	addr string
	log  *strings.Builder
	done chan struct{}
}

// connString is the development account's connection string for a.
func (a *azurite) connString() string {
	return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + devKey +
		";QueueEndpoint=http://" + a.addr + "/devstoreaccount1;"
}

// startAzurite starts azurite-queue on a free loopback port with its
// files in a new temporary directory.
func startAzurite() (*azurite, error) {
	if _, err := os.Stat(azuriteBin); err != nil {
		return nil, fmt.Errorf("Azurite is not installed (%s is missing): run (cd effects/azqueue/internal/azurite && npm ci), or scripts/test, which does", azuriteBin)
	}
	var lastErr error
	for range 3 {
		dir, err := os.MkdirTemp("", "gati-azurite-")
		if err != nil {
			return nil, err
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		a := &azurite{dir: dir, addr: fmt.Sprintf("127.0.0.1:%d", port), log: &strings.Builder{}, done: make(chan struct{})}
		a.cmd = exec.Command(azuriteBin, "--queueHost", "127.0.0.1", "--queuePort", fmt.Sprint(port),
			"--location", dir, "--skipApiVersionCheck", "--loose")
		a.cmd.Stdout, a.cmd.Stderr = &syncWriter{b: a.log}, &syncWriter{b: a.log}
		a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := a.cmd.Start(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start %s: %w", azuriteBin, err)
		}
		go func() { a.cmd.Wait(); close(a.done) }()
		if lastErr = a.wait(30 * time.Second); lastErr == nil {
			return a, nil
		}
		a.stop()
	}
	return nil, lastErr
}

type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.b.Len() < 1<<16 {
		w.b.Write(p)
	}
	return len(p), nil
}

func (a *azurite) output() string {
	w := a.cmd.Stdout.(*syncWriter)
	w.mu.Lock()
	defer w.mu.Unlock()
	return a.log.String()
}

// wait waits for the emulator to take connections.
func (a *azurite) wait(d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-a.done:
			return fmt.Errorf("azurite-queue exited at start: %s", a.output())
		default:
		}
		if c, err := net.DialTimeout("tcp", a.addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("azurite-queue did not listen on %s within %s: %s", a.addr, d, a.output())
}

// stop sends SIGTERM, waits two seconds (Azurite can take minutes to
// exit on it), then kills the process group.
func (a *azurite) stop() {
	if a.cmd.Process != nil {
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-a.done:
		case <-time.After(2 * time.Second):
			syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
			<-a.done
		}
	}
	os.RemoveAll(a.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// shared is the emulator most tests use, started by the first.
var shared struct {
	once sync.Once
	a    *azurite
	err  error
}

func sharedAzurite(t testing.TB) *azurite {
	t.Helper()
	shared.once.Do(func() { shared.a, shared.err = startAzurite() })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.a
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.a != nil {
		shared.a.stop()
	}
	os.Exit(code)
}
