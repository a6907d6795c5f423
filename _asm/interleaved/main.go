// Command interleaved writes tensor/matmul_repacked_amd64.s: the AVX-512
// VNNI kernels for Q4_0, Q8_0, Q4_K and Q6_K weights repacked sixteen rows at a
// time (see tensor/repack.go and the repack_<type>.go files beside it).
//
// Run it from this directory with
// `go run . -out ../../tensor/matmul_repacked_amd64.s -stubs ../../tensor/matmul_repacked_stubs_amd64.go`.
// It is its own module so that nothing of it reaches herd's dependencies.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

// maxTokens is the most activation rows one Q4_0 routine handles (the
// tensor package's kernelTile); Q8_0's take one or two, as their eight
// accumulators per row fill the registers.
const (
	maxTokens     = 8
	maxTokensQ8_0 = 2
)

// q4_0Ahead is how many blocks ahead the Q4_0 batch kernels prefetch.
const q4_0Ahead = 24

// Layout of one Q4_0 packed block of sixteen rows (288 bytes): the rows' sixteen
// f16 scales, then four chunks of 64 bytes, chunk k holding bytes 4k..4k+3
// of each row's sixteen quant bytes, row r at 4r. The low nibbles of chunk k
// are elements 4k..4k+3 of each row, the high nibbles elements 16+4k..19+4k.
const (
	packedBlock = 288
	chunkBase   = 32
)

// Layout of one Q4_0 activation block (40 bytes): float32 scale d, int32 -8·Σq,
// then the 32 int8 quants.
const (
	actBlock  = 40
	actScale  = 0
	actSum    = 4
	actQuants = 8
)

// Registers: DI the weight cursor, SI the activation cursor of rows 0..3,
// R10 that of rows 4..7, R8 the activation stride and R9 three strides, CX
// the block counter, DX the result pointer and R11 the result stride in
// bytes. Z0..Z7 hold the block's sixteen rows of quants as unsigned bytes
// (Zk elements 4k..4k+3, Z(4+k) elements 16+4k..19+4k), Z8 the sixteen row
// scales, Z16.. one float32 accumulator per activation row, Z31 bytes 0x0f.
type gen struct{ b bytes.Buffer }

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.b, format+"\n", args...) }
func (g *gen) i(format string, args ...any) { g.p("\t"+format, args...) }

// token returns activation row t's address with displacement off.
func token(t, off int) string {
	base := "SI"
	if t >= 4 {
		base = "R10"
	}
	switch t % 4 {
	case 0:
		return fmt.Sprintf("%d(%s)", off, base)
	case 1:
		return fmt.Sprintf("%d(%s)(R8*1)", off, base)
	case 2:
		return fmt.Sprintf("%d(%s)(R8*2)", off, base)
	}
	return fmt.Sprintf("%d(%s)(R9*1)", off, base)
}

func routineName(typ string, nx int) string { return fmt.Sprintf("%sx16x%dVNNI", typ, nx) }

// prologue starts a routine without a frame and loads its arguments.
func (g *gen) prologue(name string, nx int) {
	g.p("// func %s(w, x *byte, nb, xStride int, out *float32, outStride int)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-48", name)
	g.args(nx)
}

// Layout of one Q8_0 packed block (544 bytes): sixteen f16 scales, then
// eight chunks of 64 bytes, chunk l holding elements 4l..4l+3 of each row
// plus 128. One activation block (68 bytes): float32 scale, eight int32
// lane corrections -128·Σy, the 32 quants.
const (
	q8Block  = 544
	q8Act    = 68
	q8Corr   = 4
	q8Quants = 36
	q8Chunks = 32
)

// prefetch asks for the size bytes at ahead(DI), a line at a time.
func (g *gen) prefetch(ahead, size int) {
	for off := 0; off < size; off += 64 {
		g.i("PREFETCHT0 %d(DI)", ahead+off)
	}
}

// store writes the sixteen results of activation row t, in Z(reg), to the
// next output row (DX advances by the output stride R11 after row 0).
func (g *gen) store(t, reg int) {
	if t > 0 {
		g.i("ADDQ R11, DX")
	}
	g.i("VMOVUPS Z%d, (DX)", reg)
}

// hsum8 adds the eight float32 lane registers Z(a)..Z(a+7) into Z(a) as
// ggml's hsum_float_8 adds lanes: ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
func (g *gen) hsum8(a int) {
	for l := 0; l < 4; l++ {
		g.i("VADDPS Z%d, Z%d, Z%d", a+4+l, a+l, a+l)
	}
	g.i("VADDPS Z%d, Z%d, Z%d", a+2, a, a)
	g.i("VADDPS Z%d, Z%d, Z%d", a+3, a+1, a+1)
	g.i("VADDPS Z%d, Z%d, Z%d", a+1, a, a)
}

// routineQ8_0 emits the Q8_0 kernel for nx (1 or 2) activation rows: Z0..Z7
// the block's chunks, Z8 the row scales, Z16+8t+l the float32 sums of lane
// l of row t, Z9 the scale products and Z10..Z15 the lanes' integer sums.
func (g *gen) routineQ8_0(nx int) {
	g.prologue(routineName("q8_0", nx), nx)
	for t := 0; t < nx; t++ {
		for l := 0; l < 8; l++ {
			a := 16 + 8*t + l
			g.i("VPXORD Z%d, Z%d, Z%d", a, a, a)
		}
	}
	g.p("loop:")
	g.i("VCVTPH2PS (DI), Z8")
	for l := 0; l < 8; l++ {
		g.i("VMOVDQU64 %d(DI), Z%d", q8Chunks+64*l, l)
	}
	for t := 0; t < nx; t++ {
		g.i("VMULPS.BCST %s, Z8, Z9", token(t, 0))
		for l := 0; l < 8; l++ {
			s := 10 + l%6
			g.i("VPBROADCASTD %s, Z%d", token(t, q8Corr+4*l), s)
			g.i("VPDPBUSD.BCST %s, Z%d, Z%d", token(t, q8Quants+4*l), l, s)
			g.i("VCVTDQ2PS Z%d, Z%d", s, s)
			g.i("VFMADD231PS Z9, Z%d, Z%d", s, 16+8*t+l)
		}
	}
	g.i("ADDQ $%d, DI", q8Block)
	g.i("ADDQ $%d, SI", q8Act)
	g.i("DECQ CX")
	g.i("JNZ loop")
	for t := 0; t < nx; t++ {
		g.hsum8(16 + 8*t)
		g.store(t, 16+8*t)
	}
	g.i("VZEROUPPER")
	g.i("RET")
	g.p("")
}

// Layout of one Q4_K packed super-block (see tensor/repack_q4_k.go) and
// its activation block.
const (
	q4KBlock   = 2368
	q4KMins    = 192
	q4KScales  = 64
	q4KQuants  = 320
	q4KAct     = 276
	q4KActPair = 4
	q4KActQ    = 20
)

// args loads the arguments of an nx-row kernel (see the register list
// above gen).
func (g *gen) args(nx int) {
	g.i("MOVQ w+0(FP), DI")
	g.i("MOVQ x+8(FP), SI")
	g.i("MOVQ nb+16(FP), CX")
	g.i("MOVQ xStride+24(FP), R8")
	g.i("MOVQ out+32(FP), DX")
	g.i("MOVQ outStride+40(FP), R11")
	g.i("SHLQ $2, R11")
	g.i("LEAQ (R8)(R8*2), R9")
	if nx > 4 {
		g.i("LEAQ (SI)(R8*4), R10")
	}
}

// laneMulAdd emits, for the lane-at-a-time K-quant kernels, one chunk's
// multiply-adds with every activation row: Z(quants) unsigned bytes (and
// the activations signed) when unsigned is set, signed bytes against
// unsigned activations otherwise, the activation word of row t at word(t)
// broadcast, the pair sums scaled by the int16 pairs in Z(scales) into
// Z(acc+t). tmp rotates the broadcast and product registers (Z21..Z28).
func (g *gen) laneMulAdd(nx int, tmp *int, quants int, unsigned bool, scales, acc int, word func(t int) string) {
	for t := 0; t < nx; t++ {
		y, p := 21+2*(*tmp%4), 22+2*(*tmp%4)
		*tmp++
		g.i("VPBROADCASTD %s, Z%d", word(t), y)
		if unsigned {
			g.i("VPMADDUBSW Z%d, Z%d, Z%d", y, quants, p)
		} else {
			g.i("VPMADDUBSW Z%d, Z%d, Z%d", quants, y, p)
		}
		g.i("VPDPWSSD Z%d, Z%d, Z%d", scales, p, acc+t)
	}
}

// laneEnd emits the end of lane l of a lane-at-a-time kernel: each row's
// integer accumulators added, converted and added into its float32 lane in
// the frame, scaled by Z(8+t).
func (g *gen) laneEnd(nx, accs, l int) {
	for t := 0; t < nx; t++ {
		for a := 1; a < accs; a++ {
			g.i("VPADDD Z%d, Z%d, Z%d", a*nx+t, t, t)
		}
		g.i("VCVTDQ2PS Z%d, Z%d", t, t)
		g.i("VFMADD213PS %d(SP), Z%d, Z%d", 512*t+64*l, 8+t, t)
		g.i("VMOVUPS Z%d, %d(SP)", t, 512*t+64*l)
	}
}

// laneSum moves DX to row t's results (after row 0) and adds up its eight
// float32 lanes from the frame into Z16 as hsum8 does.
func (g *gen) laneSum(t int) {
	if t > 0 {
		g.i("ADDQ R11, DX")
	}
	for l := 0; l < 8; l++ {
		g.i("VMOVUPS %d(SP), Z%d", 512*t+64*l, 16+l)
	}
	g.hsum8(16)
}

// laneLoopEnd emits the step to the next super-block (block bytes of
// weights, act bytes of each activation row) and the loop's branch.
func (g *gen) laneLoopEnd(nx, block, act int) {
	g.i("ADDQ $%d, DI", block)
	g.i("ADDQ $%d, SI", act)
	if nx > 4 {
		g.i("ADDQ $%d, R10", act)
	}
	g.i("DECQ CX")
	g.i("JNZ loop")
}

// routineQ4_K1 emits the Q4_K kernel for one activation row (decoding,
// where it streams the weights faster than the lane-at-a-time form): per
// super-block, Z0..Z7 the eight integer lane sums, Z8 and Z9 the scales
// of a pair of sub-blocks as int16 pairs, Z16..Z23 the float32 lanes and
// Z24..Z27 the float32 sums of the mins, Z31 bytes 0x0f.
func (g *gen) routineQ4_K1() {
	g.prologue(routineName("q4_K", 1), 1)
	g.i("MOVL $0x0f0f0f0f, AX")
	g.i("VPBROADCASTD AX, Z31")
	for a := 16; a < 28; a++ {
		g.i("VPXORD Z%d, Z%d, Z%d", a, a, a)
	}
	g.p("loop:")
	for l := 0; l < 8; l++ {
		g.i("VPXORD Z%d, Z%d, Z%d", l, l, l)
	}
	for j := 0; j < 4; j++ {
		for h, sc := range []int{8, 9} {
			g.i("VPMOVZXBD %d(DI), Z%d", q4KScales+16*(2*j+h), sc)
			g.i("VPSLLD $16, Z%d, Z29", sc)
			g.i("VPORD Z29, Z%d, Z%d", sc, sc)
		}
		for l := 0; l < 8; l++ {
			g.i("VMOVDQU64 %d(DI), Z10", q4KQuants+64*(8*j+l))
			g.i("VPANDD Z31, Z10, Z11")
			g.i("VPSRLW $4, Z10, Z10")
			g.i("VPANDD Z31, Z10, Z12")
			g.i("VPBROADCASTD %d(SI), Z13", q4KActQ+32*(2*j)+4*l)
			g.i("VPMADDUBSW Z13, Z11, Z14")
			g.i("VPDPWSSD Z8, Z14, Z%d", l)
			g.i("VPBROADCASTD %d(SI), Z15", q4KActQ+32*(2*j+1)+4*l)
			g.i("VPMADDUBSW Z15, Z12, Z28")
			g.i("VPDPWSSD Z9, Z28, Z%d", l)
		}
	}
	// The mins: -(d(y)·dmin) against the pairs of sub-block sums.
	g.i("VCVTPH2PS 32(DI), Z30")
	g.i("VMULPS.BCST (SI), Z30, Z30")
	g.i("MOVL $0x80000000, AX")
	g.i("VPBROADCASTD AX, Z29")
	g.i("VPXORD Z29, Z30, Z30")
	for k := 0; k < 4; k++ {
		g.i("VPMOVZXBD %d(DI), Z13", q4KMins+16*(2*k))
		g.i("VPMOVZXBD %d(DI), Z14", q4KMins+16*(2*k+1))
		g.i("VPSLLD $16, Z14, Z14")
		g.i("VPORD Z14, Z13, Z13")
		g.i("VPXORD Z14, Z14, Z14")
		g.i("VPDPWSSD.BCST %d(SI), Z13, Z14", q4KActPair+4*k)
		g.i("VCVTDQ2PS Z14, Z14")
		g.i("VFMADD231PS Z30, Z14, Z%d", 24+k)
	}
	g.i("VCVTPH2PS (DI), Z29")
	g.i("VMULPS.BCST (SI), Z29, Z29")
	for l := 0; l < 8; l++ {
		g.i("VCVTDQ2PS Z%d, Z%d", l, l)
		g.i("VFMADD231PS Z29, Z%d, Z%d", l, 16+l)
	}
	g.i("ADDQ $%d, DI", q4KBlock)
	g.i("ADDQ $%d, SI", q4KAct)
	g.i("DECQ CX")
	g.i("JNZ loop")
	// hsum_float_8 of the lanes plus ((m0+m2)+(m1+m3)).
	g.hsum8(16)
	g.i("VADDPS Z26, Z24, Z24")
	g.i("VADDPS Z27, Z25, Z25")
	g.i("VADDPS Z25, Z24, Z24")
	g.i("VADDPS Z24, Z16, Z16")
	g.i("VMOVUPS Z16, (DX)")
	g.i("VZEROUPPER")
	g.i("RET")
	g.p("")
}

// routineQ4_K emits the Q4_K kernel for nx ≥ 2 activation rows, a lane at
// a time like the Q6_K kernel (see routineQ6_K). Each super-block starts by
// widening the eight sub-blocks' scales to pairs of int16 in the frame
// (sub-block s at 768nx+64s(SP)) and adding the mins against the pairs of
// sub-block sums into the rows' four float32 min lanes (row t's lane k at
// 512nx+256t+64k(SP)); then, per lane l, the four chunks 8j+l give the
// words of sub-blocks 2j (low nibbles) and 2j+1 (high nibbles), multiplied
// with every row's words into its integer sums, which are converted and
// added into the float32 lanes (row t's lane l at 512t+64l(SP)).
//
// Z(a·nx+t) are row t's integer accumulators (a < laneAccs(nx)), Z8+t its
// scale products d·d(y), Z16 and Z17 the two sub-blocks' scale pairs, Z18
// a chunk, Z19 and Z20 its low and high nibbles, Z21..Z28 broadcast words
// and products, Z30 the float32 sign bit, Z31 bytes 0x0f.
func (g *gen) routineQ4_K(nx int) {
	name := routineName("q4_K", nx)
	accs := laneAccs(nx)
	mins, scales := 512*nx, 768*nx
	g.p("// func %s(w, x *byte, nb, xStride int, out *float32, outStride int)", name)
	g.p("TEXT ·%s(SB), $%d-48", name, scales+512)
	g.args(nx)
	g.i("MOVL $0x0f0f0f0f, AX")
	g.i("VPBROADCASTD AX, Z31")
	g.i("MOVL $0x80000000, AX")
	g.i("VPBROADCASTD AX, Z30")
	g.i("VPXORD Z0, Z0, Z0")
	for off := 0; off < scales; off += 64 {
		g.i("VMOVUPS Z0, %d(SP)", off)
	}
	g.p("loop:")
	for sb := 0; sb < 8; sb++ {
		g.i("VPMOVZXBD %d(DI), Z16", q4KScales+16*sb)
		g.i("VPSLLD $16, Z16, Z17")
		g.i("VPORD Z17, Z16, Z16")
		g.i("VMOVDQU64 Z16, %d(SP)", scales+64*sb)
	}
	// The mins: -(d(y)·dmin) against the pairs of sub-block sums, the
	// pairs of mins in Z0..Z3.
	for k := 0; k < 4; k++ {
		g.i("VPMOVZXBD %d(DI), Z%d", q4KMins+16*(2*k), k)
		g.i("VPMOVZXBD %d(DI), Z17", q4KMins+16*(2*k+1))
		g.i("VPSLLD $16, Z17, Z17")
		g.i("VPORD Z17, Z%d, Z%d", k, k)
	}
	g.i("VCVTPH2PS 32(DI), Z4")
	for t := 0; t < nx; t++ {
		g.i("VMULPS.BCST %s, Z4, Z5", token(t, 0))
		g.i("VPXORD Z30, Z5, Z5")
		for k := 0; k < 4; k++ {
			p := 16 + k
			g.i("VPXORD Z%d, Z%d, Z%d", p, p, p)
			g.i("VPDPWSSD.BCST %s, Z%d, Z%d", token(t, q4KActPair+4*k), k, p)
			g.i("VCVTDQ2PS Z%d, Z%d", p, p)
			g.i("VFMADD213PS %d(SP), Z5, Z%d", mins+256*t+64*k, p)
			g.i("VMOVUPS Z%d, %d(SP)", p, mins+256*t+64*k)
		}
	}
	g.i("VCVTPH2PS (DI), Z16")
	for t := 0; t < nx; t++ {
		g.i("VMULPS.BCST %s, Z16, Z%d", token(t, 0), 8+t)
	}
	tmp := 0
	for l := 0; l < 8; l++ {
		if nx >= 2 {
			// Batches are compute-bound: ask for the next super-block an
			// eighth at a time while this one is worked on.
			g.prefetch(q4KBlock+l*q4KBlock/8, q4KBlock/8)
		}
		for a := 0; a < accs*nx; a++ {
			g.i("VPXORD Z%d, Z%d, Z%d", a, a, a)
		}
		for j := 0; j < 4; j++ {
			g.i("VMOVDQU64 %d(DI), Z18", q4KQuants+64*(8*j+l))
			g.i("VPANDD Z31, Z18, Z19")
			g.i("VPSRLW $4, Z18, Z20")
			g.i("VPANDD Z31, Z20, Z20")
			g.i("VMOVDQU64 %d(SP), Z16", scales+64*(2*j))
			g.i("VMOVDQU64 %d(SP), Z17", scales+64*(2*j+1))
			for h := 0; h < 2; h++ {
				g.laneMulAdd(nx, &tmp, 19+h, true, 16+h, ((2*j+h)%accs)*nx, func(t int) string { return token(t, q4KActQ+32*(2*j+h)+4*l) })
			}
		}
		g.laneEnd(nx, accs, l)
	}
	g.laneLoopEnd(nx, q4KBlock, q4KAct)
	// hsum_float_8 of the lanes plus ((m0+m2)+(m1+m3)).
	for t := 0; t < nx; t++ {
		g.laneSum(t)
		for k := 0; k < 4; k++ {
			g.i("VMOVUPS %d(SP), Z%d", mins+256*t+64*k, 24+k)
		}
		g.i("VADDPS Z26, Z24, Z24")
		g.i("VADDPS Z27, Z25, Z25")
		g.i("VADDPS Z25, Z24, Z24")
		g.i("VADDPS Z24, Z16, Z16")
		g.i("VMOVUPS Z16, (DX)")
	}
	g.i("VZEROUPPER")
	g.i("RET")
	g.p("")
}

// Layout of one Q6_K packed super-block (see tensor/repack_q6_k.go) and
// its activation block.
const (
	q6KBlock   = 3872
	q6KScales  = 32
	q6KLanes   = 288
	q6KLane    = 448
	q6KLaneLow = 64
	q6KLaneHi  = 320
	q6KAct     = 260
	q6KActQ    = 4
)

// maxTokensQ6_K and maxTokensQ4_K are the most activation rows one K-quant
// routine takes, as many as Q4_0's: the integer lane sums are kept one lane
// at a time.
const (
	maxTokensQ6_K = 8
	maxTokensQ4_K = 8
)

// laneAccs is the number of integer accumulators per activation row of the
// nx-row K-quant routines: one when there are rows enough to keep the
// multiply-adds' latency covered, more (added at the end of a lane) for
// fewer rows.
func laneAccs(nx int) int { return min(4, max(1, 8/nx)) }

// routineQ6_K emits the Q6_K kernel for nx activation rows. Each
// super-block starts by widening the sixteen sub-blocks' scales to pairs
// of int16 in the frame (sub-block s at 512nx+64s(SP)); then it takes the
// eight lanes in turn: a lane's eight chunks are rebuilt from their low
// nibbles and high bits, each multiplied with every row's word into the
// rows' integer sums, which are then converted and added into the float32
// lanes in the frame (row t's lane l at 512t+64l(SP)).
//
// Z(a·nx+t) are row t's integer accumulators (a < laneAccs(nx)), Z8+t its
// scale products d·d(y), Z16 the chunk's scale pairs, Z17 the chunk's
// quants, Z18 the low-nibble vector, Z19 the high-bit vector, Z20 the high
// bits in place, Z21..Z28 broadcast words and products, Z29 bytes 0x0f,
// Z30 bytes 0x30, Z31 bytes 0x20.
func (g *gen) routineQ6_K(nx int) {
	name := routineName("q6_K", nx)
	accs := laneAccs(nx)
	scales := 512 * nx
	g.p("// func %s(w, x *byte, nb, xStride int, out *float32, outStride int)", name)
	g.p("TEXT ·%s(SB), $%d-48", name, scales+1024)
	g.args(nx)
	for _, c := range []struct {
		v   string
		reg int
	}{{"0x0f0f0f0f", 29}, {"0x30303030", 30}, {"0x20202020", 31}} {
		g.i("MOVL $%s, AX", c.v)
		g.i("VPBROADCASTD AX, Z%d", c.reg)
	}
	g.i("VPXORD Z0, Z0, Z0")
	for off := 0; off < 512*nx; off += 64 {
		g.i("VMOVUPS Z0, %d(SP)", off)
	}
	g.p("loop:")
	// Scale pairs: each row's int8 scale sign-extended to 32 bits, its
	// low half then shifted into the high one and the two halves joined.
	g.i("MOVL $0x0000ffff, AX")
	g.i("VPBROADCASTD AX, Z18")
	for s := 0; s < 16; s++ {
		g.i("VPMOVSXBD %d(DI), Z17", q6KScales+16*s)
		g.i("VPSLLD $16, Z17, Z20")
		g.i("VPTERNLOGD $0xd8, Z18, Z17, Z20") // Z18 ? Z17 : Z20
		g.i("VMOVDQU64 Z20, %d(SP)", scales+64*s)
	}
	g.i("VCVTPH2PS (DI), Z17")
	for t := 0; t < nx; t++ {
		g.i("VMULPS.BCST %s, Z17, Z%d", token(t, 0), 8+t)
	}
	tmp := 0
	for l := 0; l < 8; l++ {
		lane := q6KLanes + q6KLane*l
		if nx >= 2 {
			// Batches are compute-bound: ask for the next super-block an
			// eighth at a time while this one is worked on.
			g.prefetch(q6KBlock+l*q6KBlock/8, (q6KBlock/8+63)/64*64)
		}
		for t := 0; t < nx; t++ {
			// The first accumulator starts at -K(l), the others at 0.
			g.i("VMOVDQU32 %d(DI), Z%d", lane, t)
			for a := 1; a < accs; a++ {
				r := a*nx + t
				g.i("VPXORD Z%d, Z%d, Z%d", r, r, r)
			}
		}
		for c := 0; c < 8; c++ {
			w := 8*c + l
			if c%2 == 0 {
				g.i("VMOVDQU64 %d(DI), Z18", lane+q6KLaneLow+64*(c/2))
				g.i("VPANDD Z29, Z18, Z17")
			} else {
				g.i("VPSRLW $4, Z18, Z17")
				g.i("VPANDD Z29, Z17, Z17")
			}
			if c%4 == 0 {
				g.i("VMOVDQU64 %d(DI), Z19", lane+q6KLaneHi+64*(c/4))
			}
			high := 20
			switch c % 4 {
			case 0:
				g.i("VPSLLW $4, Z19, Z20")
			case 1:
				g.i("VPSLLW $2, Z19, Z20")
			case 2:
				high = 19
			case 3:
				g.i("VPSRLW $2, Z19, Z20")
			}
			// quants = (high & 0x30 | low) - 32
			g.i("VPTERNLOGD $0xf8, Z30, Z%d, Z17", high)
			g.i("VPSUBB Z31, Z17, Z17")
			g.i("VMOVDQU64 %d(SP), Z16", scales+64*(w/4))
			g.laneMulAdd(nx, &tmp, 17, false, 16, (c%accs)*nx, func(t int) string { return token(t, q6KActQ+4*w) })
		}
		g.laneEnd(nx, accs, l)
	}
	g.laneLoopEnd(nx, q6KBlock, q6KAct)
	for t := 0; t < nx; t++ {
		g.laneSum(t)
		g.i("VMOVUPS Z16, (DX)")
	}
	g.i("VZEROUPPER")
	g.i("RET")
	g.p("")
}

// routine emits the Q4_0 kernel for nx activation rows.
func (g *gen) routine(nx int) {
	name := routineName("q4_0", nx)
	g.prologue(name, nx)
	g.i("MOVL $0x0f0f0f0f, AX")
	g.i("VPBROADCASTD AX, Z31")
	for t := 0; t < nx; t++ {
		g.i("VPXORD Z%d, Z%d, Z%d", 16+t, 16+t, 16+t)
	}
	g.p("loop:")
	if nx >= 4 {
		// Batches are compute-bound: ask for the block 24 ahead (about
		// 7 KB, a few hundred nanoseconds of work) while this one is
		// worked on, so that it arrives from memory in time.
		g.prefetch(q4_0Ahead*packedBlock, packedBlock)
	}
	g.i("VCVTPH2PS (DI), Z8")
	for k := 0; k < 4; k++ {
		g.i("VMOVDQU64 %d(DI), Z9", chunkBase+64*k)
		g.i("VPANDD Z31, Z9, Z%d", k)
		g.i("VPSRLW $4, Z9, Z9")
		g.i("VPANDD Z31, Z9, Z%d", 4+k)
	}
	for t := 0; t < nx; t++ {
		a, b, f := 24+3*(t%2), 25+3*(t%2), 26+3*(t%2)
		g.i("VPBROADCASTD %s, Z%d", token(t, actSum), a)
		g.i("VPXORD Z%d, Z%d, Z%d", b, b, b)
		for j := 0; j < 8; j++ {
			// Word j of the activation quants is elements 4j..4j+3:
			// Zj for j < 4, Z(4+j-4) for the high nibbles.
			dst := a
			if j%2 == 1 {
				dst = b
			}
			g.i("VPDPBUSD.BCST %s, Z%d, Z%d", token(t, actQuants+4*j), j, dst)
		}
		g.i("VPADDD Z%d, Z%d, Z%d", b, a, a)
		g.i("VCVTDQ2PS Z%d, Z%d", a, a)
		g.i("VMULPS.BCST %s, Z8, Z%d", token(t, actScale), f)
		g.i("VFMADD231PS Z%d, Z%d, Z%d", f, a, 16+t)
	}
	g.i("ADDQ $%d, DI", packedBlock)
	g.i("ADDQ $%d, SI", actBlock)
	if nx > 4 {
		g.i("ADDQ $%d, R10", actBlock)
	}
	g.i("DECQ CX")
	g.i("JNZ loop")
	for t := 0; t < nx; t++ {
		g.store(t, 16+t)
	}
	g.i("VZEROUPPER")
	g.i("RET")
	g.p("")
}

// stubs returns the Go declarations of the routines.
func stubs() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by _asm/interleaved; DO NOT EDIT.\n\n//go:build !purego\n\npackage tensor\n\n")
	for _, f := range []struct {
		typ, act string
		max      int
	}{{"q4_0", "Q8_0 blocks with sums", maxTokens}, {"q8_0", "Q8_0 blocks with lane corrections", maxTokensQ8_0}, {"q4_K", "Q8_K blocks with sub-block sum pairs", maxTokensQ4_K}, {"q6_K", "Q8_K quants plus 128", maxTokensQ6_K}} {
		for nx := 1; nx <= f.max; nx++ {
			name := routineName(f.typ, nx)
			fmt.Fprintf(&b, `// %s multiplies nb blocks of sixteen repacked %s rows at w
// with %d activation row(s) of %s, row t at
// x[t*xStride]; it is %sx16Go for nx = %d.
//
//go:noescape
func %s(w, x *byte, nb, xStride int, out *float32, outStride int)

`, name, strings.ToUpper(f.typ), nx, f.act, f.typ, nx, name)
		}
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	return src
}

func main() {
	out := flag.String("out", "", "assembly output file (default standard output)")
	stubsOut := flag.String("stubs", "", "Go declarations output file")
	flag.Parse()
	var g gen
	g.p("// Code generated by _asm/interleaved; DO NOT EDIT.")
	g.p("")
	g.p("//go:build !purego")
	g.p("")
	g.p("#include \"textflag.h\"")
	g.p("")
	for nx := 1; nx <= maxTokens; nx++ {
		g.routine(nx)
	}
	for nx := 1; nx <= maxTokensQ8_0; nx++ {
		g.routineQ8_0(nx)
	}
	g.routineQ4_K1()
	for nx := 2; nx <= maxTokensQ4_K; nx++ {
		g.routineQ4_K(nx)
	}
	for nx := 1; nx <= maxTokensQ6_K; nx++ {
		g.routineQ6_K(nx)
	}
	if *stubsOut != "" {
		if err := os.WriteFile(*stubsOut, stubs(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if *out == "" {
		os.Stdout.Write(g.b.Bytes())
		return
	}
	if err := os.WriteFile(*out, g.b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
