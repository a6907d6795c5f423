package train

import (
	"runtime"

	"github.com/herdllm/herd/tensor"
)

// Pool is the thread pool training's loops run on: tensor's, whose loops
// are cut into chunks the caller and workers take in turn, so a thread
// that gets less CPU hands its remaining chunks to the others. A nil *Pool
// runs every loop inline on the calling goroutine.
type Pool = tensor.Pool

// NewPool starts a pool of threads workers (GOMAXPROCS when threads <= 0).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return tensor.NewPool(threads)
}
