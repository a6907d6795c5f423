package train

import "math/rand/v2"

// loraActs keeps what an adapter's backward pass needs: the (dropped-out)
// input and its projection z = x·Aᵀ.
type loraActs struct {
	xd, mask, z []float32
}

// frozenRowBlock is how many rows of a frozen quantized matrix are
// dequantized at once.
const frozenRowBlock = 64

// linearFwd sets y[n×Rows] = x[n×Cols]·Wᵀ (+ the adapter's contribution).
func (w *Param) linearFwd(p *Pool, s *scratch, y, x []float32, n int, la *loraActs, rng *rand.Rand) {
	in, out := w.Cols, w.Rows
	if w.W != nil {
		linearForward(p, y, x, w.W, n, in, out)
	} else {
		wb := s.get(frozenRowBlock * in)
		for r0 := 0; r0 < out; r0 += frozenRowBlock {
			r1 := min(r0+frozenRowBlock, out)
			w.Q.rows(r0, r1, wb)
			gemm(p, y[r0:], out, rowMajor(x, in), colMajor(wb, in), n, r1-r0, in, false)
		}
	}
	if w.LoRA == nil {
		return
	}
	l := w.LoRA
	r := l.A.Rows
	la.xd = x
	la.mask = nil
	if l.Dropout > 0 && rng != nil {
		la.mask = grow(la.mask, n*in)
		la.xd = make([]float32, n*in)
		keep := 1 / (1 - l.Dropout)
		for i := range la.mask {
			if rng.Float32() >= l.Dropout {
				la.mask[i] = keep
			} else {
				la.mask[i] = 0
			}
			la.xd[i] = x[i] * la.mask[i]
		}
	}
	la.z = grow(la.z, n*r)
	matMulNT(p, la.z, la.xd, l.A.W, n, r, in, false)
	zs := s.get(n * r)
	for i, v := range la.z {
		zs[i] = v * l.Scale
	}
	matMulNT(p, y, zs, l.B.W, n, out, r, true)
}

// linearBwd adds the input gradient dy·W to dx (when dx is not nil) and the
// weight gradients of w (when trainable) and of its adapter.
func (w *Param) linearBwd(p *Pool, s *scratch, dx, dy, x []float32, n int, la *loraActs) {
	in, out := w.Cols, w.Rows
	if dx != nil {
		if w.W != nil {
			linearBackwardInput(p, dx, dy, w.W, n, in, out)
		} else {
			wb := s.get(frozenRowBlock * in)
			for r0 := 0; r0 < out; r0 += frozenRowBlock {
				r1 := min(r0+frozenRowBlock, out)
				w.Q.rows(r0, r1, wb)
				gemm(p, dx, in, rowMajor(dy[r0:], out), rowMajor(wb, in), n, in, r1-r0, true)
			}
		}
	}
	if w.G != nil {
		linearBackwardWeight(p, w.G, dy, x, n, in, out)
	}
	if w.LoRA == nil {
		return
	}
	l := w.LoRA
	r := l.A.Rows
	dys := s.get(n * out)
	for i, v := range dy[:n*out] {
		dys[i] = v * l.Scale
	}
	linearBackwardWeight(p, l.B.G, dys, la.z, n, r, out)
	dz := s.get(n * r)
	linearBackwardInput(p, dz, dys, l.B.W, n, r, out)
	linearBackwardWeight(p, l.A.G, dz, la.xd, n, in, r)
	if dx == nil {
		return
	}
	if la.mask == nil {
		linearBackwardInput(p, dx, dz, l.A.W, n, in, r)
		return
	}
	dxd := s.get(n * in)
	linearBackwardInput(p, dxd, dz, l.A.W, n, in, r)
	for i, m := range la.mask {
		dx[i] += dxd[i] * m
	}
}

// grow returns b resized to n values (contents unspecified).
func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}
