package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
)

// matmulTileBytes is about how many weight bytes a worker keeps hot while it
// runs every token tile of a prefill over them.
const matmulTileBytes = 16 << 10

// matmulRowsTileBytes is about how many weight bytes a worker keeps in L2
// while a kernel that takes several weight rows per call (vecRowsFunc) runs
// every token tile over them. Such a kernel holds its own tile of rows ×
// tokens in registers and reads the weights from L2 at leisure, so a tile
// larger than L1 costs nothing there, while each tile reads all the
// activations (4 MiB for 512 tokens of 2048 float32) from L3 once more.
const matmulRowsTileBytes = 256 << 10

// matmulPieces is how many pieces MatMul cuts each of the pool's chunks
// into for a batch of at most kernelTile tokens.
const matmulPieces = 4

// matmulInlineWork is the multiply-add count below which MatMul does not
// hand work to the pool: waking workers would cost more than it saves.
const matmulInlineWork = 1 << 15

// MatMul multiplies the n activation rows in x (each w.Cols long) by the
// weight matrix: out[i*w.Rows+r] = Σ_c W[r,c]·x[i*w.Cols+c] for i < n and
// r < w.Rows. Like ggml's CPU backend it first converts the activations to
// the format that pairs with the weight type (Q8_0 for Q4_0, Q5_0, Q8_0 and
// IQ4_NL; Q8_1 for Q4_1 and Q5_1; Q8_K for the K-quants and IQ4_XS; F16,
// BF16 or F32 for those weight types; see QuantizeActivations) and then
// uses integer block dot products, so results match llama.cpp's rather than
// an exact product.
//
// The conversion happens once per call; the weight rows are cut into
// contiguous ranges that the pool's threads take in turn, and for n > 1 each
// thread runs every token tile over a cache-sized tile of its rows, so each
// decoded weight block serves many tokens. MatMul panics when the type is
// unsupported (see MatMulSupported) or the slices are too short: both are
// programming errors.
func MatMul(p *Pool, out []float32, w Matrix, x []float32, n int) {
	MatMulMulti(p, [][]float32{out}, []Matrix{w}, x, n)
}

// MatMulMulti computes MatMul(p, outs[j], ws[j], x, n) for every j in one
// parallel step: matrices that read the same input (a layer's query, key
// and value projections, or the feed-forward gate and up projections) share
// one conversion of the activations and one hand-off to the pool, their
// rows stacked into one matrix and split over the threads in contiguous
// ranges of about equal weight bytes (see matmulSplit).
// Every ws[j] must have the same Cols; types may differ. Each output value
// is computed exactly as MatMul computes it.
func MatMulMulti(p *Pool, outs [][]float32, ws []Matrix, x []float32, n int) {
	if len(outs) != len(ws) {
		panic(fmt.Sprintf("tensor: MatMulMulti: %d outputs for %d matrices", len(outs), len(ws)))
	}
	if n <= 0 || len(ws) == 0 {
		return
	}
	cols := ws[0].Cols
	parts := make([]matmulPart, len(ws))
	var convs []matmulConversion
	rows := 0
	for j, w := range ws {
		matmulCheck(outs[j], w, x, n, cols)
		k := &vecDot[w.Type]
		var packed []byte
		if repackUsed(&w, n) {
			k = &repackFormats[w.Type].act
			packed = w.repacked.bytes(w)
		}
		c := -1
		for i := range convs {
			if convs[i].k.act == k.act && convs[i].k.pack == k.pack && convs[i].k.repack == k.repack {
				c = i
			}
		}
		if c < 0 {
			c = len(convs)
			convs = append(convs, matmulConversion{k: k, xrb: k.rowBytes(cols)})
		}
		parts[j] = matmulPart{w: w, out: outs[j], dot: k.dot, rows: k.rows, conv: c, first: rows, packed: packed}
		rows += w.Rows
	}
	if rows*cols*n < matmulInlineWork {
		p = nil
	}

	for i := range convs {
		c := &convs[i]
		c.scratch = kernelScratch(n * c.xrb)
		c.xq = (*c.scratch)[:n*c.xrb]
	}
	convert := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for _, c := range convs {
				c.k.convert(x[i*cols:(i+1)*cols], c.xq[i*c.xrb:(i+1)*c.xrb])
			}
		}
	}
	if n > 1 {
		p.Run(n, convert)
	} else {
		convert(0, 1)
	}

	// Decoding steps (one pass of tokens over the weights) cut the rows
	// finer, so that the threads finish within a small piece of each
	// other; prefills keep large pieces, as each cache tile of weights
	// reads all of the activations again.
	pieces := p.Chunks()
	if n <= kernelTile {
		pieces *= matmulPieces
	}
	bounds := matmulSplit(parts, rows, pieces)
	p.RunChunks(len(bounds)-1, pieces, func(lo, hi int) {
		for j := range parts {
			part := &parts[j]
			a, b := max(bounds[lo]-part.first, 0), min(bounds[hi]-part.first, part.w.Rows)
			if a < b {
				c := &convs[part.conv]
				part.run(a, b, c.xq, c.xrb, n)
			}
		}
	})
	for i := range convs {
		kernelScratchPool.Put(convs[i].scratch)
	}
}

// matmulSplit divides the stacked rows of parts into the given number of
// contiguous ranges (fewer when there are fewer rows), [bounds[t],
// bounds[t+1]), with about the same weight bytes in each: rows of
// different types cost about what they weigh, so a stack of Q4_K and Q6_K
// matrices is not split by row count.
func matmulSplit(parts []matmulPart, rows, pieces int) []int {
	pieces = max(1, min(pieces, rows))
	total := 0
	for _, part := range parts {
		total += part.w.Rows * part.w.RowBytes()
	}
	bounds := make([]int, pieces+1)
	bounds[pieces] = rows
	t, before := 1, 0 // the next bound to place; bytes of the rows before part
	for _, part := range parts {
		wrb := max(part.w.RowBytes(), 1)
		for ; t < pieces; t++ {
			target := total * t / pieces // bytes before bound t
			r := (target - before + wrb - 1) / wrb
			if part.packed != nil {
				r = (r + repackRows - 1) / repackRows * repackRows // whole groups
			}
			if r > part.w.Rows {
				break
			}
			bounds[t] = part.first + r
		}
		before += part.w.Rows * part.w.RowBytes()
	}
	for ; t < pieces; t++ {
		bounds[t] = rows
	}
	return bounds
}

// matmulCheck panics unless w, x and out fit a product of n rows of cols.
func matmulCheck(out []float32, w Matrix, x []float32, n, cols int) {
	if !MatMulSupported(w.Type) {
		panic(fmt.Sprintf("tensor: MatMul: unsupported weight type %s", w.Type))
	}
	if w.Cols != cols {
		panic(fmt.Sprintf("tensor: MatMulMulti: matrices of %d and %d columns", cols, w.Cols))
	}
	if w.Rows == 0 {
		return
	}
	if cols%w.Type.BlockSize() != 0 || len(w.Data) < w.Rows*w.RowBytes() {
		panic(fmt.Sprintf("tensor: MatMul: %d×%d %s matrix with %d bytes", w.Rows, cols, w.Type, len(w.Data)))
	}
	if len(x) < n*cols || len(out) < n*w.Rows {
		panic(fmt.Sprintf("tensor: MatMul: %d rows need x of %d and out of %d, got %d and %d",
			n, n*cols, n*w.Rows, len(x), len(out)))
	}
}

// matmulConversion is one activation format a MatMulMulti step needs, and
// the converted rows.
type matmulConversion struct {
	k       *vecDotKernel
	xrb     int // bytes per converted row
	scratch *[]byte
	xq      []byte
}

// matmulPart is one matrix of a MatMulMulti step: its rows are
// [first, first+w.Rows) of the stacked rows the threads split.
type matmulPart struct {
	w    Matrix
	out  []float32
	dot  vecDotFunc
	rows vecRowsFunc
	conv int
	// packed: w's repacked weights, which the part's kernels read; nil:
	// the part runs the row kernels on w.Data.
	packed []byte
	first  int
}

// run computes rows [lo, hi) of the part for all n converted activation
// rows in xq: a tile of rows that stays in cache is run over every token
// tile before the next.
func (part *matmulPart) run(lo, hi int, xq []byte, xrb, n int) {
	w, out, dot := part.w, part.out, part.dot
	cols, wrb := w.Cols, w.RowBytes()
	if part.packed != nil {
		part.runRepacked(lo, hi, xq, xrb, n)
		return
	}
	if part.rows != nil {
		part.runRows(lo, hi, xq, xrb, n)
		return
	}
	if n == 1 {
		// One token (decoding): no tiles, just every row in turn.
		data, o := w.Data[lo*wrb:hi*wrb], out[lo:hi]
		for i := range o {
			dot(cols, data[i*wrb:(i+1)*wrb], xq, xrb, 1, o[i:], w.Rows)
		}
		return
	}
	rowTile := max(1, matmulTileBytes/max(wrb, 1))
	for r0 := lo; r0 < hi; r0 += rowTile {
		r1 := min(r0+rowTile, hi)
		for t0 := 0; t0 < n; t0 += kernelTile {
			nt := min(kernelTile, n-t0)
			xt := xq[t0*xrb:]
			for r := r0; r < r1; r++ {
				dot(cols, w.Data[r*wrb:(r+1)*wrb], xt, xrb, nt, out[t0*w.Rows+r:], w.Rows)
			}
		}
	}
}

// runRows is run for kernels that take several weight rows per call: a
// cache-sized tile of rows goes to the kernel with every token tile in turn.
func (part *matmulPart) runRows(lo, hi int, xq []byte, xrb, n int) {
	w, out := part.w, part.out
	wrb := w.RowBytes()
	rowTile := max(1, matmulRowsTileBytes/max(wrb, 1))
	for r0 := lo; r0 < hi; r0 += rowTile {
		r1 := min(r0+rowTile, hi)
		for t0 := 0; t0 < n; t0 += kernelTile {
			nt := min(kernelTile, n-t0)
			part.rows(w.Cols, w.Data[r0*wrb:r1*wrb], wrb, r1-r0, xq[t0*xrb:], xrb, nt, out[t0*w.Rows+r0:], w.Rows)
		}
	}
}

// runRepacked is run for repacked weights: rows [lo, hi) are whole groups
// of sixteen (matmulSplit keeps them so), and a tile of groups that stays in
// cache is run over every token tile before the next.
func (part *matmulPart) runRepacked(lo, hi int, xq []byte, xrb, n int) {
	w, out := part.w, part.out
	f := repackFormats[w.Type]
	nb := w.Cols / w.Type.BlockSize()
	gb := nb * f.block // bytes per group
	groupTile := max(1, matmulRowsTileBytes/gb)
	for g0 := lo / repackRows; g0 < hi/repackRows; g0 += groupTile {
		g1 := min(g0+groupTile, hi/repackRows)
		for t0 := 0; t0 < n; t0 += kernelTile {
			nt := min(kernelTile, n-t0)
			for g := g0; g < g1; g++ {
				repackGroup(f, part.packed[g*gb:(g+1)*gb], xq[t0*xrb:], nb, xrb, nt, out[t0*w.Rows+g*repackRows:], w.Rows)
			}
		}
	}
}

// rowBytes returns the bytes one converted (and packed) activation row of
// cols elements takes. F32, F16 and BF16 activations are kept as float32
// (the latter two already rounded to their format).
func (k *vecDotKernel) rowBytes(cols int) int {
	switch {
	case k.repack != nil:
		return cols / k.repack.typ.BlockSize() * k.repack.actBlock
	case k.act == F32 || k.act == F16 || k.act == BF16:
		return 4 * cols
	case k.pack != nil:
		return cols / k.act.BlockSize() * k.pack.packed
	}
	return cols / k.act.BlockSize() * k.act.TypeSize()
}

// convert converts one activation row to the kernel's format.
func (k *vecDotKernel) convert(src []float32, dst []byte) {
	if k.repack != nil {
		k.repack.convert(src, dst)
		return
	}
	switch k.act {
	case F32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	case F16:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(F16ToF32(F32ToF16(v))))
		}
	case BF16:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(BF16ToF32(F32ToBF16(v))))
		}
	default:
		if k.pack == nil {
			kernelQuantize(k.act, src, dst)
			return
		}
		tmp := kernelScratch(len(src) / k.act.BlockSize() * k.act.TypeSize())
		kernelQuantize(k.act, src, *tmp)
		k.pack.pack(*tmp, dst)
		kernelScratchPool.Put(tmp)
	}
}

// kernelQuantize converts activations with QuantizeActivations, whose sizes
// MatMul has already checked.
func kernelQuantize(act Type, src []float32, dst []byte) {
	if err := QuantizeActivations(act, src, dst); err != nil {
		panic(fmt.Sprintf("tensor: MatMul: converting activations: %v", err))
	}
}

// kernelScratchPool recycles the buffers activations are converted into.
var kernelScratchPool sync.Pool

// kernelScratch returns a recycled buffer of at least size bytes.
func kernelScratch(size int) *[]byte {
	if b, ok := kernelScratchPool.Get().(*[]byte); ok {
		if cap(*b) >= size {
			*b = (*b)[:size]
			return b
		}
	}
	b := make([]byte, size)
	return &b
}
