//go:build !amd64 || purego

package train

// dot4x4 is the vector kernel's entry point; without it the portable loops run.
func dot4x4(a []float32, lda int, b []float32, ldb int, k int, out *[16]float32) bool {
	return false
}

// vectorKernel reports whether dot4x4 runs vectorized on this machine.
func vectorKernel() bool { return false }

// axpyTile4x32 is the vector kernel's entry point; without it the portable loops run.
func axpyTile4x32(a []float32, sm, sk int, b []float32, ldb int, c []float32, ldc int, k int) bool {
	return false
}

// expSubSum sets x[i] = e^(x[i]−mx) (all x[i] <= mx) and returns their sum.
func expSubSum(x []float32, mx float32) float32 {
	var sum float32
	for i, v := range x {
		e := exp32(v - mx)
		x[i] = e
		sum += e
	}
	return sum
}
