//go:build !purego

#include "textflag.h"
#include "vecdot_kquant_amd64.h"

// AVX2 kernels for the K-quants with 32-element scale groups, Q4_K and
// Q5_K (see vecdot_kquant_amd64.h for the common order and frame).

DATA q4kLow4<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA q4kLow4<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL q4kLow4<>(SB), RODATA|NOPTR, $32

DATA q5kBit4<>+0(SB)/8, $0x1010101010101010
DATA q5kBit4<>+8(SB)/8, $0x1010101010101010
DATA q5kBit4<>+16(SB)/8, $0x1010101010101010
DATA q5kBit4<>+24(SB)/8, $0x1010101010101010
GLOBL q5kBit4<>(SB), RODATA|NOPTR, $32

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
