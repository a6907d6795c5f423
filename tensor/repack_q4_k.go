package tensor

import "encoding/binary"

// Repacked Q4_K. One super-block of a group (2368 bytes) is:
//
//	[0:32)      the sixteen rows' d (f16)
//	[32:64)     their dmin (f16)
//	[64:192)    the 6-bit scales: sub-block s of row r at 64+16s+r
//	[192:320)   the 6-bit mins, the same way
//	[320:2368)  32 chunks of 64 bytes: chunk 8j+l holds quant bytes
//	            32j+4l..32j+4l+3 of each row, row r at 4r; their low nibbles
//	            are elements 4l..4l+3 of sub-block 2j, their high nibbles
//	            those of sub-block 2j+1.
//
// The kernels read activations as Q8_K blocks rearranged (276 bytes): d
// (float32), for k < 4 the sub-block sums B(2k) and B(2k+1) as a pair of
// int16 (B(s) = bsum[2s]+bsum[2s+1]), then the 256 quants. They compute
// what ggml's AVX2 kernel computes (q4KDotAVX2), bit for bit.
var _ = addRepackFormat(&repackFormat{
	typ:      Q4_K,
	block:    q4KGroupBlock,
	act:      vecDotKernel{act: Q8_K},
	actBlock: q4KActBlock,
	pack:     repackQ4_K,
	rewrite:  rewriteQ8KPairs,
	goKernel: q4_Kx16Go,
})

const (
	q4KGroupBlock = 2368
	q4KActBlock   = 276
)

// repackQ4_K writes group g of the Q4_K matrix m.
func repackQ4_K(m Matrix, g int, dst []byte) {
	wrb := m.RowBytes()
	var sc [16]int32
	var mins [8]int32
	for ib := 0; ib < m.Cols/QK_K; ib++ {
		d := dst[ib*q4KGroupBlock:][:q4KGroupBlock]
		for r := 0; r < repackRows; r++ {
			src := m.Data[(g*repackRows+r)*wrb+ib*144:][:144]
			copy(d[2*r:], src[0:2])
			copy(d[32+2*r:], src[2:4])
			kernelScalesK4(src[4:16], &sc, &mins)
			for s := 0; s < 8; s++ {
				d[64+16*s+r] = byte(sc[2*s])
				d[192+16*s+r] = byte(mins[s])
			}
			for c := 0; c < 32; c++ {
				binary.LittleEndian.PutUint32(d[320+64*c+4*r:], binary.LittleEndian.Uint32(src[16+4*c:]))
			}
		}
	}
}

// rewriteQ8KPairs writes a Q8_K activation block for the repacked Q4_K
// kernels.
func rewriteQ8KPairs(b, o []byte) {
	copy(o[0:4], b[0:4])
	for k := 0; k < 4; k++ {
		lo := kBsumQ8K(b, 4*k) + kBsumQ8K(b, 4*k+1)
		hi := kBsumQ8K(b, 4*k+2) + kBsumQ8K(b, 4*k+3)
		binary.LittleEndian.PutUint32(o[4+4*k:], uint32(uint16(int16(lo)))|uint32(uint16(int16(hi)))<<16)
	}
	copy(o[20:], b[4:4+QK_K])
}

// kBsumQ8K returns group sum j of a Q8_K block.
func kBsumQ8K(b []byte, j int) int32 {
	return int32(int16(binary.LittleEndian.Uint16(b[4+QK_K+2*j:])))
}

// q4_Kx16Go multiplies nb super-blocks of one group of sixteen repacked
// Q4_K rows at w with nx activation rows in the layout above, as
// q4KDotAVX2 multiplies each row:
//
//	for i := 0; i < nb; i++ {
//		for t, r := range tokens, rows {
//			sumi[l] = Σ_s sc[r][s]·Σ_{e=4l}^{4l+3} q[r][32s+e]·y[32s+e] // l < 8
//			prod[k] = mins[r][2k]·B(2k) + mins[r][2k+1]·B(2k+1)      // k < 4
//			accm[t][r][k] = fma(-(d(y)·dmin[r]), float32(prod[k]), accm[t][r][k])
//			acc[t][r][l] = fma(d(y)·d[r], float32(sumi[l]), acc[t][r][l])
//		}
//	}
//	out[t*outStride+r] = hsum_float_8(acc[t][r]) + ((accm[0]+accm[2]) + (accm[1]+accm[3]))
func q4_Kx16Go(w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	var acc [repackRows]x86Lanes
	var accm [kernelTile][repackRows][4]float32
	for ib := 0; ib < nb; ib++ {
		blk := w[ib*q4KGroupBlock:][:q4KGroupBlock]
		for t := 0; t < nx; t++ {
			y := x[t*xStride+q4KActBlock*ib:][:q4KActBlock]
			yd := kernelF32At(y)
			for r := 0; r < repackRows; r++ {
				var sumi [8]int32
				for s := 0; s < 8; s++ {
					sc := int32(blk[64+16*s+r])
					for l := 0; l < 8; l++ {
						chunk := blk[320+64*(8*(s/2)+l)+4*r:][:4]
						var p int32
						for e := 0; e < 4; e++ {
							q := int32(chunk[e] & 15)
							if s%2 == 1 {
								q = int32(chunk[e] >> 4)
							}
							p += q * int32(int8(y[20+32*s+4*l+e]))
						}
						sumi[l] += sc * p
					}
				}
				negm := -(yd * kernelF16At(blk[32+2*r:]))
				for k := 0; k < 4; k++ {
					pair := binary.LittleEndian.Uint32(y[4+4*k:])
					prod := int32(blk[192+16*(2*k)+r])*int32(int16(pair)) + int32(blk[192+16*(2*k+1)+r])*int32(int16(pair>>16))
					accm[t][r][k] = kernelFMA32(negm, float32(prod), accm[t][r][k])
				}
				acc[r].add(t, yd*kernelF16At(blk[2*r:]), &sumi)
			}
		}
	}
	for t := 0; t < nx; t++ {
		for r := 0; r < repackRows; r++ {
			m := &accm[t][r]
			out[t*outStride+r] = acc[r].sum(t) + ((m[0] + m[2]) + (m[1] + m[3]))
		}
	}
}
