package kubetest

import "syscall"

// childAttr puts a child into process group pgid (0: a group of its
// own) and has the kernel kill it when its parent dies.
func childAttr(pgid int) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pgid: pgid, Pdeathsig: syscall.SIGKILL}
}
