package tensor

import (
	"encoding/binary"
	"math"
)

// Repacked Q8_0. One block of a group (544 bytes) is the sixteen rows' f16
// scales followed by eight chunks of 64 bytes: chunk l holds elements
// 4l..4l+3 of each row, row r at 4r, as unsigned bytes q+128.
//
// The kernels read activations as Q8_0 blocks with lane corrections (68
// bytes a block): the scale as float32, then for each lane l (elements
// 4l..4l+3) -128·Σy over the lane as int32, then the 32 quants, so that
// Σ(q+128)·y - 128·Σy = Σq·y exactly. Like dotQ8_0Q8_0 the kernels keep
// eight float32 sums per row, one per lane, added up at the end as ggml's
// hsum_float_8 adds them.
var _ = addRepackFormat(&repackFormat{
	typ:      Q8_0,
	block:    repackRows * 34,
	act:      vecDotKernel{act: Q8_0},
	actBlock: 68,
	pack:     repackQ8_0,
	rewrite:  rewriteQ8Lanes,
	goKernel: q8_0x16Go,
})

// repackQ8_0 writes group g of the Q8_0 matrix m.
func repackQ8_0(m Matrix, g int, dst []byte) {
	wrb := m.RowBytes()
	for ib := 0; ib < m.Cols/32; ib++ {
		d := dst[ib*repackRows*34:][:repackRows*34]
		for r := 0; r < repackRows; r++ {
			src := m.Data[(g*repackRows+r)*wrb+ib*34:][:34]
			copy(d[2*r:], src[:2])
			for l := 0; l < 8; l++ {
				v := binary.LittleEndian.Uint32(src[2+4*l:])
				binary.LittleEndian.PutUint32(d[32+64*l+4*r:], v^0x80808080)
			}
		}
	}
}

// rewriteQ8Lanes writes a Q8_0 activation block with its lane corrections.
func rewriteQ8Lanes(b, o []byte) {
	binary.LittleEndian.PutUint32(o, math.Float32bits(kernelF16At(b)))
	for l := 0; l < 8; l++ {
		var s int32
		for _, q := range b[2+4*l : 6+4*l] {
			s += int32(int8(q))
		}
		binary.LittleEndian.PutUint32(o[4+4*l:], uint32(-128*s))
	}
	copy(o[36:], b[2:])
}

// q8_0x16Go multiplies nb blocks of one group of sixteen repacked Q8_0 rows
// at w with nx activation rows of Q8_0 blocks with lane corrections, as
// dotQ8_0Q8_0 multiplies each row:
//
//	for ib := 0; ib < nb; ib++ {
//		for t := 0; t < nx; t++ {
//			for r := 0; r < 16; r++ {
//				for l := 0; l < 8; l++ {
//					sumi := corr[l] + Σ_{j=4l}^{4l+3} u[r][j]·y[j] // u = q+128
//					lanes[t][r][l] = fma32(float32(sumi), f16(scale[r])*d(y), lanes[t][r][l])
//				}
//			}
//		}
//	}
//	out[t*outStride+r] = hsum_float_8(lanes[t][r])
func q8_0x16Go(w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	var acc [repackRows]x86Lanes
	for ib := 0; ib < nb; ib++ {
		blk := w[ib*repackRows*34:][:repackRows*34]
		for t := 0; t < nx; t++ {
			y := x[t*xStride+68*ib:][:68]
			dy := kernelF32At(y)
			for r := 0; r < repackRows; r++ {
				var p [8]int32
				for l := range p {
					s := int32(binary.LittleEndian.Uint32(y[4+4*l:]))
					for e := 0; e < 4; e++ {
						s += int32(blk[32+64*l+4*r+e]) * int32(int8(y[36+4*l+e]))
					}
					p[l] = s
				}
				acc[r].add(t, kernelF16At(blk[2*r:])*dy, &p)
			}
		}
	}
	for t := 0; t < nx; t++ {
		for r := 0; r < repackRows; r++ {
			out[t*outStride+r] = acc[r].sum(t)
		}
	}
}
