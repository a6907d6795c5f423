package train

import (
	"math"
	"sync"

	"github.com/herdllm/herd/tensor"
)

// Causal attention written as matrix products per head, for heads wide
// enough for the vector kernel. Rows are taken in blocks; each block's
// products stop at its last row's position, so little of the upper
// triangle is computed. Transposed operands are read in place (the packed
// product takes any strides).

const attnBlock = 64

// scorePool holds the backward pass's score-gradient buffers.
var scorePool = sync.Pool{New: func() any { return new([]float32) }}

// useAttentionGemm reports whether the matrix-product attention is faster
// than the row-by-row loops for heads of width hd.
func useAttentionGemm(hd int) bool { return vectorKernel() && hd >= 16 }

func attentionForwardGemm(p *Pool, o, probs, q, k, v []float32, s attnShape) {
	qw, kw, hd, T := s.heads*s.headDim, s.kvHeads*s.headDim, s.headDim, s.seq
	group := s.heads / s.kvHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	p.Run(s.batch*s.heads, func(lo, hi int) {
		for job := lo; job < hi; job++ {
			b, h := job/s.heads, job%s.heads
			g := h / group
			qh := q[b*T*qw+h*hd:]
			kg, vg := k[b*T*kw+g*hd:], v[b*T*kw+g*hd:]
			pr := probs[(b*s.heads+h)*T*T:][:T*T]
			oh := o[b*T*qw+h*hd:]
			for i0 := 0; i0 < T; i0 += attnBlock {
				i1 := min(i0+attnBlock, T)
				gemmSerial(pr[i0*T:], T, rowMajor(qh[i0*qw:], qw), colMajor(kg, kw), i1-i0, i1, hd, false)
				for t := i0; t < i1; t++ {
					row := pr[t*T : t*T+t+1]
					tensor.Scale(row, scale)
					inv := 1 / expSubSum(row, maxFloat(row))
					tensor.Scale(row, inv)
					clear(pr[t*T+t+1 : t*T+T])
				}
				gemmSerial(oh[i0*qw:], qw, rowMajor(pr[i0*T:], T), rowMajor(vg, kw), i1-i0, hd, i1, false)
			}
		}
	})
}

func attentionBackwardGemm(p *Pool, dq, dk, dv, do, probs, q, k, v []float32, s attnShape) {
	qw, kw, hd, T := s.heads*s.headDim, s.kvHeads*s.headDim, s.headDim, s.seq
	group := s.heads / s.kvHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	p.Run(s.batch*s.kvHeads, func(lo, hi int) {
		buf := scorePool.Get().(*[]float32)
		defer scorePool.Put(buf)
		ds := grow(*buf, T*T)
		*buf = ds
		for job := lo; job < hi; job++ {
			b, g := job/s.kvHeads, job%s.kvHeads
			kg, vg := k[b*T*kw+g*hd:], v[b*T*kw+g*hd:]
			dkg, dvg := dk[b*T*kw+g*hd:], dv[b*T*kw+g*hd:]
			for t := 0; t < T; t++ {
				clear(dkg[t*kw : t*kw+hd])
				clear(dvg[t*kw : t*kw+hd])
			}
			for h := g * group; h < (g+1)*group; h++ {
				pr := probs[(b*s.heads+h)*T*T:][:T*T]
				doh, qh, dqh := do[b*T*qw+h*hd:], q[b*T*qw+h*hd:], dq[b*T*qw+h*hd:]
				for i0 := 0; i0 < T; i0 += attnBlock {
					i1 := min(i0+attnBlock, T)
					// dP = dO·Vᵀ, then dS = P∘(dP − rowsum(P∘dP))·scale.
					gemmSerial(ds[i0*T:], T, rowMajor(doh[i0*qw:], qw), colMajor(vg, kw), i1-i0, i1, hd, false)
					for t := i0; t < i1; t++ {
						prow, drow := pr[t*T:t*T+t+1], ds[t*T:t*T+t+1]
						sum := dot(prow, drow)
						for u, pv := range prow {
							drow[u] = pv * (drow[u] - sum) * scale
						}
						clear(ds[t*T+t+1 : t*T+T])
					}
					gemmSerial(dqh[i0*qw:], qw, rowMajor(ds[i0*T:], T), rowMajor(kg, kw), i1-i0, hd, i1, false)
				}
				// dK += dSᵀ·Q and dV += Pᵀ·dO; column u of dS and P is zero above row u.
				for u0 := 0; u0 < T; u0 += attnBlock {
					u1 := min(u0+attnBlock, T)
					gemmSerial(dkg[u0*kw:], kw, colMajor(ds[u0*T+u0:], T), rowMajor(qh[u0*qw:], qw), u1-u0, hd, T-u0, true)
					gemmSerial(dvg[u0*kw:], kw, colMajor(pr[u0*T+u0:], T), rowMajor(doh[u0*qw:], qw), u1-u0, hd, T-u0, true)
				}
			}
		}
	})
}
