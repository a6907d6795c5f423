//go:build !purego

package tensor

// repackKernels are the assembly kernels for repacked Q4_0 groups
// (matmul_q4_0x16_amd64.s, written by _asm/interleaved), indexed by the
// number of activation rows (1..kernelTile); nil when the CPU lacks AVX-512
// VNNI, and then Repack leaves matrices as they are.
var repackKernels = func() *[kernelTile + 1]legacyRoutine {
	if !legacyVNNI {
		return nil
	}
	return &[kernelTile + 1]legacyRoutine{nil,
		q4_0x16x1VNNI, q4_0x16x2VNNI, q4_0x16x3VNNI, q4_0x16x4VNNI,
		q4_0x16x5VNNI, q4_0x16x6VNNI, q4_0x16x7VNNI, q4_0x16x8VNNI}
}()

// repackGroup runs the kernel for nx activation rows over one group of
// nb repacked blocks; the caller has checked every length.
func repackGroup(w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	repackKernels[nx](&w[0], &x[0], nb, xStride, &out[0], outStride)
}
