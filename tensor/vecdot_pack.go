package tensor

import "encoding/binary"

// Packed integer dot products ("SIMD within a register") for pure Go.
//
// A weight word holds several small signed integers a₀..a_{L-1} in equal
// lanes of a uint64 (L = 4 lanes of 16 bits, or L = 2 lanes of 32 bits), and
// an activation word holds int8 quants b in the same lanes in reverse order.
// The wrapped 64-bit product then holds, in its top lane, exactly the sum of
// the cross terms whose lane indices add up to L-1, that is Σ aₖ·bₖ; the
// lower lanes hold other sums of at most L products. As long as every such
// sum lies in [-2^(w-1), 2^(w-1)) for lane width w, adding 2^(w-1) to each
// lower lane turns them into non-negative numbers that cannot borrow from
// the top lane, which is then read as a signed w-bit integer. One multiply
// thus does L multiply-adds, exactly.
//
// Activations are packed once per MatMul (swarPacking.pack) into words whose
// lanes follow a fixed element order; each weight kernel builds its words in
// the same order. Orders are chosen so that one word never mixes elements
// that ggml keeps apart: a scale group, one of the eight AVX2 lanes
// (elements 4l..4l+3 of each 32) of the x86 kernels, or for Q4_K one of the
// eight lanes (element index mod 8) of its generic C.

const (
	swarBias4 = 0x0000800080008000 // 2^15 in the three lower 16-bit lanes
	swarBias2 = 0x0000000080000000 // 2^31 in the lower 32-bit lane
	swarOnes4 = 0x0001000100010001 // 1 in every 16-bit lane
	swarLow4  = 0x000f000f000f000f // the low nibble of every 16-bit lane
)

// swarDot4 returns Σ aₖ·bₖ of a weight and an activation word with four
// 16-bit lanes; each partial sum of up to four products must fit in int16.
func swarDot4(a, b uint64) int32 { return int32(int16((a*b + swarBias4) >> 48)) }

// swarDot2 returns a₀b₀+a₁b₁ of a weight and an activation word with two
// 32-bit lanes.
func swarDot2(a, b uint64) int32 { return int32((a*b + swarBias2) >> 32) }

// swarWord2 packs two signed values into the 32-bit lanes of a weight word.
func swarWord2(a0, a1 int32) uint64 { return uint64(int64(a0) + int64(a1)<<32) }

// swarSpread puts the four bytes of v into the four 16-bit lanes of a word,
// byte 0 in lane 0.
func swarSpread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000ffff0000ffff
	return (x | x<<8) & 0x00ff00ff00ff00ff
}

// swarGather puts the bytes q[l], q[l+8], q[l+16], q[l+24] into the four
// 16-bit lanes of a word, in that order.
func swarGather(q *[32]byte, l int) uint64 {
	return uint64(q[l]) | uint64(q[l+8])<<16 | uint64(q[l+16])<<32 | uint64(q[l+24])<<48
}

// swarBits4 maps four bits to a word with 16 in the lane of each set bit
// (the fifth bit of Q5 weights).
var swarBits4 = func() (t [16]uint64) {
	for h := range t {
		for k := 0; k < 4; k++ {
			if h>>k&1 != 0 {
				t[h] |= 16 << (16 * k)
			}
		}
	}
	return t
}()

// swarPacking is one packed activation layout: per block of act, the block's
// header bytes (its scale and sums, padded to 4 bytes) followed by the words.
type swarPacking struct {
	act     Type
	lanes   int     // 4 (16-bit lanes) or 2 (32-bit lanes)
	order   []uint8 // element (within the block) of lane k of word w at lanes·w+k
	quants  int     // offset of the quants in an act block
	header  int     // bytes before the words in a packed block
	words   int     // words per packed block
	packed  int     // bytes per packed block
	trailer int     // bytes after the quants in an act block (Q8_K group sums)
}

// newSwarPacking builds a packing of act blocks with the given lanes and
// element order.
func newSwarPacking(act Type, lanes int, order []uint8) *swarPacking {
	p := &swarPacking{act: act, lanes: lanes, order: order}
	nq := act.BlockSize()
	p.quants = act.TypeSize() - nq
	if act == Q8_K {
		p.quants, p.trailer = 4, 32
	}
	p.header = (act.TypeSize() - nq + 3) &^ 3
	p.words = nq / lanes
	p.packed = p.header + 8*p.words
	return p
}

// pack rearranges a row of act blocks (src) into the packed layout (dst).
func (p *swarPacking) pack(src, dst []byte) {
	bs, nq := p.act.TypeSize(), p.act.BlockSize()
	shift := 64 / p.lanes
	for i := 0; i < len(src)/bs; i++ {
		s := src[i*bs : (i+1)*bs]
		d := dst[i*p.packed : (i+1)*p.packed]
		clear(d[:p.header])
		n := copy(d, s[:p.quants])
		copy(d[n:p.header], s[p.quants+nq:])
		q := s[p.quants : p.quants+nq]
		words := d[p.header:]
		for w := 0; w < p.words; w++ {
			var v int64
			for k := 0; k < p.lanes; k++ {
				v += int64(int8(q[p.order[p.lanes*w+k]])) << (shift * (p.lanes - 1 - k))
			}
			binary.LittleEndian.PutUint64(words[8*w:], uint64(v))
		}
	}
}

// swarOrder returns the element order with element f(w, k) in lane k of
// word w.
func swarOrder(n, lanes int, f func(w, k int) int) []uint8 {
	o := make([]uint8, n)
	for w := 0; w < n/lanes; w++ {
		for k := 0; k < lanes; k++ {
			o[lanes*w+k] = uint8(f(w, k))
		}
	}
	return o
}

// The packings. "Consecutive" orders put elements in block order;
// "strided" ones gather l, l+8, l+16, l+24 of each 32-element sub-block
// (word 8s+l), and "pairs" gather l, l+8 of each 16-element group (word
// 8g+l), so that a word stays within one of ggml's lanes.
var (
	swarQ8_0Four   = newSwarPacking(Q8_0, 4, swarOrder(32, 4, func(w, k int) int { return 4*w + k }))
	swarQ8_1Four   = newSwarPacking(Q8_1, 4, swarOrder(32, 4, func(w, k int) int { return 4*w + k }))
	swarQ8_0Two    = newSwarPacking(Q8_0, 2, swarOrder(32, 2, func(w, k int) int { return 2*w + k }))
	swarQ8KFour    = newSwarPacking(Q8_K, 4, swarOrder(QK_K, 4, func(w, k int) int { return 4*w + k }))
	swarQ8KTwo     = newSwarPacking(Q8_K, 2, swarOrder(QK_K, 2, func(w, k int) int { return 2*w + k }))
	swarQ8KStrided = newSwarPacking(Q8_K, 4, swarOrder(QK_K, 4, func(w, k int) int { return 32*(w/8) + w%8 + 8*k }))
)
