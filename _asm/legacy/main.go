// Command legacy writes tensor/vecdot_legacy_amd64.s: the amd64 assembly
// kernels for the 32-element block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and
// IQ4_NL weights against Q8_0 or Q8_1 activations).
//
// Run it from this directory with `go run . -out ../../tensor/vecdot_legacy_amd64.s`.
// It is its own module so that nothing of it reaches herd's dependencies.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
)

// format describes one weight format's block layout.
type format struct {
	name     string // Go name part: Q4_0 ...
	block    int    // bytes per weight block
	act      int    // bytes per activation block (34: Q8_0, 36: Q8_1)
	unsigned bool   // quants are 0..15 or 0..31 and meet activations directly; a min term m·s is added
	scalar   bool   // one float32 sum per token with one fused multiply-add per block (Q4_0)
	pairs    bool   // even and odd blocks go to separate lanes, an odd last block is a scalar (IQ4_NL)
}

var formats = []format{
	{name: "Q4_0", block: 18, act: 34, scalar: true},
	{name: "Q4_1", block: 20, act: 36, unsigned: true},
	{name: "Q5_0", block: 22, act: 34},
	{name: "Q5_1", block: 24, act: 36, unsigned: true},
	{name: "Q8_0", block: 34, act: 34},
	{name: "IQ4_NL", block: 18, act: 34, pairs: true},
}

// isa is an instruction set variant.
type isa struct {
	name string // AVX2 or VNNI
	vnni bool
}

var isas = []isa{{"AVX2", false}, {"VNNI", true}}

// Registers. The token pointers are R8..R11; the weight cursor SI; the block
// counter CX; the result pointer DI.
const (
	regOnes  = "Y15" // AVX2: words of 1 for VPMADDWD; VNNI: bytes 0x80
	regMask  = "Y14" // bytes 0x0f
	regConst = "Y13" // bytes 8 (Q4_0) or the IQ4_NL codebook
	regScale = "Y12" // the weight block's scale (and min) as float32
	regWA    = "Y11" // AVX2: |w| (or unsigned q); VNNI: -128·Σw per lane (or unsigned q)
	regWS    = "Y10" // signed weights
	regT1    = "Y8"
	regT2    = "Y9"
)

var tokenBase = []string{"R8", "R9", "R10", "R11"}

// tokenPtr names the activation row t's pointer: R8..R11 for rows 0..3,
// row t-4's pointer plus 4·xStride for rows 4..7.
func tokenPtr(t int) string {
	if t < 4 {
		return tokenBase[t]
	}
	return tokenBase[t-4] + "|DX*4"
}

// mem is the memory operand off(ptr).
func mem(ptr string, off int) string {
	base, index, ok := strings.Cut(ptr, "|")
	if ok {
		return fmt.Sprintf("%d(%s)(%s)", off, base, index)
	}
	return fmt.Sprintf("%d(%s)", off, base)
}

func acc(t int) string { return fmt.Sprintf("Y%d", t) }

// acc2 is row t's second accumulator (odd blocks or the min term): Y4..Y7
// for up to four rows, Y16..Y23 (AVX-512 only) for eight.
func acc2(t, nx int) string {
	if nx > 4 {
		return fmt.Sprintf("Y%d", 16+t)
	}
	return fmt.Sprintf("Y%d", 4+t)
}

// zero clears register r.
func (g *gen) zero(r string) {
	if r >= "Y16" && len(r) == 3 {
		g.i("VPXORD %s, %s, %s", r, r, r)
		return
	}
	g.i("VXORPS %s, %s, %s", r, r, r)
}
func x(y string) string { return "X" + y[1:] }

type gen struct {
	b bytes.Buffer
	// q4Unsigned makes the Q4_0 VNNI code multiply the unsigned nibbles q
	// by x and subtract 8·Σx per lane, instead of offsetting x by 128:
	// fewer instructions per block for one row, more per row for several.
	q4Unsigned bool
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.b, format+"\n", args...) }
func (g *gen) i(format string, args ...any) { g.p("\t"+format, args...) }

// nibbles loads 16 bytes of nibble pairs at off(SI) into dst as 32 bytes
// 0..15: low nibbles (elements 0..15), then high nibbles (16..31).
func (g *gen) nibbles(off int, dst string) {
	g.i("VMOVDQU %d(SI), %s", off, x(dst))
	g.i("VPSRLW $4, %s, %s", x(dst), x(regT2))
	g.i("VINSERTI128 $1, %s, %s, %s", x(regT2), dst, dst)
	g.i("VPAND %s, %s, %s", regMask, dst, dst)
}

// fifthBits sets T2 to 0xff in each byte whose bit of the 32-bit word at
// off(SI) is set.
func (g *gen) fifthBits(off int) {
	g.i("VPBROADCASTD %d(SI), %s", off, regT2)
	g.i("VPSHUFB legacyBitShuf<>(SB), %s, %s", regT2, regT2)
	g.i("VPAND legacyBitSel<>(SB), %s, %s", regT2, regT2)
	g.i("VPCMPEQB legacyBitSel<>(SB), %s, %s", regT2, regT2)
}

// decode turns the weight block at off(SI) into regWS (signed) or regWA
// (unsigned), prepares what the token steps need and, with scale, sets
// regScale.
func (g *gen) decode(f format, is isa, off int, scale bool) {
	switch f.name {
	case "Q4_0":
		if g.q4Unsigned {
			g.nibbles(off+2, regWA)
			break
		}
		g.nibbles(off+2, regT1)
		g.i("VPSUBB %s, %s, %s", regConst, regT1, regWS)
	case "Q4_1":
		g.nibbles(off+4, regWA)
	case "Q5_0":
		g.nibbles(off+6, regT1)
		g.fifthBits(off + 2)
		g.i("VPANDN legacyF0<>(SB), %s, %s", regT2, regT2)
		g.i("VPOR %s, %s, %s", regT2, regT1, regWS)
	case "Q5_1":
		g.nibbles(off+8, regT1)
		g.fifthBits(off + 4)
		g.i("VPAND legacy10<>(SB), %s, %s", regT2, regT2)
		g.i("VPOR %s, %s, %s", regT2, regT1, regWA)
	case "Q8_0":
		g.i("VMOVDQU %d(SI), %s", off+2, regWS)
	case "IQ4_NL":
		g.nibbles(off+2, regT1)
		g.i("VPSHUFB %s, %s, %s", regT1, regConst, regWS)
	}
	if !f.unsigned && !g.q4Unsigned {
		if is.vnni {
			// -128·Σw per lane: the products of (x+128) with w, plus this, are Σx·w.
			g.i("VPXOR %s, %s, %s", regT2, regT2, regT2)
			g.i("VPDPBUSD %s, %s, %s", regWS, regOnes, regT2)
			g.i("VPXOR %s, %s, %s", regWA, regWA, regWA)
			g.i("VPSUBD %s, %s, %s", regT2, regWA, regWA)
		} else {
			g.i("VPABSB %s, %s", regWS, regWA)
		}
	}
	if !scale {
		return
	}
	if f.unsigned {
		g.i("VPBROADCASTD %d(SI), %s", off, x(regScale))
	} else {
		g.i("VPBROADCASTW %d(SI), %s", off, x(regScale))
	}
	g.i("VCVTPH2PS %s, %s", x(regScale), regScale)
}

// lanes leaves in dst (not T2) the eight int32 lane sums (lane l: elements
// 4l..4l+3) of the decoded block with the activation block at off(ptr).
func (g *gen) lanes(f format, is isa, ptr string, off int, dst string) {
	q := off + 2
	if f.unsigned {
		q = off + 4
	}
	switch {
	case g.q4Unsigned:
		g.i("VPXOR %s, %s, %s", dst, dst, dst)
		g.i("VPDPBUSD %s, %s, %s", mem(ptr, q), regWA, dst)
		g.i("VPXOR %s, %s, %s", regT2, regT2, regT2)
		g.i("VPDPBUSD %s, %s, %s", mem(ptr, q), regConst, regT2)
		g.i("VPSUBD %s, %s, %s", regT2, dst, dst)
	case is.vnni && f.unsigned:
		g.i("VPXOR %s, %s, %s", dst, dst, dst)
		g.i("VPDPBUSD %s, %s, %s", mem(ptr, q), regWA, dst)
	case is.vnni:
		g.i("VPXOR %s, %s, %s", mem(ptr, q), regOnes, regT2)
		g.i("VMOVDQA %s, %s", regWA, dst)
		g.i("VPDPBUSD %s, %s, %s", regWS, regT2, dst)
	case f.unsigned:
		g.i("VPMADDUBSW %s, %s, %s", mem(ptr, q), regWA, dst)
		g.i("VPMADDWD %s, %s, %s", regOnes, dst, dst)
	default:
		g.i("VMOVDQU %s, %s", mem(ptr, q), dst)
		g.i("VPSIGNB %s, %s, %s", regWS, dst, dst)
		g.i("VPMADDUBSW %s, %s, %s", dst, regWA, dst)
		g.i("VPMADDWD %s, %s, %s", regOnes, dst, dst)
	}
}

// hsumInt adds the eight int32 lanes of T1 into lane 0 of X(T1).
func (g *gen) hsumInt() {
	t1, t2 := x(regT1), x(regT2)
	g.i("VEXTRACTI128 $1, %s, %s", regT1, t2)
	g.i("VPADDD %s, %s, %s", t2, t1, t1)
	g.i("VPSHUFD $0x4e, %s, %s", t1, t2)
	g.i("VPADDD %s, %s, %s", t2, t1, t1)
	g.i("VPSHUFD $0xb1, %s, %s", t1, t2)
	g.i("VPADDD %s, %s, %s", t2, t1, t1)
}

// tokenStep adds the block's contribution for token t (pointer ptr) into
// the accumulator a (and a2 for the min term).
func (g *gen) tokenStep(f format, is isa, ptr, a, a2 string) {
	g.lanes(f, is, ptr, 0, regT1)
	switch {
	case f.scalar:
		g.hsumInt()
		g.i("VCVTDQ2PS %s, %s", x(regT1), x(regT1))
		g.i("VPBROADCASTW %s, %s", mem(ptr, 0), x(regT2))
		g.i("VCVTPH2PS %s, %s", x(regT2), x(regT2))
		g.i("VMULSS %s, %s, %s", x(regScale), x(regT2), x(regT2))
		g.i("VFMADD231SS %s, %s, %s", x(regT2), x(regT1), x(a))
	case f.unsigned:
		g.i("VCVTDQ2PS %s, %s", regT1, regT1)
		g.i("VPBROADCASTD %s, %s", mem(ptr, 0), x(regT2))
		g.i("VCVTPH2PS %s, %s", x(regT2), regT2)
		g.i("VMULPS %s, %s, %s", regScale, regT2, regT2)
		g.i("VADDPS %s, %s, %s", regT2, a2, a2)
		g.i("VMOVSLDUP %s, %s", regT2, regT2)
		g.i("VFMADD231PS %s, %s, %s", regT2, regT1, a)
	default:
		g.i("VCVTDQ2PS %s, %s", regT1, regT1)
		g.i("VPBROADCASTW %s, %s", mem(ptr, 0), x(regT2))
		g.i("VCVTPH2PS %s, %s", x(regT2), regT2)
		g.i("VMULPS %s, %s, %s", regScale, regT2, regT2)
		g.i("VFMADD231PS %s, %s, %s", regT2, regT1, a)
	}
}

// tail sets X(a2) to d·Σ lanes for the block (IQ4_NL's odd last block).
func (g *gen) tail(f format, is isa, ptr, a2 string) {
	g.lanes(f, is, ptr, 0, regT1)
	g.hsumInt()
	g.i("VCVTDQ2PS %s, %s", x(regT1), x(regT1))
	g.i("VPBROADCASTW %s, %s", mem(ptr, 0), x(regT2))
	g.i("VCVTPH2PS %s, %s", x(regT2), x(regT2))
	g.i("VMULSS %s, %s, %s", x(regScale), x(regT2), x(regT2))
	g.i("VMULSS %s, %s, %s", x(regT2), x(regT1), x(a2))
}

// hsumFloat adds the eight lanes of a into lane 0 of X(a) as ggml's
// hsum_float_8 does: ((v0+v4)+(v2+v6)) + ((v1+v5)+(v3+v7)).
func (g *gen) hsumFloat(a string) {
	xa, t := x(a), x(regT2)
	g.i("VEXTRACTF128 $1, %s, %s", a, t)
	g.i("VADDPS %s, %s, %s", t, xa, xa)
	g.i("VMOVHLPS %s, %s, %s", xa, xa, t)
	g.i("VADDPS %s, %s, %s", t, xa, xa)
	g.i("VMOVSHDUP %s, %s", xa, t)
	g.i("VADDSS %s, %s, %s", t, xa, xa)
}

func (g *gen) advance(f format, nx int) {
	g.i("ADDQ $%d, SI", f.block)
	for t := 0; t < min(nx, 4); t++ {
		g.i("ADDQ $%d, %s", f.act, tokenBase[t])
	}
}

// rowCounts returns the activation row counts format f has routines for:
// eight rows need more than 16 vector registers unless the format keeps
// one accumulator per row.
func rowCounts(f format, is isa) []int {
	if is.vnni || !(f.unsigned || f.pairs) {
		return []int{1, 2, 4, 8}
	}
	return []int{1, 2, 4}
}

// routineName is the name of format f's routine for nx rows.
func routineName(f format, is isa, nx int) string {
	return fmt.Sprintf("legacy%sx%d%s", f.name, nx, is.name)
}

func (g *gen) routine(f format, is isa, nx int) {
	name := routineName(f, is, nx)
	g.p("// func %s(w, x *byte, nb, xStride int, out *float32, outStride int)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-48", name)
	g.i("MOVQ w+0(FP), SI")
	g.i("MOVQ x+8(FP), R8")
	g.i("MOVQ nb+16(FP), CX")
	g.i("MOVQ xStride+24(FP), DX")
	g.i("MOVQ out+32(FP), DI")
	g.i("MOVQ outStride+40(FP), R12")
	g.i("SHLQ $2, R12")
	for t := 1; t < min(nx, 4); t++ {
		g.i("LEAQ (%s)(DX*1), %s", tokenBase[t-1], tokenBase[t])
	}
	if is.vnni {
		g.i("VMOVDQU legacy80<>(SB), %s", regOnes)
	} else {
		g.i("VMOVDQU legacyOnes16<>(SB), %s", regOnes)
	}
	g.i("VMOVDQU legacy0F<>(SB), %s", regMask)
	switch f.name {
	case "Q4_0":
		g.i("VMOVDQU legacy08<>(SB), %s", regConst)
	case "IQ4_NL":
		g.i("VMOVDQU legacyIQ4NL<>(SB), %s", regConst)
	}
	for t := 0; t < nx; t++ {
		g.zero(acc(t))
		if f.unsigned || f.pairs {
			g.zero(acc2(t, nx))
		}
	}
	switch {
	case f.scalar && nx == 1:
		g.q4Unsigned = is.vnni
		g.scalarOne(f, is)
		g.q4Unsigned = false
	case f.scalar:
		g.scalarTile(f, is, nx)
	default:
		g.laneLoop(f, is, nx)
	}
	g.i("VZEROUPPER")
	g.i("RET")
	g.p("")
}

// store writes lane 0 of X(acc(t)) to token t's result.
func (g *gen) store(t, nx int) {
	g.i("VMOVSS %s, (DI)", x(acc(t)))
	if t+1 < nx {
		g.i("ADDQ R12, DI")
	}
}

// laneLoop is the block loop of the lane-wise formats.
func (g *gen) laneLoop(f format, is isa, nx int) {
	if f.pairs {
		g.i("MOVQ CX, BX")
		g.i("SHRQ $1, CX")
	}
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.p("loop:")
	g.decode(f, is, 0, true)
	for t := 0; t < nx; t++ {
		g.tokenStep(f, is, tokenPtr(t), acc(t), acc2(t, nx))
	}
	g.advance(f, nx)
	if f.pairs {
		g.decode(f, is, 0, true)
		for t := 0; t < nx; t++ {
			g.tokenStep(f, is, tokenPtr(t), acc2(t, nx), "")
		}
		g.advance(f, nx)
	}
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	if f.pairs {
		// even += odd; the odd accumulators then hold the tails.
		for t := 0; t < nx; t++ {
			g.i("VADDPS %s, %s, %s", acc2(t, nx), acc(t), acc(t))
			g.zero(acc2(t, nx))
		}
		g.i("TESTQ $1, BX")
		g.i("JZ sum")
		g.decode(f, is, 0, true)
		for t := 0; t < nx; t++ {
			g.tail(f, is, tokenPtr(t), acc2(t, nx))
		}
		g.p("sum:")
	}
	for t := 0; t < nx; t++ {
		g.hsumFloat(acc(t))
		if f.unsigned {
			g.i("VMOVSHDUP %s, %s", x(acc2(t, nx)), x(regT2))
			g.i("VADDSS %s, %s, %s", x(regT2), x(acc(t)), x(acc(t)))
		}
		if f.pairs {
			g.i("VADDSS %s, %s, %s", x(acc2(t, nx)), x(acc(t)), x(acc(t)))
		}
		g.store(t, nx)
	}
}

// scalarOne is Q4_0 for one row: two blocks per iteration, whose integer
// sums are reduced together, then fused one after the other into X0.
func (g *gen) scalarOne(f format, is isa) {
	g.i("MOVQ CX, BX")
	g.i("SHRQ $1, CX")
	g.i("JZ single")
	g.p("loop:")
	g.decode(f, is, 0, false)
	g.lanes(f, is, "R8", 0, "Y4")
	g.decode(f, is, f.block, false)
	g.lanes(f, is, "R8", f.act, "Y5")
	g.i("VPHADDD Y5, Y4, Y4")
	g.i("VEXTRACTI128 $1, Y4, X5")
	g.i("VPADDD X5, X4, X4")
	g.i("VPHADDD X4, X4, X4") // [sa, sb, sa, sb]
	g.i("VCVTDQ2PS X4, X4")
	g.i("MOVWLZX (SI), AX")
	g.i("VMOVD AX, X5")
	g.i("VPINSRW $1, %d(SI), X5, X5", f.block)
	g.i("VPINSRW $2, (R8), X5, X5")
	g.i("VPINSRW $3, %d(R8), X5, X5", f.act)
	g.i("VCVTPH2PS X5, X5") // [dwa, dwb, dxa, dxb]
	g.i("VMOVHLPS X5, X5, X6")
	g.i("VMULPS X6, X5, X5") // [da, db]
	g.i("VFMADD231SS X5, X4, X0")
	g.i("VMOVSHDUP X4, X4")
	g.i("VMOVSHDUP X5, X5")
	g.i("VFMADD231SS X5, X4, X0")
	g.i("ADDQ $%d, SI", 2*f.block)
	g.i("ADDQ $%d, R8", 2*f.act)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("single:")
	g.i("TESTQ $1, BX")
	g.i("JZ done")
	g.decode(f, is, 0, true)
	g.tokenStep(f, is, "R8", acc(0), "")
	g.p("done:")
	g.store(0, 1)
}

// scalarTile is Q4_0 for two or four rows: the rows' integer sums of a
// block are reduced together and fused into lane t of X0 at once.
func (g *gen) scalarTile(f format, is isa, nx int) {
	g.i("TESTQ CX, CX")
	g.i("JZ done")
	g.p("loop:")
	g.decode(f, is, 0, true)
	for t0 := 0; t0 < nx; t0 += 4 {
		rows := min(nx-t0, 4)
		for t := 0; t < rows; t++ {
			g.lanes(f, is, tokenPtr(t0+t), 0, fmt.Sprintf("Y%d", 4+t))
		}
		if rows == 4 {
			g.i("VPHADDD Y5, Y4, Y4")
			g.i("VPHADDD Y7, Y6, Y6")
			g.i("VPHADDD Y6, Y4, Y4")
			g.i("VEXTRACTI128 $1, Y4, X5")
			g.i("VPADDD X5, X4, X4")
		} else {
			g.i("VPHADDD Y5, Y4, Y4")
			g.i("VEXTRACTI128 $1, Y4, X5")
			g.i("VPADDD X5, X4, X4")
			g.i("VPHADDD X4, X4, X4")
		}
		g.i("VCVTDQ2PS X4, X4")
		g.i("MOVWLZX %s, AX", mem(tokenPtr(t0), 0))
		g.i("VMOVD AX, X5")
		for t := 1; t < rows; t++ {
			g.i("VPINSRW $%d, %s, X5, X5", t, mem(tokenPtr(t0+t), 0))
		}
		g.i("VCVTPH2PS X5, X5")
		g.i("VMULPS %s, X5, X5", x(regScale))
		g.i("VFMADD231PS X5, X4, %s", x(acc(t0/4)))
	}
	g.advance(f, nx)
	g.i("DECQ CX")
	g.i("JNZ loop")
	g.p("done:")
	for t := 0; t < nx; t++ {
		if t > 0 {
			g.i("ADDQ R12, DI")
		}
		a := x(acc(t / 4))
		if t%4 == 0 {
			g.i("VMOVSS %s, (DI)", a)
		} else {
			g.i("VEXTRACTPS $%d, %s, (DI)", t%4, a)
		}
	}
}

// data emits a 32-byte constant.
func (g *gen) data(name string, b [32]byte) {
	for i := 0; i < 32; i += 8 {
		var v uint64
		for k := 7; k >= 0; k-- {
			v = v<<8 | uint64(b[i+k])
		}
		g.p("DATA %s<>+%d(SB)/8, $0x%016x", name, i, v)
	}
	g.p("GLOBL %s<>(SB), RODATA|NOPTR, $32", name)
	g.p("")
}

func splat(v byte) (b [32]byte) {
	for i := range b {
		b[i] = v
	}
	return b
}

func main() {
	out := flag.String("out", "", "assembly output file (default standard output)")
	stubs := flag.String("stubs", "", "Go declarations output file")
	flag.Parse()
	var g gen
	g.p("// Code generated by _asm/legacy; DO NOT EDIT.")
	g.p("")
	g.p("//go:build !purego")
	g.p("")
	g.p("#include \"textflag.h\"")
	g.p("")
	var ones16, shuf, sel, iq4 [32]byte
	for i := 0; i < 32; i += 2 {
		ones16[i] = 1
	}
	values := []int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}
	for i := range shuf {
		shuf[i] = byte(i / 8)
		sel[i] = 1 << (i % 8)
		iq4[i] = byte(values[i%16])
	}
	g.data("legacyOnes16", ones16)
	g.data("legacy0F", splat(0x0f))
	g.data("legacy08", splat(0x08))
	g.data("legacy80", splat(0x80))
	g.data("legacyF0", splat(0xf0))
	g.data("legacy10", splat(0x10))
	g.data("legacyBitShuf", shuf)
	g.data("legacyBitSel", sel)
	g.data("legacyIQ4NL", iq4)
	for _, is := range isas {
		for _, f := range formats {
			for _, nx := range rowCounts(f, is) {
				g.routine(f, is, nx)
			}
		}
	}
	g.cpuid()
	if *stubs != "" {
		if err := os.WriteFile(*stubs, declarations(), 0o644); err != nil {
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
