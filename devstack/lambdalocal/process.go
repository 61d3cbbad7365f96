//go:build unix

package lambdalocal

import "syscall"

// signalGroup sends sig to the process group led by pid. Each instance's process leads
// its own group (Setpgid), so this reaches whatever the function started too, as
// resetting a Lambda sandbox would.
func signalGroup(pid int, sig syscall.Signal) {
	if pid > 0 {
		// ESRCH only means the group is already gone.
		_ = syscall.Kill(-pid, sig)
	}
}
