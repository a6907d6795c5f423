//go:build purego || !amd64

package tensor

// repackKernels is nil where there are no kernels for repacked weights:
// Repack then leaves matrices as they are.
var repackKernels *[kernelTile + 1]func(w, x *byte, nb, xStride int, out *float32, outStride int)

// repackGroup is q4_0x16Go; it is never reached while repackKernels is nil.
func repackGroup(w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	q4_0x16Go(w, x, nb, xStride, nx, out, outStride)
}
