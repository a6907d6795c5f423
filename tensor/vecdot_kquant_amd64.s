//go:build !purego

#include "textflag.h"

// AVX2 kernels for K-quant weights against Q8_K activations, in the order of
// ggml's AVX2 ggml_vec_dot_<type>_q8_K: per super-block, 32-bit integer sums
// in eight lanes (lane l: elements 4l..4l+3 of every 32-element vector) are
// converted to float32 and fused into eight float32 accumulators with the
// scale d·y.d; hsum_float_8 adds the lanes at the end. Each super-block of
// weights is decoded once into Y0..Y7 and used for every activation row.
//
// Q8_K block: d float32 at 0, 256 int8 quants at 4, 16 int16 group sums at 260.

// Frame layout shared by both kernels (offsets from the hardware SP):
//   0..255    eight 16-bit scale vectors, one per 32-element vector
//   256..511  eight float32 lane accumulators, one per activation row
//   512..639  the min accumulators of Q4_K (four float32 per row) and Q5_K (one)
//   640..671  scratch for unpacking scales

DATA q4kLow4<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL q4kLow4<>(SB), RODATA|NOPTR, $32

DATA q6kBits45<>+0(SB)/8, $0x3030303030303030
DATA q6kBits45<>+8(SB)/8, $0x3030303030303030
DATA q6kBits45<>+16(SB)/8, $0x3030303030303030
DATA q6kBits45<>+24(SB)/8, $0x3030303030303030
GLOBL q6kBits45<>(SB), RODATA|NOPTR, $32

DATA q6kThirtyTwo<>+0(SB)/8, $0x2020202020202020
DATA q6kThirtyTwo<>+8(SB)/8, $0x2020202020202020
DATA q6kThirtyTwo<>+16(SB)/8, $0x2020202020202020
DATA q6kThirtyTwo<>+24(SB)/8, $0x2020202020202020
GLOBL q6kThirtyTwo<>(SB), RODATA|NOPTR, $32

DATA q5kBit4<>+0(SB)/8, $0x1010101010101010
DATA q5kBit4<>+8(SB)/8, $0x1010101010101010
DATA q5kBit4<>+16(SB)/8, $0x1010101010101010
DATA q5kBit4<>+24(SB)/8, $0x1010101010101010
GLOBL q5kBit4<>(SB), RODATA|NOPTR, $32

DATA q4kScaleIndex<>+0(SB)/8, $0x0000000000000000
DATA q4kScaleIndex<>+8(SB)/8, $0x0000000000000000
DATA q4kScaleIndex<>+16(SB)/8, $0x0000000000000000
DATA q4kScaleIndex<>+24(SB)/8, $0x0000000000000000
DATA q4kScaleIndex<>+32(SB)/8, $0x0001000100010001
DATA q4kScaleIndex<>+40(SB)/8, $0x0001000100010001
DATA q4kScaleIndex<>+48(SB)/8, $0x0001000100010001
DATA q4kScaleIndex<>+56(SB)/8, $0x0001000100010001
DATA q4kScaleIndex<>+64(SB)/8, $0x0002000200020002
DATA q4kScaleIndex<>+72(SB)/8, $0x0002000200020002
DATA q4kScaleIndex<>+80(SB)/8, $0x0002000200020002
DATA q4kScaleIndex<>+88(SB)/8, $0x0002000200020002
DATA q4kScaleIndex<>+96(SB)/8, $0x0003000300030003
DATA q4kScaleIndex<>+104(SB)/8, $0x0003000300030003
DATA q4kScaleIndex<>+112(SB)/8, $0x0003000300030003
DATA q4kScaleIndex<>+120(SB)/8, $0x0003000300030003
DATA q4kScaleIndex<>+128(SB)/8, $0x0004000400040004
DATA q4kScaleIndex<>+136(SB)/8, $0x0004000400040004
DATA q4kScaleIndex<>+144(SB)/8, $0x0004000400040004
DATA q4kScaleIndex<>+152(SB)/8, $0x0004000400040004
DATA q4kScaleIndex<>+160(SB)/8, $0x0005000500050005
DATA q4kScaleIndex<>+168(SB)/8, $0x0005000500050005
DATA q4kScaleIndex<>+176(SB)/8, $0x0005000500050005
DATA q4kScaleIndex<>+184(SB)/8, $0x0005000500050005
DATA q4kScaleIndex<>+192(SB)/8, $0x0006000600060006
DATA q4kScaleIndex<>+200(SB)/8, $0x0006000600060006
DATA q4kScaleIndex<>+208(SB)/8, $0x0006000600060006
DATA q4kScaleIndex<>+216(SB)/8, $0x0006000600060006
DATA q4kScaleIndex<>+224(SB)/8, $0x0007000700070007
DATA q4kScaleIndex<>+232(SB)/8, $0x0007000700070007
DATA q4kScaleIndex<>+240(SB)/8, $0x0007000700070007
DATA q4kScaleIndex<>+248(SB)/8, $0x0007000700070007
GLOBL q4kScaleIndex<>(SB), RODATA|NOPTR, $256

DATA q6kScaleIndex<>+0(SB)/8, $0x0000000000000000
DATA q6kScaleIndex<>+8(SB)/8, $0x0000000000000000
DATA q6kScaleIndex<>+16(SB)/8, $0x0001000100010001
DATA q6kScaleIndex<>+24(SB)/8, $0x0001000100010001
DATA q6kScaleIndex<>+32(SB)/8, $0x0002000200020002
DATA q6kScaleIndex<>+40(SB)/8, $0x0002000200020002
DATA q6kScaleIndex<>+48(SB)/8, $0x0003000300030003
DATA q6kScaleIndex<>+56(SB)/8, $0x0003000300030003
DATA q6kScaleIndex<>+64(SB)/8, $0x0004000400040004
DATA q6kScaleIndex<>+72(SB)/8, $0x0004000400040004
DATA q6kScaleIndex<>+80(SB)/8, $0x0005000500050005
DATA q6kScaleIndex<>+88(SB)/8, $0x0005000500050005
DATA q6kScaleIndex<>+96(SB)/8, $0x0006000600060006
DATA q6kScaleIndex<>+104(SB)/8, $0x0006000600060006
DATA q6kScaleIndex<>+112(SB)/8, $0x0007000700070007
DATA q6kScaleIndex<>+120(SB)/8, $0x0007000700070007
DATA q6kScaleIndex<>+128(SB)/8, $0x0008000800080008
DATA q6kScaleIndex<>+136(SB)/8, $0x0008000800080008
DATA q6kScaleIndex<>+144(SB)/8, $0x0009000900090009
DATA q6kScaleIndex<>+152(SB)/8, $0x0009000900090009
DATA q6kScaleIndex<>+160(SB)/8, $0x000a000a000a000a
DATA q6kScaleIndex<>+168(SB)/8, $0x000a000a000a000a
DATA q6kScaleIndex<>+176(SB)/8, $0x000b000b000b000b
DATA q6kScaleIndex<>+184(SB)/8, $0x000b000b000b000b
DATA q6kScaleIndex<>+192(SB)/8, $0x000c000c000c000c
DATA q6kScaleIndex<>+200(SB)/8, $0x000c000c000c000c
DATA q6kScaleIndex<>+208(SB)/8, $0x000d000d000d000d
DATA q6kScaleIndex<>+216(SB)/8, $0x000d000d000d000d
DATA q6kScaleIndex<>+224(SB)/8, $0x000e000e000e000e
DATA q6kScaleIndex<>+232(SB)/8, $0x000e000e000e000e
DATA q6kScaleIndex<>+240(SB)/8, $0x000f000f000f000f
DATA q6kScaleIndex<>+248(SB)/8, $0x000f000f000f000f
GLOBL q6kScaleIndex<>(SB), RODATA|NOPTR, $256

DATA q6kShiftLeft<>+0(SB)/8, $0x0004000400040004
DATA q6kShiftLeft<>+8(SB)/8, $0x0004000400040004
DATA q6kShiftLeft<>+16(SB)/8, $0x0004000400040004
DATA q6kShiftLeft<>+24(SB)/8, $0x0004000400040004
DATA q6kShiftLeft<>+32(SB)/8, $0x0002000200020002
DATA q6kShiftLeft<>+40(SB)/8, $0x0002000200020002
DATA q6kShiftLeft<>+48(SB)/8, $0x0002000200020002
DATA q6kShiftLeft<>+56(SB)/8, $0x0002000200020002
GLOBL q6kShiftLeft<>(SB), RODATA|NOPTR, $64

DATA q6kShiftRight<>+0(SB)/8, $0x0000000000000000
DATA q6kShiftRight<>+8(SB)/8, $0x0000000000000000
DATA q6kShiftRight<>+16(SB)/8, $0x0000000000000000
DATA q6kShiftRight<>+24(SB)/8, $0x0000000000000000
DATA q6kShiftRight<>+32(SB)/8, $0x0002000200020002
DATA q6kShiftRight<>+40(SB)/8, $0x0002000200020002
DATA q6kShiftRight<>+48(SB)/8, $0x0002000200020002
DATA q6kShiftRight<>+56(SB)/8, $0x0002000200020002
GLOBL q6kShiftRight<>(SB), RODATA|NOPTR, $64

DATA q5kShift<>+0(SB)/8, $0x0004000400040004
DATA q5kShift<>+8(SB)/8, $0x0004000400040004
DATA q5kShift<>+16(SB)/8, $0x0004000400040004
DATA q5kShift<>+24(SB)/8, $0x0004000400040004
DATA q5kShift<>+32(SB)/8, $0x0003000300030003
DATA q5kShift<>+40(SB)/8, $0x0003000300030003
DATA q5kShift<>+48(SB)/8, $0x0003000300030003
DATA q5kShift<>+56(SB)/8, $0x0003000300030003
DATA q5kShift<>+64(SB)/8, $0x0002000200020002
DATA q5kShift<>+72(SB)/8, $0x0002000200020002
DATA q5kShift<>+80(SB)/8, $0x0002000200020002
DATA q5kShift<>+88(SB)/8, $0x0002000200020002
DATA q5kShift<>+96(SB)/8, $0x0001000100010001
DATA q5kShift<>+104(SB)/8, $0x0001000100010001
DATA q5kShift<>+112(SB)/8, $0x0001000100010001
DATA q5kShift<>+120(SB)/8, $0x0001000100010001
DATA q5kShift<>+128(SB)/8, $0x0000000000000000
DATA q5kShift<>+136(SB)/8, $0x0000000000000000
DATA q5kShift<>+144(SB)/8, $0x0000000000000000
DATA q5kShift<>+152(SB)/8, $0x0000000000000000
DATA q5kShift<>+160(SB)/8, $0x0001000100010001
DATA q5kShift<>+168(SB)/8, $0x0001000100010001
DATA q5kShift<>+176(SB)/8, $0x0001000100010001
DATA q5kShift<>+184(SB)/8, $0x0001000100010001
DATA q5kShift<>+192(SB)/8, $0x0002000200020002
DATA q5kShift<>+200(SB)/8, $0x0002000200020002
DATA q5kShift<>+208(SB)/8, $0x0002000200020002
DATA q5kShift<>+216(SB)/8, $0x0002000200020002
DATA q5kShift<>+224(SB)/8, $0x0003000300030003
DATA q5kShift<>+232(SB)/8, $0x0003000300030003
DATA q5kShift<>+240(SB)/8, $0x0003000300030003
DATA q5kShift<>+248(SB)/8, $0x0003000300030003
GLOBL q5kShift<>(SB), RODATA|NOPTR, $256

// ggml's kvalues_iq4nl, the IQ4_NL/IQ4_XS codebook.
DATA iq4nlValues<>+0(SB)/8, $0xf6eaddcfbfad9881
DATA iq4nlValues<>+8(SB)/8, $0x7159453526190d01
GLOBL iq4nlValues<>(SB), RODATA|NOPTR, $16

DATA kq3Low2<>+0(SB)/8, $0x0303030303030303
DATA kq3Low2<>+8(SB)/8, $0x0303030303030303
DATA kq3Low2<>+16(SB)/8, $0x0303030303030303
DATA kq3Low2<>+24(SB)/8, $0x0303030303030303
GLOBL kq3Low2<>(SB), RODATA|NOPTR, $32

DATA q3kFour<>+0(SB)/8, $0x0404040404040404
DATA q3kFour<>+8(SB)/8, $0x0404040404040404
DATA q3kFour<>+16(SB)/8, $0x0404040404040404
DATA q3kFour<>+24(SB)/8, $0x0404040404040404
GLOBL q3kFour<>(SB), RODATA|NOPTR, $32

// Low lane: word 0 of each dword repeated; high lane: word 1 repeated.
DATA q6kScaleShuffle<>+0(SB)/8, $0x0100010001000100
DATA q6kScaleShuffle<>+8(SB)/8, $0x0100010001000100
DATA q6kScaleShuffle<>+16(SB)/8, $0x0302030203020302
DATA q6kScaleShuffle<>+24(SB)/8, $0x0302030203020302
GLOBL q6kScaleShuffle<>(SB), RODATA|NOPTR, $32

// KQ_HSUM8 leaves in X9 the sum of the eight lanes at (R10), as
// hsum_float_8: ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)). Clobbers X8, X10.
#define KQ_HSUM8 \
	VMOVUPS      (R10), Y8; \
	VEXTRACTF128 $1, Y8, X9; \
	VADDPS       X8, X9, X9; \
	VMOVHLPS     X9, X9, X10; \
	VADDPS       X10, X9, X9; \
	VMOVSHDUP    X9, X10; \
	VADDSS       X10, X9, X9

// KQ_DOT multiplies weight vector Yw with the activation quants at
// off(SI) and the scale vector at soff(SP), leaving eight int32 lane sums
// in Yd.
#define KQ_DOT(off, Yw, soff, Yd) \
	VPMADDUBSW off(SI), Yw, Yd; \
	VPMADDWD   soff(SP), Yd, Yd

// func q4KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q4KDotAVX2(SB), 0, $672-56
	MOVQ w+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ xStride+24(FP), DX
	MOVQ nx+32(FP), R8
	VXORPS Y8, Y8, Y8
	MOVQ   R8, DI
	LEAQ   256(SP), R10
	LEAQ   512(SP), R11

zero:
	VMOVUPS Y8, (R10)
	VMOVUPS X8, (R11)
	ADDQ    $32, R10
	ADDQ    $16, R11
	DECQ    DI
	JNZ     zero
	VMOVDQU q4kLow4<>(SB), Y12

block:
	// Scales and mins (ggml's utmp shuffle), stored as 16 words at 640(SP).
	MOVL 4(AX), R10
	MOVL 8(AX), R11
	MOVL 12(AX), R12
	MOVL R12, R13
	SHRL $4, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R11, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13          // utmp[3]: mins 4..7
	ANDL $0x0f0f0f0f, R12
	MOVL R10, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R12          // utmp[1]: scales 4..7
	ANDL $0x3f3f3f3f, R11 // utmp[2]: mins 0..3
	ANDL $0x3f3f3f3f, R10 // utmp[0]: scales 0..3
	VMOVD        R10, X8
	VPINSRD      $1, R12, X8, X8
	VPINSRD      $2, R11, X8, X8
	VPINSRD      $3, R13, X8, X8
	VPMOVZXBW    X8, Y8
	VMOVDQU      Y8, 640(SP)
	VEXTRACTI128 $1, Y8, X15 // the eight mins
	VPBROADCASTW 640(SP), Y9
	VMOVDQU      Y9, 0(SP)
	VPBROADCASTW 642(SP), Y9
	VMOVDQU      Y9, 32(SP)
	VPBROADCASTW 644(SP), Y9
	VMOVDQU      Y9, 64(SP)
	VPBROADCASTW 646(SP), Y9
	VMOVDQU      Y9, 96(SP)
	VPBROADCASTW 648(SP), Y9
	VMOVDQU      Y9, 128(SP)
	VPBROADCASTW 650(SP), Y9
	VMOVDQU      Y9, 160(SP)
	VPBROADCASTW 652(SP), Y9
	VMOVDQU      Y9, 192(SP)
	VPBROADCASTW 654(SP), Y9
	VMOVDQU      Y9, 224(SP)

	// d and -dmin of the weights.
	MOVWLZX 0(AX), R10
	VMOVD   R10, X13
	VCVTPH2PS X13, X13
	MOVWLZX 2(AX), R10
	XORL    $0x8000, R10
	VMOVD   R10, X14
	VCVTPH2PS X14, X14

	// The 256 nibbles: vector 2j is the low nibbles of bytes 32j..32j+31,
	// vector 2j+1 their high nibbles.
	VMOVDQU 16(AX), Y0
	VPSRLW  $4, Y0, Y1
	VPAND   Y12, Y0, Y0
	VPAND   Y12, Y1, Y1
	VMOVDQU 48(AX), Y2
	VPSRLW  $4, Y2, Y3
	VPAND   Y12, Y2, Y2
	VPAND   Y12, Y3, Y3
	VMOVDQU 80(AX), Y4
	VPSRLW  $4, Y4, Y5
	VPAND   Y12, Y4, Y4
	VPAND   Y12, Y5, Y5
	VMOVDQU 112(AX), Y6
	VPSRLW  $4, Y6, Y7
	VPAND   Y12, Y6, Y6
	VPAND   Y12, Y7, Y7

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

row:
	KQ_DOT(4, Y0, 0, Y8)
	KQ_DOT(36, Y1, 32, Y9)
	KQ_DOT(68, Y2, 64, Y10)
	KQ_DOT(100, Y3, 96, Y11)
	VPADDD Y9, Y8, Y8
	VPADDD Y11, Y10, Y10
	KQ_DOT(132, Y4, 128, Y9)
	KQ_DOT(164, Y5, 160, Y11)
	VPADDD Y9, Y8, Y8
	VPADDD Y11, Y10, Y10
	KQ_DOT(196, Y6, 192, Y9)
	KQ_DOT(228, Y7, 224, Y11)
	VPADDD Y9, Y8, Y8
	VPADDD Y11, Y10, Y10
	VPADDD Y10, Y8, Y8
	VCVTDQ2PS    Y8, Y8
	VMULSS       (SI), X13, X9
	VBROADCASTSS X9, Y9
	VMOVUPS      (R10), Y10
	VFMADD231PS  Y8, Y9, Y10
	VMOVUPS      Y10, (R10)

	// Mins: lane k = mins[2k]·s[2k] + mins[2k+1]·s[2k+1], s the 32-element sums.
	VMOVDQU      260(SI), X8
	VPHADDW      276(SI), X8, X8
	VPMADDWD     X15, X8, X8
	VCVTDQ2PS    X8, X8
	VMULSS       (SI), X14, X9
	VBROADCASTSS X9, X9
	VMOVUPS      (R11), X10
	VFMADD231PS  X8, X9, X10
	VMOVUPS      X10, (R11)

	ADDQ DX, SI
	ADDQ $32, R10
	ADDQ $16, R11
	DECQ DI
	JNZ  row

	ADDQ $144, AX
	ADDQ $292, BX
	DECQ CX
	JNZ  block

	// out[t] = hsum_float_8(acc) + ((m0+m2)+(m1+m3)).
	MOVQ out+40(FP), DI
	MOVQ outStride+48(FP), DX
	SHLQ $2, DX
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

store:
	KQ_HSUM8
	VMOVUPS   (R11), X11
	VMOVHLPS  X11, X11, X12
	VADDPS    X12, X11, X11
	VMOVSHDUP X11, X12
	VADDSS    X12, X11, X11
	VADDSS    X11, X9, X9
	VMOVSS    X9, (DI)
	ADDQ      DX, DI
	ADDQ      $32, R10
	ADDQ      $16, R11
	DECQ      R8
	JNZ       store
	VZEROUPPER
	RET

// q4KDotAVX512 is q4KDotAVX2 with 64-byte vectors: zmm j holds vectors 2j
// and 2j+1 (weights Z0..Z3, their 16-bit scales Z4..Z7), VPMADDUBSW forms
// the pair sums and VPDPWSSD scales and accumulates them; the two halves of
// the result are added into the same eight lanes as the AVX2 kernel, so the
// integer sums and every float32 operation are the same.
//
// func q4KDotAVX512(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q4KDotAVX512(SB), 0, $640-56
	MOVQ w+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ xStride+24(FP), DX
	MOVQ nx+32(FP), R8
	VXORPS Y8, Y8, Y8
	MOVQ   R8, DI
	LEAQ   256(SP), R10
	LEAQ   512(SP), R11

zero:
	VMOVUPS Y8, (R10)
	VMOVUPS X8, (R11)
	ADDQ    $32, R10
	ADDQ    $16, R11
	DECQ    DI
	JNZ     zero
	VPBROADCASTB q4kLow4<>(SB), Z12
	VMOVDQU64    q4kScaleIndex<>+0(SB), Z20
	VMOVDQU64    q4kScaleIndex<>+64(SB), Z21
	VMOVDQU64    q4kScaleIndex<>+128(SB), Z22
	VMOVDQU64    q4kScaleIndex<>+192(SB), Z23

block:
	MOVL 4(AX), R10
	MOVL 8(AX), R11
	MOVL 12(AX), R12
	MOVL R12, R13
	SHRL $4, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R11, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13
	ANDL $0x0f0f0f0f, R12
	MOVL R10, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R12
	ANDL $0x3f3f3f3f, R11
	ANDL $0x3f3f3f3f, R10
	VMOVD        R10, X8
	VPINSRD      $1, R12, X8, X8
	VPINSRD      $2, R11, X8, X8
	VPINSRD      $3, R13, X8, X8
	VPMOVZXBW    X8, Y8
	VEXTRACTI128 $1, Y8, X15
	VPERMW       Z8, Z20, Z4
	VPERMW       Z8, Z21, Z5
	VPERMW       Z8, Z22, Z6
	VPERMW       Z8, Z23, Z7

	MOVWLZX   0(AX), R10
	VMOVD     R10, X13
	VCVTPH2PS X13, X13
	MOVWLZX   2(AX), R10
	XORL      $0x8000, R10
	VMOVD     R10, X14
	VCVTPH2PS X14, X14

	VMOVDQU      16(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z0
	VPANDD       Z12, Z0, Z0
	VMOVDQU      48(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z1
	VPANDD       Z12, Z1, Z1
	VMOVDQU      80(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z2
	VPANDD       Z12, Z2, Z2
	VMOVDQU      112(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z3
	VPANDD       Z12, Z3, Z3

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

row:
	VPMADDUBSW    4(SI), Z0, Z8
	VPMADDUBSW    68(SI), Z1, Z9
	VPMADDUBSW    132(SI), Z2, Z10
	VPMADDUBSW    196(SI), Z3, Z11
	VPMADDWD      Z4, Z8, Z8
	VPDPWSSD      Z5, Z9, Z8
	VPMADDWD      Z6, Z10, Z10
	VPDPWSSD      Z7, Z11, Z10
	VPADDD        Z10, Z8, Z8
	VEXTRACTI64X4 $1, Z8, Y9
	VPADDD        Y9, Y8, Y8
	VCVTDQ2PS     Y8, Y8
	VMULSS        (SI), X13, X9
	VBROADCASTSS  X9, Y9
	VMOVUPS       (R10), Y10
	VFMADD231PS   Y8, Y9, Y10
	VMOVUPS       Y10, (R10)

	VMOVDQU      260(SI), X8
	VPHADDW      276(SI), X8, X8
	VPMADDWD     X15, X8, X8
	VCVTDQ2PS    X8, X8
	VMULSS       (SI), X14, X9
	VBROADCASTSS X9, X9
	VMOVUPS      (R11), X10
	VFMADD231PS  X8, X9, X10
	VMOVUPS      X10, (R11)

	ADDQ DX, SI
	ADDQ $32, R10
	ADDQ $16, R11
	DECQ DI
	JNZ  row

	ADDQ $144, AX
	ADDQ $292, BX
	DECQ CX
	JNZ  block

	MOVQ out+40(FP), DI
	MOVQ outStride+48(FP), DX
	SHLQ $2, DX
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

store:
	KQ_HSUM8
	VMOVUPS   (R11), X11
	VMOVHLPS  X11, X11, X12
	VADDPS    X12, X11, X11
	VMOVSHDUP X11, X12
	VADDSS    X12, X11, X11
	VADDSS    X11, X9, X9
	VMOVSS    X9, (DI)
	ADDQ      DX, DI
	ADDQ      $32, R10
	ADDQ      $16, R11
	DECQ      R8
	JNZ       store
	VZEROUPPER
	RET

// func q5KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q5KDotAVX2(SB), 0, $672-56
	MOVQ w+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ xStride+24(FP), DX
	MOVQ nx+32(FP), R8
	VXORPS Y8, Y8, Y8
	MOVQ   R8, DI
	LEAQ   256(SP), R10
	LEAQ   512(SP), R11

zero:
	VMOVUPS Y8, (R10)
	VMOVUPS X8, (R11)
	ADDQ    $32, R10
	ADDQ    $16, R11
	DECQ    DI
	JNZ     zero
	VMOVDQU q4kLow4<>(SB), Y12

block:
	// Scales and mins (ggml's utmp shuffle), stored as 16 words at 640(SP).
	MOVL 4(AX), R10
	MOVL 8(AX), R11
	MOVL 12(AX), R12
	MOVL R12, R13
	SHRL $4, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R11, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13          // utmp[3]: mins 4..7
	ANDL $0x0f0f0f0f, R12
	MOVL R10, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R12          // utmp[1]: scales 4..7
	ANDL $0x3f3f3f3f, R11 // utmp[2]: mins 0..3
	ANDL $0x3f3f3f3f, R10 // utmp[0]: scales 0..3
	VMOVD        R10, X8
	VPINSRD      $1, R12, X8, X8
	VPINSRD      $2, R11, X8, X8
	VPINSRD      $3, R13, X8, X8
	VPMOVZXBW    X8, Y8
	VMOVDQU      Y8, 640(SP)
	VEXTRACTI128 $1, Y8, X15 // the eight mins
	VPBROADCASTW 640(SP), Y9
	VMOVDQU      Y9, 0(SP)
	VPBROADCASTW 642(SP), Y9
	VMOVDQU      Y9, 32(SP)
	VPBROADCASTW 644(SP), Y9
	VMOVDQU      Y9, 64(SP)
	VPBROADCASTW 646(SP), Y9
	VMOVDQU      Y9, 96(SP)
	VPBROADCASTW 648(SP), Y9
	VMOVDQU      Y9, 128(SP)
	VPBROADCASTW 650(SP), Y9
	VMOVDQU      Y9, 160(SP)
	VPBROADCASTW 652(SP), Y9
	VMOVDQU      Y9, 192(SP)
	VPBROADCASTW 654(SP), Y9
	VMOVDQU      Y9, 224(SP)

	// d and -dmin of the weights.
	MOVWLZX 0(AX), R10
	VMOVD   R10, X13
	VCVTPH2PS X13, X13
	MOVWLZX 2(AX), R10
	XORL    $0x8000, R10
	VMOVD   R10, X14
	VCVTPH2PS X14, X14

	// The 5-bit values: vector 2j is the low nibbles of qs[32j:+32], vector
	// 2j+1 their high nibbles, and bit v of qh[0:32] is bit 4 of vector v.
	VMOVDQU 16(AX), Y11
	VMOVDQU 48(AX), Y0
	VPSRLW  $4, Y0, Y1
	VPAND   Y12, Y0, Y0
	VPAND   Y12, Y1, Y1
	VPSLLW  $4, Y11, Y9
	VPAND   q5kBit4<>(SB), Y9, Y9
	VPOR    Y9, Y0, Y0
	VPSLLW  $3, Y11, Y9
	VPAND   q5kBit4<>(SB), Y9, Y9
	VPOR    Y9, Y1, Y1
	VMOVDQU 80(AX), Y2
	VPSRLW  $4, Y2, Y3
	VPAND   Y12, Y2, Y2
	VPAND   Y12, Y3, Y3
	VPSLLW  $2, Y11, Y9
	VPAND   q5kBit4<>(SB), Y9, Y9
	VPOR    Y9, Y2, Y2
	VPSLLW  $1, Y11, Y9
	VPAND   q5kBit4<>(SB), Y9, Y9
	VPOR    Y9, Y3, Y3
	VMOVDQU 112(AX), Y4
	VPSRLW  $4, Y4, Y5
	VPAND   Y12, Y4, Y4
	VPAND   Y12, Y5, Y5
	VPAND   q5kBit4<>(SB), Y11, Y9
	VPOR    Y9, Y4, Y4
	VPSRLW  $1, Y11, Y9
	VPAND   q5kBit4<>(SB), Y9, Y9
	VPOR    Y9, Y5, Y5
	VMOVDQU 144(AX), Y6
	VPSRLW  $4, Y6, Y7
	VPAND   Y12, Y6, Y6
	VPAND   Y12, Y7, Y7
	VPSRLW  $2, Y11, Y9
	VPAND   q5kBit4<>(SB), Y9, Y9
	VPOR    Y9, Y6, Y6
	VPSRLW  $3, Y11, Y9
	VPAND   q5kBit4<>(SB), Y9, Y9
	VPOR    Y9, Y7, Y7

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

row:
	KQ_DOT(4, Y0, 0, Y8)
	KQ_DOT(36, Y1, 32, Y9)
	KQ_DOT(68, Y2, 64, Y10)
	KQ_DOT(100, Y3, 96, Y11)
	VPADDD Y9, Y8, Y8
	VPADDD Y11, Y10, Y10
	KQ_DOT(132, Y4, 128, Y9)
	KQ_DOT(164, Y5, 160, Y11)
	VPADDD Y9, Y8, Y8
	VPADDD Y11, Y10, Y10
	KQ_DOT(196, Y6, 192, Y9)
	KQ_DOT(228, Y7, 224, Y11)
	VPADDD Y9, Y8, Y8
	VPADDD Y11, Y10, Y10
	VPADDD Y10, Y8, Y8
	VCVTDQ2PS    Y8, Y8
	VMULSS       (SI), X13, X9
	VBROADCASTSS X9, Y9
	VMOVUPS      (R10), Y10
	VFMADD231PS  Y8, Y9, Y10
	VMOVUPS      Y10, (R10)

	// Mins: one sum Σ mins[j]·s[j], fused into a float32 per row.
	VMOVDQU      260(SI), X8
	VPHADDW      276(SI), X8, X8
	VPMADDWD     X15, X8, X8
	VPHADDD      X8, X8, X8
	VPHADDD      X8, X8, X8
	VCVTDQ2PS    X8, X8
	VMULSS       (SI), X14, X9
	VMOVSS       (R11), X10
	VFMADD231SS  X8, X9, X10
	VMOVSS       X10, (R11)

	ADDQ DX, SI
	ADDQ $32, R10
	ADDQ $16, R11
	DECQ DI
	JNZ  row

	ADDQ $176, AX
	ADDQ $292, BX
	DECQ CX
	JNZ  block

	// out[t] = hsum_float_8(acc) + summs.
	MOVQ out+40(FP), DI
	MOVQ outStride+48(FP), DX
	SHLQ $2, DX
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

store:
	KQ_HSUM8
	VADDSS (R11), X9, X9
	VMOVSS X9, (DI)
	ADDQ   DX, DI
	ADDQ   $32, R10
	ADDQ   $16, R11
	DECQ   R8
	JNZ    store
	VZEROUPPER
	RET

// q5KDotAVX512 is q5KDotAVX2 with 64-byte vectors, as q5KDotAVX512; bit
// 2j (2j+1) of qh, repeated in both halves, is shifted to bit 4 of the low
// (high) half of zmm j.
//
// func q5KDotAVX512(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q5KDotAVX512(SB), 0, $640-56
	MOVQ w+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ xStride+24(FP), DX
	MOVQ nx+32(FP), R8
	VXORPS Y8, Y8, Y8
	MOVQ   R8, DI
	LEAQ   256(SP), R10
	LEAQ   512(SP), R11

zero:
	VMOVUPS Y8, (R10)
	VMOVUPS X8, (R11)
	ADDQ    $32, R10
	ADDQ    $16, R11
	DECQ    DI
	JNZ     zero
	VPBROADCASTB q4kLow4<>(SB), Z12
	VMOVDQU64    q4kScaleIndex<>+0(SB), Z20
	VMOVDQU64    q4kScaleIndex<>+64(SB), Z21
	VMOVDQU64    q4kScaleIndex<>+128(SB), Z22
	VMOVDQU64    q4kScaleIndex<>+192(SB), Z23
	VPBROADCASTB q5kBit4<>(SB), Z28
	VMOVDQU64    q5kShift<>+0(SB), Z24
	VMOVDQU64    q5kShift<>+64(SB), Z25
	VMOVDQU64    q5kShift<>+128(SB), Z26
	VMOVDQU64    q5kShift<>+192(SB), Z27

block:
	MOVL 4(AX), R10
	MOVL 8(AX), R11
	MOVL 12(AX), R12
	MOVL R12, R13
	SHRL $4, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R11, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13
	ANDL $0x0f0f0f0f, R12
	MOVL R10, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R12
	ANDL $0x3f3f3f3f, R11
	ANDL $0x3f3f3f3f, R10
	VMOVD        R10, X8
	VPINSRD      $1, R12, X8, X8
	VPINSRD      $2, R11, X8, X8
	VPINSRD      $3, R13, X8, X8
	VPMOVZXBW    X8, Y8
	VEXTRACTI128 $1, Y8, X15
	VPERMW       Z8, Z20, Z4
	VPERMW       Z8, Z21, Z5
	VPERMW       Z8, Z22, Z6
	VPERMW       Z8, Z23, Z7

	MOVWLZX   0(AX), R10
	VMOVD     R10, X13
	VCVTPH2PS X13, X13
	MOVWLZX   2(AX), R10
	XORL      $0x8000, R10
	VMOVD     R10, X14
	VCVTPH2PS X14, X14

	VBROADCASTI64X4 16(AX), Z11
	VMOVDQU      48(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z0
	VPANDD       Z12, Z0, Z0
	VPSLLVW      Z24, Z11, Z9
	VPANDD       Z28, Z9, Z9
	VPORD        Z9, Z0, Z0
	VMOVDQU      80(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z1
	VPANDD       Z12, Z1, Z1
	VPSLLVW      Z25, Z11, Z9
	VPANDD       Z28, Z9, Z9
	VPORD        Z9, Z1, Z1
	VMOVDQU      112(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z2
	VPANDD       Z12, Z2, Z2
	VPSRLVW      Z26, Z11, Z9
	VPANDD       Z28, Z9, Z9
	VPORD        Z9, Z2, Z2
	VMOVDQU      144(AX), Y8
	VPSRLW       $4, Y8, Y9
	VINSERTI64X4 $1, Y9, Z8, Z3
	VPANDD       Z12, Z3, Z3
	VPSRLVW      Z27, Z11, Z9
	VPANDD       Z28, Z9, Z9
	VPORD        Z9, Z3, Z3

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

row:
	VPMADDUBSW    4(SI), Z0, Z8
	VPMADDUBSW    68(SI), Z1, Z9
	VPMADDUBSW    132(SI), Z2, Z10
	VPMADDUBSW    196(SI), Z3, Z11
	VPMADDWD      Z4, Z8, Z8
	VPDPWSSD      Z5, Z9, Z8
	VPMADDWD      Z6, Z10, Z10
	VPDPWSSD      Z7, Z11, Z10
	VPADDD        Z10, Z8, Z8
	VEXTRACTI64X4 $1, Z8, Y9
	VPADDD        Y9, Y8, Y8
	VCVTDQ2PS     Y8, Y8
	VMULSS        (SI), X13, X9
	VBROADCASTSS  X9, Y9
	VMOVUPS       (R10), Y10
	VFMADD231PS   Y8, Y9, Y10
	VMOVUPS       Y10, (R10)

	VMOVDQU      260(SI), X8
	VPHADDW      276(SI), X8, X8
	VPMADDWD     X15, X8, X8
	VPHADDD      X8, X8, X8
	VPHADDD      X8, X8, X8
	VCVTDQ2PS    X8, X8
	VMULSS       (SI), X14, X9
	VMOVSS       (R11), X10
	VFMADD231SS  X8, X9, X10
	VMOVSS       X10, (R11)

	ADDQ DX, SI
	ADDQ $32, R10
	ADDQ $16, R11
	DECQ DI
	JNZ  row

	ADDQ $176, AX
	ADDQ $292, BX
	DECQ CX
	JNZ  block

	MOVQ out+40(FP), DI
	MOVQ outStride+48(FP), DX
	SHLQ $2, DX
	LEAQ 256(SP), R10
	LEAQ 512(SP), R11

store:
	KQ_HSUM8
	VADDSS (R11), X9, X9
	VMOVSS X9, (DI)
	ADDQ   DX, DI
	ADDQ   $32, R10
	ADDQ   $16, R11
	DECQ   R8
	JNZ    store
	VZEROUPPER
	RET

// func q6KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q6KDotAVX2(SB), 0, $672-56
	MOVQ w+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ xStride+24(FP), DX
	MOVQ nx+32(FP), R8
	VXORPS Y8, Y8, Y8
	MOVQ   R8, DI
	LEAQ   256(SP), R10
	LEAQ   512(SP), R11

zero:
	VMOVUPS Y8, (R10)
	VMOVUPS X8, (R11)
	ADDQ    $32, R10
	ADDQ    $16, R11
	DECQ    DI
	JNZ     zero
	VMOVDQU q6kThirtyTwo<>(SB), Y15

block:
	// Scale vector k: words 0..7 = sc[2k], words 8..15 = sc[2k+1].
	VPMOVSXBW       192(AX), Y8
	VMOVDQU         Y8, 640(SP)
	VMOVDQU         q6kScaleShuffle<>(SB), Y12
	VPBROADCASTD    640(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 0(SP)
	VPBROADCASTD    644(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 32(SP)
	VPBROADCASTD    648(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 64(SP)
	VPBROADCASTD    652(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 96(SP)
	VPBROADCASTD    656(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 128(SP)
	VPBROADCASTD    660(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 160(SP)
	VPBROADCASTD    664(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 192(SP)
	VPBROADCASTD    668(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 224(SP)

	MOVWLZX   208(AX), R10
	VMOVD     R10, X14
	VCVTPH2PS X14, X14

	// The 6-bit values 0..63, 128 elements per half c: vectors 4c..4c+3 are
	// ql[64c:+32]&15, ql[64c+32:+32]&15, ql[64c:+32]>>4, ql[64c+32:+32]>>4,
	// with bits 4..5 from qh[32c:+32] bits 0..1, 2..3, 4..5, 6..7.
	VMOVDQU q4kLow4<>(SB), Y12
	VMOVDQU q6kBits45<>(SB), Y13
	VMOVDQU 0(AX), Y8
	VMOVDQU 32(AX), Y9
	VMOVDQU 128(AX), Y10
	VPAND   Y12, Y8, Y0
	VPSLLW  $4, Y10, Y11
	VPAND   Y13, Y11, Y11
	VPOR    Y11, Y0, Y0
	VPAND   Y12, Y9, Y1
	VPSLLW  $2, Y10, Y11
	VPAND   Y13, Y11, Y11
	VPOR    Y11, Y1, Y1
	VPSRLW  $4, Y8, Y2
	VPAND   Y12, Y2, Y2
	VPAND   Y13, Y10, Y11
	VPOR    Y11, Y2, Y2
	VPSRLW  $4, Y9, Y3
	VPAND   Y12, Y3, Y3
	VPSRLW  $2, Y10, Y11
	VPAND   Y13, Y11, Y11
	VPOR    Y11, Y3, Y3
	VMOVDQU 64(AX), Y8
	VMOVDQU 96(AX), Y9
	VMOVDQU 160(AX), Y10
	VPAND   Y12, Y8, Y4
	VPSLLW  $4, Y10, Y11
	VPAND   Y13, Y11, Y11
	VPOR    Y11, Y4, Y4
	VPAND   Y12, Y9, Y5
	VPSLLW  $2, Y10, Y11
	VPAND   Y13, Y11, Y11
	VPOR    Y11, Y5, Y5
	VPSRLW  $4, Y8, Y6
	VPAND   Y12, Y6, Y6
	VPAND   Y13, Y10, Y11
	VPOR    Y11, Y6, Y6
	VPSRLW  $4, Y9, Y7
	VPAND   Y12, Y7, Y7
	VPSRLW  $2, Y10, Y11
	VPAND   Y13, Y11, Y11
	VPOR    Y11, Y7, Y7

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10

row:
	// (q-32)·y per pair as maddubs(q, y) - maddubs(32, y), then scaled.
	VPMADDUBSW 4(SI), Y0, Y8
	VPMADDUBSW 4(SI), Y15, Y9
	VPSUBW     Y9, Y8, Y8
	VPMADDWD   0(SP), Y8, Y8
	VPMADDUBSW 36(SI), Y1, Y10
	VPMADDUBSW 36(SI), Y15, Y11
	VPSUBW     Y11, Y10, Y10
	VPMADDWD   32(SP), Y10, Y10
	VPMADDUBSW 68(SI), Y2, Y12
	VPMADDUBSW 68(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   64(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 100(SI), Y3, Y12
	VPMADDUBSW 100(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   96(SP), Y12, Y12
	VPADDD     Y12, Y10, Y10
	VPMADDUBSW 132(SI), Y4, Y12
	VPMADDUBSW 132(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   128(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 164(SI), Y5, Y12
	VPMADDUBSW 164(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   160(SP), Y12, Y12
	VPADDD     Y12, Y10, Y10
	VPMADDUBSW 196(SI), Y6, Y12
	VPMADDUBSW 196(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   192(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 228(SI), Y7, Y12
	VPMADDUBSW 228(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   224(SP), Y12, Y12
	VPADDD     Y12, Y10, Y10
	VPADDD     Y10, Y8, Y8
	VCVTDQ2PS    Y8, Y8
	VMULSS       (SI), X14, X9
	VBROADCASTSS X9, Y9
	VMOVUPS      (R10), Y10
	VFMADD231PS  Y8, Y9, Y10
	VMOVUPS      Y10, (R10)

	ADDQ DX, SI
	ADDQ $32, R10
	DECQ DI
	JNZ  row

	ADDQ $210, AX
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

// q6KDotAVX512 is q6KDotAVX2 with 64-byte vectors: zmm j holds vectors 2j
// and 2j+1 (weights Z0..Z3, their 16-bit scales Z4..Z7), and VPDPWSSD
// scales and accumulates the pair sums; the two halves of the result are
// added into the same eight lanes as the AVX2 kernel, so the integer sums
// and every float32 operation are the same.
//
// func q6KDotAVX512(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q6KDotAVX512(SB), 0, $320-56
	MOVQ w+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ xStride+24(FP), DX
	MOVQ nx+32(FP), R8
	VXORPS Y8, Y8, Y8
	MOVQ   R8, DI
	LEAQ   0(SP), R10

zero:
	VMOVUPS Y8, (R10)
	ADDQ    $32, R10
	DECQ    DI
	JNZ     zero
	VPBROADCASTB q4kLow4<>(SB), Z12
	VPBROADCASTB q6kBits45<>(SB), Z13
	VPBROADCASTB q6kThirtyTwo<>(SB), Z15
	VMOVDQU64    q6kScaleIndex<>+0(SB), Z20
	VMOVDQU64    q6kScaleIndex<>+64(SB), Z21
	VMOVDQU64    q6kScaleIndex<>+128(SB), Z22
	VMOVDQU64    q6kScaleIndex<>+192(SB), Z23
	VMOVDQU64    q6kShiftLeft<>(SB), Z24
	VMOVDQU64    q6kShiftRight<>(SB), Z25

block:
	VPMOVSXBW 192(AX), Y8
	VPERMW    Z8, Z20, Z4
	VPERMW    Z8, Z21, Z5
	VPERMW    Z8, Z22, Z6
	VPERMW    Z8, Z23, Z7

	MOVWLZX   208(AX), R10
	VMOVD     R10, X14
	VCVTPH2PS X14, X14

	// Half c: ql[64c:64c+64] holds the low bits of vectors 4c, 4c+1 (low
	// nibbles) and 4c+2, 4c+3 (high nibbles); qh[32c:+32], repeated in both
	// halves, is shifted so that bits 0..1 | 2..3 (then 4..5 | 6..7) land
	// on bits 4..5.
	VMOVDQU64       0(AX), Z8
	VBROADCASTI64X4 128(AX), Z9
	VPANDD          Z12, Z8, Z0
	VPSRLW          $4, Z8, Z1
	VPANDD          Z12, Z1, Z1
	VPSLLVW         Z24, Z9, Z10
	VPANDD          Z13, Z10, Z10
	VPORD           Z10, Z0, Z0
	VPSRLVW         Z25, Z9, Z10
	VPANDD          Z13, Z10, Z10
	VPORD           Z10, Z1, Z1
	VMOVDQU64       64(AX), Z8
	VBROADCASTI64X4 160(AX), Z9
	VPANDD          Z12, Z8, Z2
	VPSRLW          $4, Z8, Z3
	VPANDD          Z12, Z3, Z3
	VPSLLVW         Z24, Z9, Z10
	VPANDD          Z13, Z10, Z10
	VPORD           Z10, Z2, Z2
	VPSRLVW         Z25, Z9, Z10
	VPANDD          Z13, Z10, Z10
	VPORD           Z10, Z3, Z3

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 0(SP), R10

row:
	VPMADDUBSW    4(SI), Z0, Z8
	VPMADDUBSW    4(SI), Z15, Z16
	VPMADDUBSW    68(SI), Z1, Z9
	VPMADDUBSW    68(SI), Z15, Z17
	VPMADDUBSW    132(SI), Z2, Z10
	VPMADDUBSW    132(SI), Z15, Z18
	VPMADDUBSW    196(SI), Z3, Z11
	VPMADDUBSW    196(SI), Z15, Z19
	VPSUBW        Z16, Z8, Z8
	VPSUBW        Z17, Z9, Z9
	VPSUBW        Z18, Z10, Z10
	VPSUBW        Z19, Z11, Z11
	VPMADDWD      Z4, Z8, Z8
	VPDPWSSD      Z5, Z9, Z8
	VPMADDWD      Z6, Z10, Z10
	VPDPWSSD      Z7, Z11, Z10
	VPADDD        Z10, Z8, Z8
	VEXTRACTI64X4 $1, Z8, Y9
	VPADDD        Y9, Y8, Y8
	VCVTDQ2PS     Y8, Y8
	VMULSS        (SI), X14, X9
	VBROADCASTSS  X9, Y9
	VMOVUPS       (R10), Y10
	VFMADD231PS   Y8, Y9, Y10
	VMOVUPS       Y10, (R10)

	ADDQ DX, SI
	ADDQ $32, R10
	DECQ DI
	JNZ  row

	ADDQ $210, AX
	ADDQ $292, BX
	DECQ CX
	JNZ  block

	MOVQ out+40(FP), DI
	MOVQ outStride+48(FP), DX
	SHLQ $2, DX
	LEAQ 0(SP), R10

store:
	KQ_HSUM8
	VMOVSS X9, (DI)
	ADDQ   DX, DI
	ADDQ   $32, R10
	DECQ   R8
	JNZ    store
	VZEROUPPER
	RET

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

// q2KDotAVX2 follows ggml's AVX2 ggml_vec_dot_q2_K_q8_K: per super-block
// first the mins (lane l: mins[2l]·bsum[2l] + mins[2l+1]·bsum[2l+1]) are
// fused into the lanes with -y.d·dmin, then the 2-bit values (vector v from
// qs[32(v/4):+32] bits 2(v%4)) times the activations and the 4-bit group
// scales with y.d·d. Frame as q6KDotAVX2.
//
// func q2KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q2KDotAVX2(SB), 0, $672-56
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

block:
	VMOVDQU   0(AX), X8
	VPSRLW    $4, X8, X9
	VPAND     q4kLow4<>(SB), X8, X8
	VPAND     q4kLow4<>(SB), X9, X9
	VPMOVZXBW X9, Y15 // the mins
	VPMOVZXBW X8, Y8
	VMOVDQU   Y8, 640(SP)
	VMOVDQU         q6kScaleShuffle<>(SB), Y12
	VPBROADCASTD    640(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 0(SP)
	VPBROADCASTD    644(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 32(SP)
	VPBROADCASTD    648(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 64(SP)
	VPBROADCASTD    652(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 96(SP)
	VPBROADCASTD    656(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 128(SP)
	VPBROADCASTD    660(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 160(SP)
	VPBROADCASTD    664(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 192(SP)
	VPBROADCASTD    668(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 224(SP)

	MOVWLZX   80(AX), R10
	VMOVD     R10, X14
	VCVTPH2PS X14, X14
	MOVWLZX   82(AX), R10
	XORL      $0x8000, R10
	VMOVD     R10, X13
	VCVTPH2PS X13, X13

	VMOVDQU kq3Low2<>(SB), Y12
	VMOVDQU 16(AX), Y10
	VPAND   Y12, Y10, Y0
	VPSRLW  $2, Y10, Y1
	VPAND   Y12, Y1, Y1
	VPSRLW  $4, Y10, Y2
	VPAND   Y12, Y2, Y2
	VPSRLW  $6, Y10, Y3
	VPAND   Y12, Y3, Y3
	VMOVDQU 48(AX), Y10
	VPAND   Y12, Y10, Y4
	VPSRLW  $2, Y10, Y5
	VPAND   Y12, Y5, Y5
	VPSRLW  $4, Y10, Y6
	VPAND   Y12, Y6, Y6
	VPSRLW  $6, Y10, Y7
	VPAND   Y12, Y7, Y7

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10

row:
	VPMADDWD     260(SI), Y15, Y8
	VCVTDQ2PS    Y8, Y8
	VMULSS       (SI), X13, X9
	VBROADCASTSS X9, Y9
	VMOVUPS      (R10), Y10
	VFMADD231PS  Y8, Y9, Y10
	VMOVUPS      Y10, (R10)
	VPMADDUBSW 4(SI), Y0, Y8
	VPMADDWD   0(SP), Y8, Y8
	VPMADDUBSW 36(SI), Y1, Y10
	VPMADDWD   32(SP), Y10, Y10
	VPMADDUBSW 68(SI), Y2, Y12
	VPMADDWD   64(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 100(SI), Y3, Y11
	VPMADDWD   96(SP), Y11, Y11
	VPADDD     Y11, Y10, Y10
	VPMADDUBSW 132(SI), Y4, Y12
	VPMADDWD   128(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 164(SI), Y5, Y11
	VPMADDWD   160(SP), Y11, Y11
	VPADDD     Y11, Y10, Y10
	VPMADDUBSW 196(SI), Y6, Y12
	VPMADDWD   192(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 228(SI), Y7, Y11
	VPMADDWD   224(SP), Y11, Y11
	VPADDD     Y11, Y10, Y10
	VPADDD     Y10, Y8, Y8
	VCVTDQ2PS    Y8, Y8
	VMULSS       (SI), X14, X9
	VBROADCASTSS X9, Y9
	VMOVUPS      (R10), Y10
	VFMADD231PS  Y8, Y9, Y10
	VMOVUPS      Y10, (R10)

	ADDQ DX, SI
	ADDQ $32, R10
	DECQ DI
	JNZ  row

	ADDQ $84, AX
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

// q3KDotAVX2 follows ggml's AVX2 ggml_vec_dot_q3_K_q8_K: the values
// q + 4·hbit (0..7) of vector v (elements 32v..32v+31; 2-bit q from
// qs[32(v/4):+32] bits 2(v%4), hbit from hmask bit v) against the
// activations, minus 4·y, times the signed 6-bit group scales. Frame as
// q6KDotAVX2.
//
// func q3KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
TEXT ·q3KDotAVX2(SB), 0, $672-56
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
	VMOVDQU q3kFour<>(SB), Y15

block:
	// The 16 scales (ggml's aux shuffle), minus 32, as words at 640(SP).
	MOVL 96(AX), R10
	MOVL 100(AX), R11
	MOVL 104(AX), R12
	MOVL R10, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R12, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13
	VMOVD R13, X8
	MOVL R11, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R12, DI
	SHRL $2, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13
	VPINSRD $1, R13, X8, X8
	MOVL R10, R13
	SHRL $4, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R12, DI
	SHRL $4, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13
	VPINSRD $2, R13, X8, X8
	MOVL R11, R13
	SHRL $4, R13
	ANDL $0x0f0f0f0f, R13
	MOVL R12, DI
	SHRL $6, DI
	ANDL $0x03030303, DI
	SHLL $4, DI
	ORL  DI, R13
	VPINSRD $3, R13, X8, X8
	VPSUBB    q6kThirtyTwo<>(SB), X8, X8
	VPMOVSXBW X8, Y8
	VMOVDQU   Y8, 640(SP)
	VMOVDQU         q6kScaleShuffle<>(SB), Y12
	VPBROADCASTD    640(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 0(SP)
	VPBROADCASTD    644(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 32(SP)
	VPBROADCASTD    648(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 64(SP)
	VPBROADCASTD    652(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 96(SP)
	VPBROADCASTD    656(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 128(SP)
	VPBROADCASTD    660(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 160(SP)
	VPBROADCASTD    664(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 192(SP)
	VPBROADCASTD    668(SP), Y9
	VPSHUFB         Y12, Y9, Y9
	VMOVDQU         Y9, 224(SP)

	MOVWLZX   108(AX), R10
	VMOVD     R10, X14
	VCVTPH2PS X14, X14

	VMOVDQU kq3Low2<>(SB), Y12
	VMOVDQU q3kFour<>(SB), Y13
	VMOVDQU 0(AX), Y11
	VMOVDQU 32(AX), Y10
	VPAND   Y12, Y10, Y0
	VPSLLW  $2, Y11, Y9
	VPAND   Y13, Y9, Y9
	VPOR    Y9, Y0, Y0
	VPSRLW  $2, Y10, Y1
	VPAND   Y12, Y1, Y1
	VPSLLW  $1, Y11, Y9
	VPAND   Y13, Y9, Y9
	VPOR    Y9, Y1, Y1
	VPSRLW  $4, Y10, Y2
	VPAND   Y12, Y2, Y2
	VPAND   Y13, Y11, Y9
	VPOR    Y9, Y2, Y2
	VPSRLW  $6, Y10, Y3
	VPAND   Y12, Y3, Y3
	VPSRLW  $1, Y11, Y9
	VPAND   Y13, Y9, Y9
	VPOR    Y9, Y3, Y3
	VMOVDQU 64(AX), Y10
	VPAND   Y12, Y10, Y4
	VPSRLW  $2, Y11, Y9
	VPAND   Y13, Y9, Y9
	VPOR    Y9, Y4, Y4
	VPSRLW  $2, Y10, Y5
	VPAND   Y12, Y5, Y5
	VPSRLW  $3, Y11, Y9
	VPAND   Y13, Y9, Y9
	VPOR    Y9, Y5, Y5
	VPSRLW  $4, Y10, Y6
	VPAND   Y12, Y6, Y6
	VPSRLW  $4, Y11, Y9
	VPAND   Y13, Y9, Y9
	VPOR    Y9, Y6, Y6
	VPSRLW  $6, Y10, Y7
	VPAND   Y12, Y7, Y7
	VPSRLW  $5, Y11, Y9
	VPAND   Y13, Y9, Y9
	VPOR    Y9, Y7, Y7

	MOVQ BX, SI
	MOVQ R8, DI
	LEAQ 256(SP), R10

row:
	VPMADDUBSW 4(SI), Y0, Y8
	VPMADDUBSW 4(SI), Y15, Y9
	VPSUBW     Y9, Y8, Y8
	VPMADDWD   0(SP), Y8, Y8
	VPMADDUBSW 36(SI), Y1, Y10
	VPMADDUBSW 36(SI), Y15, Y11
	VPSUBW     Y11, Y10, Y10
	VPMADDWD   32(SP), Y10, Y10
	VPMADDUBSW 68(SI), Y2, Y12
	VPMADDUBSW 68(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   64(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 100(SI), Y3, Y12
	VPMADDUBSW 100(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   96(SP), Y12, Y12
	VPADDD     Y12, Y10, Y10
	VPMADDUBSW 132(SI), Y4, Y12
	VPMADDUBSW 132(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   128(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 164(SI), Y5, Y12
	VPMADDUBSW 164(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   160(SP), Y12, Y12
	VPADDD     Y12, Y10, Y10
	VPMADDUBSW 196(SI), Y6, Y12
	VPMADDUBSW 196(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   192(SP), Y12, Y12
	VPADDD     Y12, Y8, Y8
	VPMADDUBSW 228(SI), Y7, Y12
	VPMADDUBSW 228(SI), Y15, Y13
	VPSUBW     Y13, Y12, Y12
	VPMADDWD   224(SP), Y12, Y12
	VPADDD     Y12, Y10, Y10
	VPADDD     Y10, Y8, Y8
	VCVTDQ2PS    Y8, Y8
	VMULSS       (SI), X14, X9
	VBROADCASTSS X9, Y9
	VMOVUPS      (R10), Y10
	VFMADD231PS  Y8, Y9, Y10
	VMOVUPS      Y10, (R10)

	ADDQ DX, SI
	ADDQ $32, R10
	DECQ DI
	JNZ  row

	ADDQ $110, AX
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
