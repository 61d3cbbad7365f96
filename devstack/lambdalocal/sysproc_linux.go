package lambdalocal

import "syscall"

// sysProcAttr puts the process in its own group, so it can be killed with its children,
// and has the kernel kill it if this process dies without calling Close, so that a
// crashed local stack or test binary leaves no function processes behind. (The kernel
// ties Pdeathsig to the forking thread, which Go keeps alive unless the goroutine that
// called Invoke or Warm exits while locked to it with runtime.LockOSThread.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
