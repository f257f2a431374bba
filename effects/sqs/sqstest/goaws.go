// Package sqstest runs the SQS backend's tests against goaws
// (github.com/Admiral-Piett/goaws), an SQS emulator, through an Adapter
// that lets the current AWS SDK, which speaks SQS's JSON protocol, talk
// to goaws, which speaks only the older Query protocol.
//
// goaws must be installed at the version the tests were written for:
//
//	go install github.com/Admiral-Piett/goaws/app/cmd@v0.4.5
//
// (the binary is named cmd; scripts/test installs it). Without it the
// tests fail, naming that command; they never skip. $GOAWS may name the
// binary instead.
package sqstest

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// GoawsPackage and GoawsVersion are the goaws the tests run.
	GoawsPackage = "github.com/Admiral-Piett/goaws/app/cmd"
	GoawsVersion = "v0.4.5"
	// InstallCommand installs it.
	InstallCommand = "go install " + GoawsPackage + "@" + GoawsVersion
)

// Binary finds goaws: $GOAWS, else the binary `go install` made,
// $GOBIN/cmd or $GOPATH/bin/cmd. It checks the binary's build
// information, so another program named cmd is not mistaken for it.
func Binary() (string, error) {
	var candidates []string
	if p := os.Getenv("GOAWS"); p != "" {
		candidates = []string{p}
	} else {
		gobin, gopath := goEnv("GOBIN"), goEnv("GOPATH")
		if gobin != "" {
			candidates = append(candidates, filepath.Join(gobin, "cmd"))
		}
		for _, p := range filepath.SplitList(gopath) {
			candidates = append(candidates, filepath.Join(p, "bin", "cmd"))
		}
	}
	var found []string
	for _, p := range candidates {
		info, err := buildinfo.ReadFile(p)
		if err != nil {
			continue
		}
		if info.Path == GoawsPackage && info.Main.Version == GoawsVersion {
			return p, nil
		}
		found = append(found, fmt.Sprintf("%s is %s %s", p, info.Path, info.Main.Version))
	}
	msg := fmt.Sprintf("goaws %s is not installed (looked for %s)", GoawsVersion, strings.Join(candidates, ", "))
	if len(found) > 0 {
		msg += "; found " + strings.Join(found, "; ")
	}
	return "", errors.New(msg + ": run " + InstallCommand + " (scripts/test does), or set $GOAWS to its path")
}

func goEnv(name string) string {
	if out, err := exec.Command("go", "env", name).Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	if v := os.Getenv(name); v != "" || name != "GOPATH" {
		return v
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go")
}

// Goaws is a running goaws process on a free port. It binds every
// interface (goaws cannot be told otherwise); the tests reach it on
// 127.0.0.1 only.
type Goaws struct {
	// URL is goaws's Query-protocol endpoint, http://127.0.0.1:<port>.
	URL string
	cmd *exec.Cmd
	dir string
}

// StartGoaws starts goaws with a configuration of no queues (the backend
// creates them) and waits until it answers.
func StartGoaws() (*Goaws, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gati-goaws-")
	if err != nil {
		return nil, err
	}
	config := fmt.Sprintf(`Local:
  Host: 127.0.0.1
  Port: "%d"
  AccountId: "100010001000"
  LogToFile: false
  QueueAttributeDefaults:
    VisibilityTimeout: 30
    ReceiveMessageWaitTimeSeconds: 0
    MaximumMessageSize: 262144
`, port)
	cfgPath := filepath.Join(dir, "goaws.yaml")
	logPath := filepath.Join(dir, "goaws.log")
	if err := os.WriteFile(cfgPath, []byte(config), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-config", cfgPath, "Local")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logf, logf
	// goaws dies with the test binary, even a killed one.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start goaws (%s): %w", bin, err)
	}
	g := &Goaws{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, dir: dir}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(g.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				go func() { <-exited }()
				return g, nil
			}
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logPath)
			os.RemoveAll(dir)
			return nil, fmt.Errorf("goaws exited at start (%v): %s", err, tail(log))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			g.Stop()
			return nil, fmt.Errorf("goaws did not answer on %s within 15s: %s", g.URL, tail(log))
		}
	}
}

// Stop kills goaws and removes its directory.
func (g *Goaws) Stop() {
	g.cmd.Process.Kill()
	os.RemoveAll(g.dir)
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

var shared struct {
	sync.Mutex
	goaws   *Goaws
	adapter *Adapter
	err     error
}

// Endpoint returns the URL of an adapter in front of the test binary's
// goaws, both started at the first call and stopped by Main. It fails the
// test, naming the command that installs goaws, when goaws is missing.
func Endpoint(t testing.TB) string {
	t.Helper()
	g := start(t)
	shared.Lock()
	defer shared.Unlock()
	if shared.adapter == nil {
		a, err := NewAdapter(g.URL)
		if err != nil {
			t.Fatal(err)
		}
		shared.adapter = a
	}
	return shared.adapter.URL
}

// OwnAdapter starts an adapter of the test's own in front of the shared
// goaws, closed when the test ends: closing it earlier makes its URL an
// endpoint that is down.
func OwnAdapter(t testing.TB) *Adapter {
	t.Helper()
	a, err := NewAdapter(start(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func start(t testing.TB) *Goaws {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.goaws == nil && shared.err == nil {
		shared.goaws, shared.err = StartGoaws()
	}
	if shared.err != nil {
		t.Fatalf("sqstest: %v", shared.err)
	}
	return shared.goaws
}

// Main runs the tests and stops goaws after them. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shared.Lock()
	if shared.adapter != nil {
		shared.adapter.Close()
	}
	if shared.goaws != nil {
		shared.goaws.Stop()
	}
	shared.Unlock()
	os.Exit(code)
}

// Credentials sets static AWS credentials and a region in the
// environment for the test binary, and turns off the EC2 metadata
// lookup, so the SDK's default chain never leaves the machine. goaws
// accepts any credentials.
func Credentials() {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "goaws", "AWS_SECRET_ACCESS_KEY": "goaws", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_PROFILE": "",
	} {
		os.Setenv(k, v)
	}
}
