//go:build amd64 && !purego

package train

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// hasAVX512 reports whether the CPU and OS support AVX-512F.
var hasAVX512 = func() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	if ecx1&(1<<27) == 0 { // OSXSAVE
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0xe6 != 0xe6 { // XMM, YMM, opmask, ZMM state enabled
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0
}()

// vectorKernel reports whether the products run on AVX-512 on this machine.
func vectorKernel() bool { return hasAVX512 }

//go:noescape
func expSubSumAVX512(x *float32, n int, mx float32) float32

// expSubSum sets x[i] = e^(x[i]−mx) (all x[i] <= mx) and returns their sum.
func expSubSum(x []float32, mx float32) float32 {
	n := len(x) &^ 15
	var sum float32
	if hasAVX512 && n > 0 {
		sum = expSubSumAVX512(&x[0], n, mx)
	} else {
		n = 0
	}
	for i := n; i < len(x); i++ {
		e := exp32(x[i] - mx)
		x[i] = e
		sum += e
	}
	return sum
}

//go:noescape
func microKernel8x32AVX512(a, b, c *float32, ldc, k int, load bool)

// microKernel is microKernelGo on AVX-512 when the machine has it.
func microKernel(ap, bp, c []float32, ldc, k int, load bool) {
	if !hasAVX512 {
		microKernelGo(ap, bp, c, ldc, k, load)
		return
	}
	_ = ap[k*tileRows-1]
	_ = bp[k*tileCols-1]
	_ = c[(tileRows-1)*ldc+tileCols-1]
	microKernel8x32AVX512(&ap[0], &bp[0], &c[0], ldc, k, load)
}

//go:noescape
func microKernel8x16AVX512(a, b, c *float32, ldc, k int, load bool)

// microKernelHalf is microKernelHalfGo on AVX-512 when the machine has it.
func microKernelHalf(ap, bp, c []float32, ldc, k int, load bool) {
	if !hasAVX512 {
		microKernelHalfGo(ap, bp, c, ldc, k, load)
		return
	}
	_ = ap[k*tileRows-1]
	_ = bp[k*tileCols-1]
	_ = c[(tileRows-1)*ldc+tileCols/2-1]
	microKernel8x16AVX512(&ap[0], &bp[0], &c[0], ldc, k, load)
}
