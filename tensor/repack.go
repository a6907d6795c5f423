package tensor

import (
	"encoding/binary"
	"math"
)

// Repacked weights: llama.cpp repacks Q4_0 matrices on x86 so that one
// instruction works on several rows at once; herd does the same with
// sixteen rows, the width of an AVX-512 register in 32-bit lanes.
//
// A repacked Q4_0 matrix is a sequence of groups of sixteen rows; a group is
// its nb = Cols/32 blocks in order, and one block of a group (288 bytes) is
// the sixteen rows' f16 scales (row r at 2r) followed by four chunks of 64
// bytes: chunk k holds bytes 4k..4k+3 of each row's sixteen quant bytes,
// row r at 4r. One 32-bit lane of a chunk is thus four consecutive quants of
// one row: its low nibbles are elements 4k..4k+3, its high nibbles elements
// 16+4k..19+4k, and a multiply-add of a chunk with one broadcast word of an
// activation block advances all sixteen rows' dot products at once.
//
// The kernels read activations as Q8_0 blocks with their sums (q8s, 40
// bytes a block): the scale as float32, -8·Σq as int32, then the 32 quants,
// so that the unsigned nibbles can meet the signed activation quants
// directly: Σ(q-8)·y = Σq·y - 8·Σy.

const (
	repackRows     = 16                       // rows per group
	repackBlock    = 2 + 16                   // bytes per Q4_0 block
	repackGroupBlk = repackRows * repackBlock // bytes per block of a group
	q8sBlock       = 40                       // bytes per activation block with sums
)

// Repack returns m ready for the fastest matrix kernels this CPU has: for a
// Q4_0 matrix whose rows come in groups of sixteen, on a CPU with AVX-512
// VNNI, m with a repacked copy of its weights, which MatMul then uses
// instead of m.Data (which stays as it is, for Row and for other users of
// the bytes). Otherwise it returns m unchanged. The products MatMul
// computes are the same, bit for bit, either way.
func Repack(m Matrix) Matrix {
	if !repackSupported(m) {
		return m
	}
	m.repacked = repackQ4_0(m)
	return m
}

// repackSupported reports whether Repack repacks m on this CPU.
func repackSupported(m Matrix) bool {
	return repackKernels != nil && m.Type == Q4_0 && m.Rows > 0 && m.Rows%repackRows == 0 &&
		m.Cols > 0 && m.Cols%32 == 0 && len(m.Data) >= m.Rows*m.RowBytes()
}

// repackQ4_0 returns the repacked copy of the Q4_0 matrix m.
func repackQ4_0(m Matrix) []byte {
	nb, wrb := m.Cols/32, m.RowBytes()
	dst := make([]byte, m.Rows*wrb)
	for g := 0; g < m.Rows/repackRows; g++ {
		for ib := 0; ib < nb; ib++ {
			d := dst[(g*nb+ib)*repackGroupBlk:][:repackGroupBlk]
			for r := 0; r < repackRows; r++ {
				src := m.Data[(g*repackRows+r)*wrb+ib*repackBlock:][:repackBlock]
				copy(d[2*r:], src[:2])
				for k := 0; k < 4; k++ {
					copy(d[32+64*k+4*r:][:4], src[2+4*k:])
				}
			}
		}
	}
	return dst
}

// convertQ8Sums quantizes one activation row to Q8_0 and writes it as
// blocks with sums (see the package comment on repacked weights).
func convertQ8Sums(src []float32, dst []byte) {
	nb := len(src) / 32
	tmp := kernelScratch(nb * 34)
	kernelQuantize(Q8_0, src, *tmp)
	for ib := 0; ib < nb; ib++ {
		b := (*tmp)[34*ib:][:34]
		o := dst[q8sBlock*ib:][:q8sBlock]
		var s int32
		for _, q := range b[2:] {
			s += int32(int8(q))
		}
		binary.LittleEndian.PutUint32(o, math.Float32bits(kernelF16At(b)))
		binary.LittleEndian.PutUint32(o[4:], uint32(-8*s))
		copy(o[8:], b[2:])
	}
	kernelScratchPool.Put(tmp)
}

// q4_0x16Go multiplies nb blocks of one group of sixteen repacked Q4_0 rows
// at w with nx activation rows of Q8_0 blocks with sums, row t at
// x[t*xStride:], as dotQ4_0Q8_0 multiplies each row:
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
//
// The assembly kernels compute the same, bit for bit.
func q4_0x16Go(w, x []byte, nb, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile][repackRows]float32
	var q [repackRows][32]int32
	var dw [repackRows]float32
	for ib := 0; ib < nb; ib++ {
		blk := w[ib*repackGroupBlk:][:repackGroupBlk]
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
			y := x[t*xStride+q8sBlock*ib:][:q8sBlock]
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
