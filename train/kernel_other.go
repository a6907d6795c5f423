//go:build !amd64 || purego

package train

// vectorKernel reports whether the products run on AVX-512 on this machine.
func vectorKernel() bool { return false }

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

// microKernel is the packed product's inner tile (microKernelGo here).
func microKernel(ap, bp, c []float32, ldc, k int, load bool) {
	microKernelGo(ap, bp, c, ldc, k, load)
}

// microKernelHalf is the packed product's half-width tile (microKernelHalfGo here).
func microKernelHalf(ap, bp, c []float32, ldc, k int, load bool) {
	microKernelHalfGo(ap, bp, c, ldc, k, load)
}
