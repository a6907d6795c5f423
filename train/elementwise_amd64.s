//go:build amd64 && !purego

#include "textflag.h"

// Element-wise AVX-512 loops of training. Every n is a positive multiple of 16.

// BCAST broadcasts the float32 with bits c into z.
#define BCAST(c, z) \
	MOVL c, AX \
	VPBROADCASTD AX, z

// EXPCONSTS loads the constants of EXP into Z22–Z30: −87, log2 e, ln 2,
// 1, and the Taylor coefficients 1/2 ... 1/720 (Z30 down to Z22).
#define EXPCONSTS \
	BCAST($0xC2AE0000, Z30) \
	BCAST($0x3FB8AA3B, Z29) \
	BCAST($0x3F317218, Z28) \
	BCAST($0x3F800000, Z27) \
	BCAST($0x3F000000, Z26) \
	BCAST($0x3E2AAAAB, Z25) \
	BCAST($0x3D2AAAAB, Z24) \
	BCAST($0x3C088889, Z23) \
	BCAST($0x3AB60B61, Z22)

// EXP sets Z3 = e^Z0 for Z0 <= 0 (clamped below at −87), as exp32 does:
// 2^round(t) by VSCALEFPS times a degree-6 polynomial of the remainder.
// It clobbers Z0–Z2.
#define EXP \
	VMAXPS Z30, Z0, Z0 \
	VMULPS Z29, Z0, Z1 \
	VRNDSCALEPS $0, Z1, Z2 \
	VSUBPS Z2, Z1, Z1 \
	VMULPS Z28, Z1, Z1 \
	VMOVAPS Z22, Z3 \
	VFMADD213PS Z23, Z1, Z3 \
	VFMADD213PS Z24, Z1, Z3 \
	VFMADD213PS Z25, Z1, Z3 \
	VFMADD213PS Z26, Z1, Z3 \
	VFMADD213PS Z27, Z1, Z3 \
	VFMADD213PS Z27, Z1, Z3 \
	VSCALEFPS Z2, Z3, Z3

// SIGMOID sets Z7 = 1/(1+e^−x) for x in Z4, dividing as sigmoid does (e
// taken of −|x|); Z21 holds the sign bit, Z20 zero. Clobbers Z0–Z3, Z6, K1.
#define SIGMOID \
	VPORD Z21, Z4, Z0 \
	EXP \
	VADDPS Z27, Z3, Z6 \
	VMOVAPS Z27, Z7 \
	VCMPPS $1, Z20, Z4, K1 \
	VMOVAPS Z3, K1, Z7 \
	VDIVPS Z6, Z7, Z7

// func maxAVX512(x *float32, n int) float32
TEXT ·maxAVX512(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VMOVUPS (SI), Z0
	ADDQ $64, SI
	SUBQ $16, CX
	JZ maxdone

maxloop:
	VMAXPS (SI), Z0, Z0
	ADDQ $64, SI
	SUBQ $16, CX
	JNZ maxloop

maxdone:
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS Y1, Y0, Y0
	VEXTRACTF32X4 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func swigluAVX512(h, gate, up *float32, n int)
// h = (g·sigmoid(g))·u.
TEXT ·swigluAVX512(SB), NOSPLIT, $0-32
	MOVQ h+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DX
	MOVQ n+24(FP), CX
	EXPCONSTS
	BCAST($0x80000000, Z21)
	VPXORD Z20, Z20, Z20
	XORQ BX, BX

swiloop:
	VMOVUPS (SI)(BX*1), Z4
	SIGMOID
	VMULPS Z7, Z4, Z8
	VMULPS (DX)(BX*1), Z8, Z8
	VMOVUPS Z8, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ swiloop
	VZEROUPPER
	RET

// func swigluBackAVX512(dg, du, dh, gate, up *float32, n int)
// du = (dh·g)·s and dg = ((dh·u)·s)·(1+g·(1−s)) with s = sigmoid(g).
TEXT ·swigluBackAVX512(SB), NOSPLIT, $0-48
	MOVQ dg+0(FP), DI
	MOVQ du+8(FP), R8
	MOVQ dh+16(FP), R9
	MOVQ gate+24(FP), SI
	MOVQ up+32(FP), DX
	MOVQ n+40(FP), CX
	EXPCONSTS
	BCAST($0x80000000, Z21)
	VPXORD Z20, Z20, Z20
	XORQ BX, BX

swibloop:
	VMOVUPS (SI)(BX*1), Z4
	SIGMOID
	VMOVUPS (R9)(BX*1), Z5
	VMULPS Z4, Z5, Z8
	VMULPS Z7, Z8, Z8
	VMOVUPS Z8, (R8)(BX*1)
	VMULPS (DX)(BX*1), Z5, Z9
	VMULPS Z7, Z9, Z9
	VSUBPS Z7, Z27, Z10
	VMULPS Z10, Z4, Z10
	VADDPS Z27, Z10, Z10
	VMULPS Z10, Z9, Z9
	VMOVUPS Z9, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ swibloop
	VZEROUPPER
	RET

// func sumSquaresAVX512(x *float32, n int) float64
// Σ x[i]² accumulated in float64.
TEXT ·sumSquaresAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1

ssloop:
	VCVTPS2PD (SI), Z2
	VCVTPS2PD 32(SI), Z3
	VFMADD231PD Z2, Z2, Z0
	VFMADD231PD Z3, Z3, Z1
	ADDQ $64, SI
	SUBQ $16, CX
	JNZ ssloop
	VADDPD Z1, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD Y1, Y0, Y0
	VEXTRACTF64X2 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	MOVSD X0, ret+16(FP)
	VZEROUPPER
	RET

// func adamwAVX512(w, grad, m, v *float32, n int, c *adamConsts)
// One AdamW step over n values with the constants of adamConsts; the
// gradient is scaled by c.gscale first (and written back when c.store is set).
TEXT ·adamwAVX512(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), DX
	VBROADCASTSS 0(DX), Z20  // β1
	VBROADCASTSS 4(DX), Z21  // 1−β1
	VBROADCASTSS 8(DX), Z22  // β2
	VBROADCASTSS 12(DX), Z23 // 1−β2
	VBROADCASTSS 16(DX), Z24 // decay
	VBROADCASTSS 20(DX), Z25 // step
	VBROADCASTSS 24(DX), Z26 // 1/(1−β2^t)
	VBROADCASTSS 28(DX), Z27 // ε
	VBROADCASTSS 32(DX), Z28 // gradient scale
	MOVL 36(DX), R10         // store the scaled gradient
	XORQ BX, BX

adamloop:
	VMULPS (SI)(BX*1), Z28, Z0
	TESTL R10, R10
	JZ adamnostore
	VMOVUPS Z0, (SI)(BX*1)

adamnostore:
	VMULPS (R8)(BX*1), Z20, Z1
	VMULPS Z0, Z21, Z2
	VADDPS Z2, Z1, Z1
	VMOVUPS Z1, (R8)(BX*1)
	VMULPS Z0, Z23, Z3
	VMULPS Z0, Z3, Z3
	VMULPS (R9)(BX*1), Z22, Z4
	VADDPS Z3, Z4, Z4
	VMOVUPS Z4, (R9)(BX*1)
	VMULPS Z26, Z4, Z4
	VSQRTPS Z4, Z4
	VADDPS Z27, Z4, Z4
	VMULPS Z1, Z25, Z5
	VDIVPS Z4, Z5, Z5
	VMULPS (DI)(BX*1), Z24, Z6
	VSUBPS Z5, Z6, Z6
	VMOVUPS Z6, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ adamloop
	VZEROUPPER
	RET
