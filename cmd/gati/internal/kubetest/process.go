package kubetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// process is one program of the cluster, its output in logs/NAME.log.
type process struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
	err  error         // its exit status, once done
}

// start runs path with args in the cluster's process group (the first
// process starts the group), logging to logDir/NAME.log. The kernel
// kills it if this process dies (Pdeathsig); the watchdog, if it dies
// unnoticed, kills the group.
func startProcess(name, logDir string, pgid int, path string, args ...string) (*process, error) {
	logPath := filepath.Join(logDir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fmt.Fprintf(f, "$ %s %s\n", path, strings.Join(args, " "))
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = childAttr(pgid)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("kubetest: start %s: %w", name, err)
	}
	p := &process{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports an error if the process has exited.
func (p *process) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("kubetest: %s exited: %v\n%s", p.name, p.err, p.tail(3000))
	default:
		return nil
	}
}

// stop sends SIGTERM, then SIGKILL after grace.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// tail returns the last n bytes of the process's log.
func (p *process) tail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
		if i := strings.IndexByte(string(b), '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return fmt.Sprintf("--- %s (last %d bytes of %s) ---\n%s", p.name, len(b), p.log, b)
}

// startWatchdog starts a shell, in a session of its own, that kills the
// process group pgid and removes dir once this process is gone: a test
// binary killed at its timeout leaves no cluster behind.
func startWatchdog(pgid int, dir string) (*os.Process, error) {
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 1; done; kill -KILL -- -%d 2>/dev/null; sleep 1; rm -rf '%s'`,
		os.Getpid(), pgid, strings.ReplaceAll(dir, "'", `'\''`))
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("kubetest: start the watchdog: %w", err)
	}
	go cmd.Wait()
	return cmd.Process, nil
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
