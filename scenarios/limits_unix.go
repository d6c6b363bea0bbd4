//go:build unix

package scenarios

import "syscall"

// fdLimit returns the process's soft and hard limits on open files
// (RLIMIT_NOFILE). Go raises the soft limit to the hard one at start-up, so
// the soft limit is normally what a run can use.
func fdLimit() (soft, hard uint64, ok bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, 0, false
	}
	return uint64(rl.Cur), uint64(rl.Max), true
}
