package devserver

import "syscall"

// setParentDeathSignal makes the kernel stop the app if the dev server
// dies without stopping it (killed, crashed).
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGTERM }
