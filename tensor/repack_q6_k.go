package tensor

import "encoding/binary"

// Repacked Q6_K, used for batches of two tokens or more (prefill and
// batched decoding, where the products are compute-bound; single tokens are
// memory-bound and read the smaller stored rows). One super-block of a
// group (5664 bytes) is:
//
//	[0:32)       the sixteen rows' d (f16)
//	[32:1056)    for each 16-element group s, 64 bytes: the rows' scale
//	             as a pair of int16 (sc, sc), row r at 32+64s+4r
//	[1056:1568)  for each lane l, the rows' K(l) = Σ 128·sc·Σq over the
//	             words of the lane, as int32, row r at 1056+64l+4r
//	[1568:5664)  64 chunks of 64 bytes: chunk w holds elements 4w..4w+3 of
//	             each row as signed values q = u-32, row r at 4r
//
// The kernels read activations as Q8_K blocks rearranged (260 bytes): d
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
	q6KGroupBlock = 5664
	q6KActBlock   = 260
)

// repackQ6_K writes group g of the Q6_K matrix m.
func repackQ6_K(m Matrix, g int, dst []byte) {
	wrb := m.RowBytes()
	var u [QK_K]byte
	for ib := 0; ib < m.Cols/QK_K; ib++ {
		d := dst[ib*q6KGroupBlock:][:q6KGroupBlock]
		for r := 0; r < repackRows; r++ {
			b := m.Data[(g*repackRows+r)*wrb+ib*210:][:210]
			copy(d[2*r:], b[208:210])
			for s := 0; s < 16; s++ {
				c := uint16(int16(int8(b[192+s])))
				binary.LittleEndian.PutUint32(d[32+64*s+4*r:], uint32(c)|uint32(c)<<16)
			}
			q6KValues(b, &u)
			var k [8]int32
			for w := 0; w < 64; w++ {
				v := binary.LittleEndian.Uint32(u[4*w:])
				// Each byte u-32 as int8: u^0x20 where bit 5 is set,
				// u|0xe0 where it is clear (u < 64).
				b5 := v >> 5 & 0x01010101
				binary.LittleEndian.PutUint32(d[1568+64*w+4*r:], v^0x20202020|(b5^0x01010101)*0xe0)
				sum := int32(v*0x01010101>>24) - 128 // Σ(u-32) over the four bytes
				k[w%8] += 128 * int32(int8(b[192+w/4])) * sum
			}
			for l, v := range k {
				binary.LittleEndian.PutUint32(d[1056+64*l+4*r:], uint32(v))
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
				for wd := 0; wd < 64; wd++ {
					sc := int32(int16(binary.LittleEndian.Uint16(blk[32+64*(wd/4)+4*r:])))
					var s int32
					for e := 0; e < 4; e++ {
						s += int32(int8(blk[1568+64*wd+4*r+e])) * int32(y[4+4*wd+e])
					}
					p[wd%8] += sc * s
				}
				for l := range p {
					p[l] -= int32(binary.LittleEndian.Uint32(blk[1056+64*l+4*r:]))
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
