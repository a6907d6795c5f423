//go:build amd64 && !purego

#include "textflag.h"
#include "vecdot_kquant_amd64.h"

// The AVX2 IQ4_XS kernel (see vecdot_kquant_amd64.h).

DATA q4kLow4<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL q4kLow4<>(SB), RODATA|NOPTR, $32

DATA q6kThirtyTwo<>+0(SB)/8, $0x2020202020202020
DATA q6kThirtyTwo<>+8(SB)/8, $0x2020202020202020
DATA q6kThirtyTwo<>+16(SB)/8, $0x2020202020202020
DATA q6kThirtyTwo<>+24(SB)/8, $0x2020202020202020
GLOBL q6kThirtyTwo<>(SB), RODATA|NOPTR, $32

// ggml's kvalues_iq4nl, the IQ4_NL/IQ4_XS codebook.
DATA iq4nlValues<>+0(SB)/8, $0xf6eaddcfbfad9881
DATA iq4nlValues<>+8(SB)/8, $0x7159453526190d01
GLOBL iq4nlValues<>(SB), RODATA|NOPTR, $16

// iq4XSDotAVX2 follows ggml's AVX2 ggml_vec_dot_iq4_xs_q8_K: codebook
// values through VPSHUFB, the signed products as VPMADDUBSW(|w|, sign(y, w))
// (exact: Q8_K quants lie in -127..127), scaled per 32-element vector.
// Frame: 0..255 scale vectors, 256..511 row accumulators, 512..767 the
// signed weights, 768..783 scratch.
//
// func iq4XSDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·iq4XSDotAVX2(SB), 0, $784-56
	MOVQ w+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ xStride+24(FP), DX
	MOVQ nx+32(FP), R8
	VXORPS Y8, Y8, Y8
	MOVQ   R8, DI
	LEAQ   256(SP), R10

zero:
	VMOVUPS Y8, (R10)
	ADDQ    $32, R10
	DECQ    DI
	JNZ     zero
	VMOVDQU        q4kLow4<>(SB), Y12
	VBROADCASTI128 iq4nlValues<>(SB), Y13
	MOVQ           $0x0f0f0f0f0f0f0f0f, R12
	MOVQ           $0x3030303030303030, R13

block:
	// ls[ib] = (scales_l nibble ib | (scales_h bits 2ib..2ib+1) << 4) - 32
	MOVWLZX      2(AX), R10
	MOVL         4(AX), R11
	PDEPQ        R12, R11, R11
	PDEPQ        R13, R10, R10
	ORQ          R10, R11
	VMOVQ        R11, X8
	VPSUBB       q6kThirtyTwo<>(SB), X8, X8
	VPMOVSXBW    X8, X8
	VMOVDQU      X8, 768(SP)
	VPBROADCASTW 768(SP), Y9
	VMOVDQU      Y9, 0(SP)
	VPBROADCASTW 770(SP), Y9
	VMOVDQU      Y9, 32(SP)
	VPBROADCASTW 772(SP), Y9
	VMOVDQU      Y9, 64(SP)
	VPBROADCASTW 774(SP), Y9
	VMOVDQU      Y9, 96(SP)
	VPBROADCASTW 776(SP), Y9
	VMOVDQU      Y9, 128(SP)
	VPBROADCASTW 778(SP), Y9
	VMOVDQU      Y9, 160(SP)
	VPBROADCASTW 780(SP), Y9
	VMOVDQU      Y9, 192(SP)
	VPBROADCASTW 782(SP), Y9
	VMOVDQU      Y9, 224(SP)

	MOVWLZX   0(AX), R10
	VMOVD     R10, X14
	VCVTPH2PS X14, X14

	// Vector ib: codebook values of the low then the high nibbles of
	// qs[16ib:16ib+16]; |w| stays in Yib, w goes to the frame.
	VMOVDQU     8(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 512(SP)
	VPABSB      Y8, Y0
	VMOVDQU     24(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 544(SP)
	VPABSB      Y8, Y1
	VMOVDQU     40(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 576(SP)
	VPABSB      Y8, Y2
	VMOVDQU     56(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 608(SP)
	VPABSB      Y8, Y3
	VMOVDQU     72(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 640(SP)
	VPABSB      Y8, Y4
	VMOVDQU     88(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 672(SP)
	VPABSB      Y8, Y5
	VMOVDQU     104(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 704(SP)
	VPABSB      Y8, Y6
	VMOVDQU     120(AX), X8
	VPSRLW      $4, X8, X9
	VINSERTI128 $1, X9, Y8, Y8
	VPAND       Y12, Y8, Y8
	VPSHUFB     Y8, Y13, Y8
	VMOVDQU     Y8, 736(SP)
	VPABSB      Y8, Y7

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10

row:
	VMOVDQU    4(SI), Y8
	VPSIGNB    512(SP), Y8, Y8
	VPMADDUBSW Y8, Y0, Y8
	VPMADDWD   0(SP), Y8, Y8
	VMOVDQA    Y8, Y9
	VMOVDQU    36(SI), Y10
	VPSIGNB    544(SP), Y10, Y10
	VPMADDUBSW Y10, Y1, Y10
	VPMADDWD   32(SP), Y10, Y10
	VMOVDQA    Y10, Y11
	VMOVDQU    68(SI), Y8
	VPSIGNB    576(SP), Y8, Y8
	VPMADDUBSW Y8, Y2, Y8
	VPMADDWD   64(SP), Y8, Y8
	VPADDD     Y8, Y9, Y9
	VMOVDQU    100(SI), Y10
	VPSIGNB    608(SP), Y10, Y10
	VPMADDUBSW Y10, Y3, Y10
	VPMADDWD   96(SP), Y10, Y10
	VPADDD     Y10, Y11, Y11
	VMOVDQU    132(SI), Y8
	VPSIGNB    640(SP), Y8, Y8
	VPMADDUBSW Y8, Y4, Y8
	VPMADDWD   128(SP), Y8, Y8
	VPADDD     Y8, Y9, Y9
	VMOVDQU    164(SI), Y10
	VPSIGNB    672(SP), Y10, Y10
	VPMADDUBSW Y10, Y5, Y10
	VPMADDWD   160(SP), Y10, Y10
	VPADDD     Y10, Y11, Y11
	VMOVDQU    196(SI), Y8
	VPSIGNB    704(SP), Y8, Y8
	VPMADDUBSW Y8, Y6, Y8
	VPMADDWD   192(SP), Y8, Y8
	VPADDD     Y8, Y9, Y9
	VMOVDQU    228(SI), Y10
	VPSIGNB    736(SP), Y10, Y10
	VPMADDUBSW Y10, Y7, Y10
	VPMADDWD   224(SP), Y10, Y10
	VPADDD     Y10, Y11, Y11
	VPADDD       Y11, Y9, Y9
	VCVTDQ2PS    Y9, Y9
	VMULSS       (SI), X14, X8
	VBROADCASTSS X8, Y8
	VMOVUPS      (R10), Y10
	VFMADD231PS  Y9, Y8, Y10
	VMOVUPS      Y10, (R10)

	ADDQ DX, SI
	ADDQ $32, R10
	DECQ DI
	JNZ  row

	ADDQ $136, AX
	ADDQ $292, BX
	DECQ CX
	JNZ  block

	MOVQ out+40(FP), DI
	MOVQ outStride+48(FP), DX
	SHLQ $2, DX
	LEAQ 256(SP), R10

store:
	KQ_HSUM8
	VMOVSS X9, (DI)
	ADDQ   DX, DI
	ADDQ   $32, R10
	DECQ   R8
	JNZ    store
	VZEROUPPER
	RET
