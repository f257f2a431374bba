//go:build unix

package devserver

import (
	"os"
	"syscall"
)

// terminate asks p to shut down gracefully.
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

// sysProcAttr puts the app in its own process group, so a Ctrl-C in the
// terminal reaches the dev server only, which then stops the app in order.
func sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	return attr
}
