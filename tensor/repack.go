package tensor

import (
	"runtime"
	"sync"
)

// Repacked weights: llama.cpp repacks Q4_0 matrices on x86 so that one
// instruction works on several rows at once; herd repacks Q4_0, Q8_0, Q4_K
// and Q6_K matrices sixteen rows at a time, the width of an AVX-512
// register in 32-bit lanes. A repacked matrix is a sequence of groups of
// sixteen rows; a group is its blocks (or super-blocks) in order, each
// holding the sixteen rows' f16 scales (row r at 2r), the format's other
// per-row values, and then their quants in chunks of 64 bytes, one 32-bit
// lane per row: a multiply-add of a chunk with one broadcast word of an
// activation block advances all sixteen rows' dot products at once (the
// layouts are in repack_<type>.go). Each format's kernels read activations
// in a layout of their own (see repackFormat.convert), and compute exactly
// the float32 operations of the format's row kernel, in the same order.

// repackRows is the number of rows in a group.
const repackRows = 16

// repackFormat is one repacked weight layout with the activation layout its
// kernels read.
type repackFormat struct {
	typ   Type
	block int // bytes per block of a group
	act   vecDotKernel
	// actBlock is the size of an activation block in the kernels' layout.
	actBlock int
	// minBatch is the fewest tokens MatMul runs through the repacked
	// kernels; shorter batches go to the row kernels.
	minBatch int
	// pack writes the group of sixteen rows starting at row g*16 of m.
	pack func(m Matrix, g int, dst []byte)
	// rewrite writes one activation block, quantized to act.act, in the
	// kernels' layout (actBlock bytes).
	rewrite func(in, out []byte)
	// direct, when set (by an assembly file), converts a whole activation
	// row straight to the kernels' layout, as quantizing and rewrite do.
	direct func(src []float32, dst []byte)
	// goKernel is the Go twin of the kernels: nb blocks of one group at w
	// against nx activation rows, row t at x[t*xStride:], the result for
	// row t and weight row r at out[t*outStride+r].
	goKernel func(w, x []byte, nb, xStride, nx int, out []float32, outStride int)
	// kernels are the assembly kernels this CPU runs, indexed by the
	// number of activation rows they take (1..len-1); nil: none, and
	// Repack leaves matrices of the type as they are.
	kernels []repackRoutine
}

// repackRoutine is the signature of the assembly kernels: nb blocks of one
// group at w against a fixed number of activation rows at x, x+xStride ...
// with the results at out, out+outStride ...
type repackRoutine func(w, x *byte, nb, xStride int, out *float32, outStride int)

// repackFormats are the formats by weight type, filled by each format's
// file.
var repackFormats [kernelTypeLimit]*repackFormat

// addRepackFormat registers f with the kernels this CPU runs for it; it
// returns true so it can initialise a blank package-level variable.
func addRepackFormat(f *repackFormat) bool {
	f.act.repack = f
	f.kernels = repackKernels(f.typ)
	repackFormats[f.typ] = f
	return true
}

// repacking is a matrix's repacked weights, shared by the copies of the
// Matrix value: built by Repack for formats every product uses, on first
// use for those only batches use (most matrices of a model run by one user
// never see one).
type repacking struct {
	once sync.Once
	data []byte
}

// bytes returns the repacked weights of m, building them on first use.
func (r *repacking) bytes(m Matrix) []byte {
	r.once.Do(func() { r.data = repackMatrix(m) })
	return r.data
}

// Repack returns m ready for the fastest matrix kernels this CPU has: for
// a Q4_0, Q8_0, Q4_K or Q6_K matrix whose rows come in groups of sixteen,
// on a CPU with AVX-512 VNNI, m with a repacked copy of its weights, which
// MatMul then uses instead of m.Data (which stays as it is, for Row, for the
// batches a format leaves to the row kernels and for other users of the
// bytes). The copy of a format used only for batches (Q6_K) is made by the
// first batch that needs it. Otherwise Repack returns m unchanged. The
// products MatMul computes are the same, bit for bit, either way.
func Repack(m Matrix) Matrix {
	if !repackSupported(m) {
		return m
	}
	r := new(repacking)
	if repackFormats[m.Type].minBatch <= 1 {
		r.bytes(m) // every product reads it: build it with the model
	}
	m.repacked = r
	return m
}

// repackSupported reports whether Repack repacks m on this CPU.
func repackSupported(m Matrix) bool {
	return m.Type < kernelTypeLimit && repackFormats[m.Type] != nil && repackFormats[m.Type].kernels != nil &&
		m.Rows > 0 && m.Rows%repackRows == 0 && m.Cols > 0 && m.Cols%m.Type.BlockSize() == 0 &&
		len(m.Data) >= m.Rows*m.RowBytes()
}

// repackMatrix returns the repacked copy of m, whose format exists. Large
// matrices are repacked by one goroutine per CPU.
func repackMatrix(m Matrix) []byte {
	f := repackFormats[m.Type]
	gb := m.Cols / f.typ.BlockSize() * f.block
	groups := m.Rows / repackRows
	dst := make([]byte, groups*gb)
	adviseHugePages(dst) // before the first write faults the pages in
	workers := max(1, min(runtime.GOMAXPROCS(0), len(dst)>>20))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for g := groups * w / workers; g < groups*(w+1)/workers; g++ {
				f.pack(m, g, dst[g*gb:(g+1)*gb])
			}
		})
	}
	wg.Wait()
	return dst
}

// convert quantizes one activation row to the format's activation type
// and writes it in the kernels' layout, a block at a time.
func (f *repackFormat) convert(src []float32, dst []byte) {
	if f.direct != nil {
		f.direct(src, dst)
		return
	}
	act := f.act.act
	size, nb := act.TypeSize(), len(src)/act.BlockSize()
	tmp := kernelScratch(nb * size)
	kernelQuantize(act, src, *tmp)
	for ib := 0; ib < nb; ib++ {
		f.rewrite((*tmp)[size*ib:][:size], dst[f.actBlock*ib:][:f.actBlock])
	}
	kernelScratchPool.Put(tmp)
}

// repackUsed reports whether MatMul runs w's repacked kernels for a batch
// of n tokens.
func repackUsed(w *Matrix, n int) bool {
	return w.repacked != nil && n >= repackFormats[w.Type].minBatch
}

// repackGroup runs format f's kernels for nx activation rows over one group
// of nb repacked blocks, as many rows per call as a kernel takes (the Go
// twin where the build has none; Repack then never repacks, but tests do).
func repackGroup(f *repackFormat, w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	_ = w[nb*f.block-1]
	_ = x[(nx-1)*xStride+nb*f.actBlock-1]
	_ = out[(nx-1)*outStride+repackRows-1]
	kernels := f.kernels
	if kernels == nil {
		f.goKernel(w, x, nb, xStride, nx, out, outStride)
		return
	}
	for t := 0; t < nx; {
		k := min(nx-t, len(kernels)-1)
		kernels[k](&w[0], &x[t*xStride], nb, xStride, &out[t*outStride], outStride)
		t += k
	}
}
