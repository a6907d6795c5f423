package tensor

import "encoding/binary"

// Repacked Q6_K, used for batches of two tokens or more (prefill and
// batched decoding; single tokens are memory-bound and read the smaller
// stored rows). The six-bit values stay six bits, so a batch step streams
// about as many bytes as the stored rows (3872 for 16×256 values, against
// 3360 stored). One super-block of a group is:
//
//	[0:32)      the sixteen rows' d (f16)
//	[32:288)    the rows' scales: sub-block s, row r at 32+16s+r (int8)
//	[288:3872)  eight lane records of 448 bytes, lane l at 288+448l
//
// A lane record holds what the AVX2 kernel's integer lane l sums: the
// words w = l, l+8, .., l+56 (elements 4w..4w+3), chunk c being word 8c+l.
//
//	[0:64)     the rows' -K(l) = -Σ 128·sc·Σq over the lane's words, int32,
//	           row r at 4r
//	[64:320)   four vectors of low four bits: vector i holds chunk 2i in
//	           its low nibbles and chunk 2i+1 in its high ones, element e of
//	           row r at byte 4r+e
//	[320:448)  two vectors of the high two bits (bits 4 and 5 of u): vector
//	           h holds chunk 4h+k at bits 2k and 2k+1
//
// where u is the stored six-bit value and q = u-32 the signed one. The
// kernels read activations as Q8_K blocks rearranged (260 bytes): d
// (float32), then the 256 quants plus 128 as unsigned bytes, so that
// Σ sc·Σ(y+128)·q - K = Σ sc·Σ y·q exactly, with one multiply-add of
// unsigned by signed bytes per word. They compute what ggml's AVX2 kernel
// computes (dotQ6_KQ8_K), bit for bit.
var _ = addRepackFormat(&repackFormat{
	typ:      Q6_K,
	block:    q6KGroupBlock,
	act:      vecDotKernel{act: Q8_K},
	actBlock: q6KActBlock,
	minBatch: 2,
	pack:     repackQ6_K,
	rewrite:  rewriteQ8KBiased,
	goKernel: q6_Kx16Go,
})

const (
	q6KGroupBlock = 3872
	q6KActBlock   = 260
	q6KScales     = 32
	q6KLanes      = 288
	q6KLane       = 448
	q6KLaneLow    = 64
	q6KLaneHigh   = 320
)

// repackQ6_K writes group g of the Q6_K matrix m.
func repackQ6_K(m Matrix, g int, dst []byte) {
	wrb := m.RowBytes()
	var u [QK_K]byte
	for ib := 0; ib < m.Cols/QK_K; ib++ {
		d := dst[ib*q6KGroupBlock:][:q6KGroupBlock]
		clear(d)
		for r := 0; r < repackRows; r++ {
			b := m.Data[(g*repackRows+r)*wrb+ib*210:][:210]
			copy(d[2*r:], b[208:210])
			for s := 0; s < 16; s++ {
				d[q6KScales+16*s+r] = b[192+s]
			}
			q6KValues(b, &u)
			for l := 0; l < 8; l++ {
				lane := d[q6KLanes+q6KLane*l:][:q6KLane]
				k := int32(0)
				for c := 0; c < 8; c++ {
					w := 8*c + l
					sum := int32(0)
					for e := 0; e < 4; e++ {
						v := u[4*w+e]
						sum += int32(v) - 32
						lane[q6KLaneLow+64*(c/2)+4*r+e] |= v & 0x0f << (4 * (c % 2))
						lane[q6KLaneHigh+64*(c/4)+4*r+e] |= v >> 4 << (2 * (c % 4))
					}
					k += 128 * int32(int8(b[192+w/4])) * sum
				}
				binary.LittleEndian.PutUint32(lane[4*r:], uint32(-k))
			}
		}
	}
}

// q6KValues decodes the 256 six-bit values (0..63) of a Q6_K super-block,
// eight at a time.
func q6KValues(b []byte, u *[QK_K]byte) {
	const low4, low2 = 0x0f0f0f0f0f0f0f0f, 0x0303030303030303
	for c := 0; c < 2; c++ {
		for l := 0; l < 32; l += 8 {
			l0 := binary.LittleEndian.Uint64(b[64*c+l:])
			l1 := binary.LittleEndian.Uint64(b[64*c+32+l:])
			h := binary.LittleEndian.Uint64(b[128+32*c+l:])
			e := u[128*c+l:]
			binary.LittleEndian.PutUint64(e[0:], l0&low4|(h&low2)<<4)
			binary.LittleEndian.PutUint64(e[32:], l1&low4|(h>>2&low2)<<4)
			binary.LittleEndian.PutUint64(e[64:], l0>>4&low4|(h>>4&low2)<<4)
			binary.LittleEndian.PutUint64(e[96:], l1>>4&low4|(h>>6&low2)<<4)
		}
	}
}

// rewriteQ8KBiased writes a Q8_K activation block for the repacked Q6_K
// kernels.
func rewriteQ8KBiased(b, o []byte) {
	copy(o[0:4], b[0:4])
	for i, q := range b[4 : 4+QK_K] {
		o[4+i] = q ^ 0x80
	}
}

// q6_Kx16Go multiplies nb super-blocks of one group of sixteen repacked
// Q6_K rows at w with nx activation rows in the layout above, as
// dotQ6_KQ8_K multiplies each row:
//
//	for i := 0; i < nb; i++ {
//		for t, r := range tokens, rows {
//			p[l] = Σ_{w%8 == l} sc[r][w/4]·Σ_{e=4w}^{4w+3} q[r][e]·(y[e]+128) - K[r][l] // l < 8
//			acc[t][r][l] = fma(d(y)·d[r], float32(p[l]), acc[t][r][l])
//		}
//	}
//	out[t*outStride+r] = hsum_float_8(acc[t][r])
func q6_Kx16Go(w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	var acc [repackRows]x86Lanes
	for ib := 0; ib < nb; ib++ {
		blk := w[ib*q6KGroupBlock:][:q6KGroupBlock]
		for t := 0; t < nx; t++ {
			y := x[t*xStride+q6KActBlock*ib:][:q6KActBlock]
			yd := kernelF32At(y)
			for r := 0; r < repackRows; r++ {
				var p [8]int32
				for l := range p {
					lane := blk[q6KLanes+q6KLane*l:][:q6KLane]
					p[l] = int32(binary.LittleEndian.Uint32(lane[4*r:]))
					for c := 0; c < 8; c++ {
						wd := 8*c + l
						sc := int32(int8(blk[q6KScales+16*(wd/4)+r]))
						var s int32
						for e := 0; e < 4; e++ {
							lo := lane[q6KLaneLow+64*(c/2)+4*r+e] >> (4 * (c % 2)) & 0x0f
							hi := lane[q6KLaneHigh+64*(c/4)+4*r+e] >> (2 * (c % 4)) & 0x03
							s += (int32(lo|hi<<4) - 32) * int32(y[4+4*wd+e])
						}
						p[l] += sc * s
					}
				}
				acc[r].add(t, yd*kernelF16At(blk[2*r:]), &p)
			}
		}
	}
	for t := 0; t < nx; t++ {
		for r := 0; r < repackRows; r++ {
			out[t*outStride+r] = acc[r].sum(t)
		}
	}
}
