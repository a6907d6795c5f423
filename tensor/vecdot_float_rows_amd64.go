//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// Register-tile kernels for F16, BF16 and F32 weights on CPUs with
// AVX-512 (vecdot_float_rows_amd64.s, written by _asm/floatrows).
// In a prefill MatMul multiplies each tile of weight rows with many
// activation rows; a kernel that holds one weight row and reads up to
// kernelTile activation rows for it is bound by how fast those rows come
// from L2. These kernels hold a tile of up to 3 weight rows × 4 activation
// rows in 24 accumulator registers instead: each block of 16 weights is
// widened once and used for 4 activation rows, each block of 16 activations
// is loaded once and used for 3 weight rows.
//
// For every pair of rows the product of element 16b+l is fused into lane l
// of accumulator b mod 2 (a partial last block is loaded under a mask);
// then the two accumulators are added and their 16 lanes are added
// pairwise, lane l with l+8, l+4, l+2 and l+1. The order does not depend on
// the tile, so MatMul's results do not depend on the number of tokens or
// threads, and the vecDotFunc of a type (floatRows with one weight row)
// computes what its vecRowsFunc does. They differ from the float64 sums of
// the Go kernels by float32 rounding: at most about (n/32 + 6)·2⁻²⁴·Σ|w·x|
// for rows of n elements.
//
// The two accumulators per pair let one weight row times one activation row
// (decoding) run two chains of multiply-adds over a row read in order: with
// one activation row the column kernels take the weight rows one after the
// other in one call, and with two the tiles take one weight row, because
// reading several weight rows side by side (separate streams a row apart)
// makes worse use of the hardware prefetchers when the weights come from
// memory.

// floatAVX512 reports whether the CPU runs the register-tile kernels:
// AVX-512 foundation and vector-length instructions (VCVTPH2PS on 512-bit
// registers is AVX512F) besides what floatAVX2 needs.
var floatAVX512 = floatAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// floatTileFunc multiplies R weight rows (row r at w + r·wStride, n
// weights each) with T activation rows (row t at x + t·xStride, n float32
// each); the result for weight row r and activation row t goes to out[t·
// outStride + r].
type floatTileFunc func(w *byte, wStride int, x *byte, xStride, n int, out *float32, outStride int)

// floatTiles lists a format's kernels by shape: [R-1][log₂ T] for R = 1..3
// weight rows and T = 1, 2, 4 activation rows.
type floatTiles [floatTileRows][3]floatTileFunc

// floatTileRows is the most weight rows one kernel call takes.
const floatTileRows = 3

// floatKernels are the kernels of one weight format: its tiles, its column
// kernel, which runs the 1×1 tile over nw weight rows (row r at w +
// r·wStride) with one activation row, writing out[r], and the size of one
// weight in bytes.
type floatKernels struct {
	tiles  *floatTiles
	column func(w *byte, wStride int, x *byte, n int, out *float32, nw int)
	size   int
}

// kernelsF16, kernelsBF16 and kernelsF32 are the kernels of each format.
var (
	kernelsF16  = floatKernels{&f16Tiles, f16Column, 2}
	kernelsBF16 = floatKernels{&bf16Tiles, bf16Column, 2}
	kernelsF32  = floatKernels{&f32Tiles, f32Column, 4}
)

// floatRows is a vecRowsFunc over a format's kernels. One activation row
// goes to the column kernel; otherwise weight rows go in groups (see
// floatGroup) and activation rows in tiles of 4, 2 and 1.
func floatRows(k *floatKernels, n int, w []byte, wStride, nw int, x []byte, xStride, nx int, out []float32, outStride int) {
	if nw <= 0 || nx <= 0 {
		return
	}
	_ = out[(nx-1)*outStride+nw-1]
	if n <= 0 {
		for t := 0; t < nx; t++ {
			clear(out[t*outStride : t*outStride+nw])
		}
		return
	}
	_ = w[(nw-1)*wStride+k.size*n-1]
	_ = x[(nx-1)*xStride+4*n-1]
	if nx == 1 {
		k.column(&w[0], wStride, &x[0], n, &out[0], nw)
		return
	}
	for r0 := 0; r0 < nw; {
		rows := floatGroup(nw-r0, nx)
		for t0 := 0; t0 < nx; {
			j := 2 // log₂ of the largest tile that fits the rows left
			for 1<<j > nx-t0 {
				j--
			}
			k.tiles[rows-1][j](&w[r0*wStride], wStride, &x[t0*xStride], xStride, n, &out[t0*outStride+r0], outStride)
			t0 += 1 << j
		}
		r0 += rows
	}
}

// floatGroup returns how many of the left weight rows the next tiles take
// for nx activation rows: three, but two and two rather than three and one
// for the last four (a one-row tile uses each activation block only once).
// With one or two activation rows (decoding a few sequences at once) the
// weights come from memory rather than cache, and rows read one at a time
// come faster than rows read side by side, so the tiles take one.
func floatGroup(left, nx int) int {
	switch {
	case nx <= 2:
		return 1
	case left == 4:
		return 2
	}
	return min(floatTileRows, left)
}

// rowsF16AVX512 multiplies F16 weight rows with activation rows.
func rowsF16AVX512(n int, w []byte, wStride, nw int, x []byte, xStride, nx int, out []float32, outStride int) {
	floatRows(&kernelsF16, n, w, wStride, nw, x, xStride, nx, out, outStride)
}

// rowsBF16AVX512 multiplies BF16 weight rows with activation rows.
func rowsBF16AVX512(n int, w []byte, wStride, nw int, x []byte, xStride, nx int, out []float32, outStride int) {
	floatRows(&kernelsBF16, n, w, wStride, nw, x, xStride, nx, out, outStride)
}

// rowsF32AVX512 multiplies F32 weight rows with activation rows.
func rowsF32AVX512(n int, w []byte, wStride, nw int, x []byte, xStride, nx int, out []float32, outStride int) {
	floatRows(&kernelsF32, n, w, wStride, nw, x, xStride, nx, out, outStride)
}

// dotF16F16AVX512 is rowsF16AVX512 for one weight row.
func dotF16F16AVX512(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	floatRows(&kernelsF16, n, w, 0, 1, x, xStride, nx, out, outStride)
}

// dotBF16BF16AVX512 is rowsBF16AVX512 for one weight row.
func dotBF16BF16AVX512(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	floatRows(&kernelsBF16, n, w, 0, 1, x, xStride, nx, out, outStride)
}

// dotF32F32AVX512 is rowsF32AVX512 for one weight row.
func dotF32F32AVX512(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	floatRows(&kernelsF32, n, w, 0, 1, x, xStride, nx, out, outStride)
}
