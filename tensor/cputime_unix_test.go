//go:build unix

package tensor

import (
	"syscall"
	"time"
)

// kernelCPUTime returns the CPU time the process has used (user + system),
// which shared, loaded machines measure more steadily than wall time.
func kernelCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
