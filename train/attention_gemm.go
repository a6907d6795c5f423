package train

import "math"

// Causal attention written as matrix products per head, for heads wide
// enough for the vector kernel. Only the lower triangle of each score
// matrix is computed: rows are taken in blocks and each block stops at its
// last row's position.

const attnBlock = 16

// useAttentionGemm reports whether the matrix-product attention is faster
// than the row-by-row loops for heads of width hd.
func useAttentionGemm(hd int) bool { return vectorKernel() && hd >= 16 }

// transposeStrided writes the transpose of rows×cols values of src (rows
// lds apart) into dst [cols×rows].
func transposeStrided(dst, src []float32, rows, cols, lds int) {
	for r := 0; r < rows; r++ {
		row := src[r*lds : r*lds+cols]
		for c, v := range row {
			dst[c*rows+r] = v
		}
	}
}

func attentionForwardGemm(p *Pool, o, probs, q, k, v []float32, s attnShape) {
	qw, kw, hd, T := s.heads*s.headDim, s.kvHeads*s.headDim, s.headDim, s.seq
	group := s.heads / s.kvHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	p.Run(s.batch*s.heads, func(lo, hi int) {
		vt := make([]float32, hd*T)
		for job := lo; job < hi; job++ {
			b, h := job/s.heads, job%s.heads
			g := h / group
			qh := q[b*T*qw+h*hd:]
			kg := k[b*T*kw+g*hd:]
			pr := probs[(b*s.heads+h)*T*T:][:T*T]
			for i0 := 0; i0 < T; i0 += attnBlock {
				i1 := min(i0+attnBlock, T)
				gemmTile(pr, T, qh, qw, kg, kw, i0, i1, 0, i1, hd, false)
			}
			for t := 0; t < T; t++ {
				row := pr[t*T : t*T+T]
				mx := float32(math.Inf(-1))
				for u := 0; u <= t; u++ {
					row[u] *= scale
					mx = max(mx, row[u])
				}
				inv := 1 / expSubSum(row[:t+1], mx)
				for u := 0; u <= t; u++ {
					row[u] *= inv
				}
				clear(row[t+1:])
			}
			transposeStrided(vt, v[b*T*kw+g*hd:], T, hd, kw)
			oh := o[b*T*qw+h*hd:]
			for i0 := 0; i0 < T; i0 += attnBlock {
				i1 := min(i0+attnBlock, T)
				gemmTile(oh, qw, pr, T, vt, T, i0, i1, 0, hd, i1, false)
			}
		}
	})
}

func attentionBackwardGemm(p *Pool, dq, dk, dv, do, probs, q, k, v []float32, s attnShape) {
	qw, kw, hd, T := s.heads*s.headDim, s.kvHeads*s.headDim, s.headDim, s.seq
	group := s.heads / s.kvHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	p.Run(s.batch*s.kvHeads, func(lo, hi int) {
		kt := make([]float32, hd*T)
		qt := make([]float32, hd*T)
		dot_ := make([]float32, hd*T)
		ds := make([]float32, T*T)
		dsT := make([]float32, T*T)
		pT := make([]float32, T*T)
		for job := lo; job < hi; job++ {
			b, g := job/s.kvHeads, job%s.kvHeads
			dkg, dvg := dk[b*T*kw+g*hd:], dv[b*T*kw+g*hd:]
			for t := 0; t < T; t++ {
				clear(dkg[t*kw : t*kw+hd])
				clear(dvg[t*kw : t*kw+hd])
			}
			kg, vg := k[b*T*kw+g*hd:], v[b*T*kw+g*hd:]
			transposeStrided(kt, kg, T, hd, kw)
			for h := g * group; h < (g+1)*group; h++ {
				pr := probs[(b*s.heads+h)*T*T:][:T*T]
				doh, qh, dqh := do[b*T*qw+h*hd:], q[b*T*qw+h*hd:], dq[b*T*qw+h*hd:]
				for i0 := 0; i0 < T; i0 += attnBlock {
					i1 := min(i0+attnBlock, T)
					gemmTile(ds, T, doh, qw, vg, kw, i0, i1, 0, i1, hd, false)
				}
				for t := 0; t < T; t++ {
					prow, drow := pr[t*T:t*T+t+1], ds[t*T:t*T+T]
					var sum float32
					for u, pv := range prow {
						sum += pv * drow[u]
					}
					for u, pv := range prow {
						drow[u] = pv * (drow[u] - sum) * scale
					}
					clear(drow[t+1:])
				}
				for i0 := 0; i0 < T; i0 += attnBlock {
					i1 := min(i0+attnBlock, T)
					gemmTile(dqh, qw, ds, T, kt, T, i0, i1, 0, hd, i1, false)
				}
				transposeStrided(dsT, ds, T, T, T)
				transposeStrided(pT, pr, T, T, T)
				transposeStrided(qt, qh, T, hd, qw)
				transposeStrided(dot_, doh, T, hd, qw)
				// Row u of dsT and pT is zero before column u.
				for i0 := 0; i0 < T; i0 += attnBlock {
					i1 := min(i0+attnBlock, T)
					gemmTile(dkg[i0*kw:], kw, dsT[i0*T+i0:], T, qt[i0:], T, 0, i1-i0, 0, hd, T-i0, true)
					gemmTile(dvg[i0*kw:], kw, pT[i0*T+i0:], T, dot_[i0:], T, 0, i1-i0, 0, hd, T-i0, true)
				}
			}
		}
	})
}
