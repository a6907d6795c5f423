package tensor

import (
	"encoding/binary"
	"math"
)

// Repacked Q4_0. One block of a group (288 bytes) is the sixteen rows' f16
// scales followed by four chunks of 64 bytes: chunk k holds bytes 4k..4k+3
// of each row's sixteen quant bytes, row r at 4r. The low nibbles of a lane
// of chunk k are elements 4k..4k+3 of its row, the high nibbles elements
// 16+4k..19+4k.
//
// The kernels read activations as Q8_0 blocks with their sums (40 bytes a
// block): the scale as float32, -8·Σq as int32, then the 32 quants, so that
// the unsigned nibbles can meet the signed activation quants directly:
// Σ(q-8)·y = Σq·y - 8·Σy.
var _ = addRepackFormat(&repackFormat{
	typ:      Q4_0,
	block:    repackRows * 18,
	act:      vecDotKernel{act: Q8_0},
	actBlock: q4_0ActBlock,
	direct:   actQ8_0SumsAccel,
	pack:     repackQ4_0,
	rewrite:  rewriteQ8Sums,
	goKernel: q4_0x16Go,
})

// q4_0ActBlock is the size of an activation block of the repacked Q4_0
// kernels.
const q4_0ActBlock = 40

// repackQ4_0 writes group g of the Q4_0 matrix m.
func repackQ4_0(m Matrix, g int, dst []byte) {
	wrb := m.RowBytes()
	for ib := 0; ib < m.Cols/32; ib++ {
		d := dst[ib*repackRows*18:][:repackRows*18]
		for r := 0; r < repackRows; r++ {
			src := m.Data[(g*repackRows+r)*wrb+ib*18:][:18]
			copy(d[2*r:], src[:2])
			for k := 0; k < 4; k++ {
				binary.LittleEndian.PutUint32(d[32+64*k+4*r:], binary.LittleEndian.Uint32(src[2+4*k:]))
			}
		}
	}
}

// rewriteQ8Sums writes a Q8_0 activation block with its sum.
func rewriteQ8Sums(b, o []byte) {
	var s int32
	for _, q := range b[2:] {
		s += int32(int8(q))
	}
	binary.LittleEndian.PutUint32(o, math.Float32bits(kernelF16At(b)))
	binary.LittleEndian.PutUint32(o[4:], uint32(-8*s))
	copy(o[8:], b[2:])
}

// q4_0x16Go multiplies nb blocks of one group of sixteen repacked Q4_0 rows
// at w with nx activation rows of Q8_0 blocks with sums, as dotQ4_0Q8_0
// multiplies each row:
//
//	for ib := 0; ib < nb; ib++ {
//		for t := 0; t < nx; t++ {
//			for r := 0; r < 16; r++ {
//				sumi := -8·Σy + Σ_j q[r][j]·y[j] // q unsigned nibbles
//				acc[t][r] = fma32(float32(sumi), f16(scale[r])*d(y), acc[t][r])
//			}
//		}
//	}
//	out[t*outStride+r] = acc[t][r]
func q4_0x16Go(w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile][repackRows]float32
	var q [repackRows][32]int32
	var dw [repackRows]float32
	for ib := 0; ib < nb; ib++ {
		blk := w[ib*repackRows*18:][:repackRows*18]
		for r := 0; r < repackRows; r++ {
			dw[r] = kernelF16At(blk[2*r:])
			for k := 0; k < 4; k++ {
				for e := 0; e < 4; e++ {
					v := blk[32+64*k+4*r+e]
					q[r][4*k+e], q[r][16+4*k+e] = int32(v&15), int32(v>>4)
				}
			}
		}
		for t := 0; t < nx; t++ {
			y := x[t*xStride+q4_0ActBlock*ib:][:q4_0ActBlock]
			dy := kernelF32At(y)
			s := int32(binary.LittleEndian.Uint32(y[4:]))
			for r := 0; r < repackRows; r++ {
				sumi := s
				for j, v := range q[r] {
					sumi += v * int32(int8(y[8+j]))
				}
				acc[t][r] = kernelFMA32(float32(sumi), dw[r]*dy, acc[t][r])
			}
		}
	}
	for t := 0; t < nx; t++ {
		copy(out[t*outStride:][:repackRows], acc[t][:])
	}
}
