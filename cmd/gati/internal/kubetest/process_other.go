//go:build !linux

package kubetest

import "syscall"

// childAttr puts a child into process group pgid (0: a group of its
// own); without Pdeathsig, only the watchdog stops it if its parent dies.
func childAttr(pgid int) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pgid: pgid}
}
