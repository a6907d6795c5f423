//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// expTable holds kernelExp's constants in the order expAVX512 reads them.
var expTable = [19]float64{expLog2e, expLn2Hi, expLn2Lo, expMin, expMax,
	expCoeffs[0], expCoeffs[1], expCoeffs[2], expCoeffs[3], expCoeffs[4], expCoeffs[5], expCoeffs[6],
	expCoeffs[7], expCoeffs[8], expCoeffs[9], expCoeffs[10], expCoeffs[11], expCoeffs[12], expCoeffs[13]}

var _ = func() bool {
	if cpu.X86.HasAVX512F {
		expAccel = func(x []float32) { expAVX512(&x[0], len(x), &expTable) }
		siluMulAccel = func(out, gate, up []float32) { siluMulAVX512(&out[0], &gate[0], &up[0], len(gate), &expTable) }
	}
	return true
}()

// expAVX512 sets x[i] = kernelExp(x[i]) for i < n, n a multiple of 8: the
// same float64 operations, eight lanes at a time (VSCALEFPD multiplies by
// 2^k exactly, as kernelExp's product with a power of two does).
//
//go:noescape
func expAVX512(x *float32, n int, table *[19]float64)

// siluMulAVX512 is SiLUMul on n elements, n a multiple of 8: exp(-g) as
// expAVX512 computes it, then g/(1+e)·up in float32.
//
//go:noescape
func siluMulAVX512(out, gate, up *float32, n int, table *[19]float64)
