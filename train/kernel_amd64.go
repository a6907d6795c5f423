//go:build amd64 && !purego

package train

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

//go:noescape
func dot4x4AVX512(a *float32, lda int, b *float32, ldb int, k int, out *[16]float32)

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

// dot4x4 sets out[4i+j] to the dot product of a's row i and b's row j over
// the first k values (rows lda and ldb apart), using AVX-512 for the
// multiple-of-16 part when the CPU has it. It returns false when it cannot
// help (no AVX-512 or k < 16), leaving out untouched.
func dot4x4(a []float32, lda int, b []float32, ldb int, k int, out *[16]float32) bool {
	kk := k &^ 15
	if !hasAVX512 || kk == 0 {
		return false
	}
	_ = a[3*lda+k-1]
	_ = b[3*ldb+k-1]
	dot4x4AVX512(&a[0], lda, &b[0], ldb, kk, out)
	for p := kk; p < k; p++ {
		for i := 0; i < 4; i++ {
			x := a[i*lda+p]
			for j := 0; j < 4; j++ {
				out[4*i+j] += x * b[j*ldb+p]
			}
		}
	}
	return true
}

// vectorKernel reports whether dot4x4 runs vectorized on this machine.
func vectorKernel() bool { return hasAVX512 }

//go:noescape
func axpyTile4x32AVX512(a *float32, sm, sk int, b *float32, ldb int, c *float32, ldc int, k int)

// axpyTile4x32 adds Σ_p A(i,p)·B[p][j] to C[i][j] for i < 4, j < 32 (A(i,p)
// at a[i*sm+p*sk]); it returns false, doing nothing, without AVX-512.
func axpyTile4x32(a []float32, sm, sk int, b []float32, ldb int, c []float32, ldc int, k int) bool {
	if !hasAVX512 || k == 0 {
		return false
	}
	_ = a[3*sm+(k-1)*sk]
	_ = b[(k-1)*ldb+31]
	_ = c[3*ldc+31]
	axpyTile4x32AVX512(&a[0], sm, sk, &b[0], ldb, &c[0], ldc, k)
	return true
}

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
