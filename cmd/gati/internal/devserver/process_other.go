//go:build !unix

package devserver

import (
	"os"
	"syscall"
)

// terminate stops p; there is no graceful signal to send here.
func terminate(p *os.Process) error { return p.Kill() }

func sysProcAttr() *syscall.SysProcAttr { return nil }
