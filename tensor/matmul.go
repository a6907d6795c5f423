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
// The conversion happens once per call; the weight rows are spread over the
// pool's threads, and for n > 1 each decoded weight block serves several
// tokens. MatMul panics when the type is unsupported (see MatMulSupported)
// or the slices are too short: both are programming errors.
func MatMul(p *Pool, out []float32, w Matrix, x []float32, n int) {
	if n <= 0 || w.Rows == 0 {
		return
	}
	if !MatMulSupported(w.Type) {
		panic(fmt.Sprintf("tensor: MatMul: unsupported weight type %s", w.Type))
	}
	k := &vecDot[w.Type]
	cols := w.Cols
	wrb := w.RowBytes()
	if cols%w.Type.BlockSize() != 0 || len(w.Data) < w.Rows*wrb {
		panic(fmt.Sprintf("tensor: MatMul: %d×%d %s matrix with %d bytes", w.Rows, cols, w.Type, len(w.Data)))
	}
	if len(x) < n*cols || len(out) < n*w.Rows {
		panic(fmt.Sprintf("tensor: MatMul: %d rows need x of %d and out of %d, got %d and %d",
			n, n*cols, n*w.Rows, len(x), len(out)))
	}
	if w.Rows*cols*n < matmulInlineWork {
		p = nil
	}

	xrb := k.rowBytes(cols)
	scratch := kernelScratch(n * xrb)
	defer kernelScratchPool.Put(scratch)
	xq := (*scratch)[:n*xrb]
	convert := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			k.convert(x[i*cols:(i+1)*cols], xq[i*xrb:(i+1)*xrb])
		}
	}
	if n > 1 {
		p.Run(n, convert)
	} else {
		convert(0, 1)
	}

	rowTile := max(1, matmulTileBytes/max(wrb, 1))
	dot := k.dot
	p.Run(w.Rows, func(lo, hi int) {
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
	})
}

// rowBytes returns the bytes one converted (and packed) activation row of
// cols elements takes. F32, F16 and BF16 activations are kept as float32
// (the latter two already rounded to their format).
func (k *vecDotKernel) rowBytes(cols int) int {
	switch {
	case k.act == F32 || k.act == F16 || k.act == BF16:
		return 4 * cols
	case k.pack != nil:
		return cols / k.act.BlockSize() * k.pack.packed
	}
	return cols / k.act.BlockSize() * k.act.TypeSize()
}

// convert converts one activation row to the kernel's format.
func (k *vecDotKernel) convert(src []float32, dst []byte) {
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
