//go:build !unix

package tensor

import "time"

// kernelCPUTime is unavailable here; benchmarks report wall time only.
func kernelCPUTime() time.Duration { return 0 }
