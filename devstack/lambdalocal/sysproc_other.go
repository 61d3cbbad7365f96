//go:build unix && !linux

package lambdalocal

import "syscall"

// sysProcAttr puts the process in its own group, so it can be killed with its children.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
