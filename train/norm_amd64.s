//go:build amd64 && !purego

#include "textflag.h"

// RMSNorm's row loops on AVX-512; every n is a positive multiple of 16.

// func normScaleAVX512(y, x, w *float32, n int, r float32)
// y = (x·r)·w.
TEXT ·normScaleAVX512(SB), NOSPLIT, $0-36
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS r+32(FP), Z1
	XORQ BX, BX

nsloop:
	VMULPS (SI)(BX*1), Z1, Z0
	VMULPS (DX)(BX*1), Z0, Z0
	VMOVUPS Z0, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ nsloop
	VZEROUPPER
	RET

// func dot3AVX512(a, b, c *float32, n int) float32
// Σ (a·b)·c.
TEXT ·dot3AVX512(SB), NOSPLIT, $0-36
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ c+16(FP), DX
	MOVQ n+24(FP), CX
	VPXORD Z2, Z2, Z2
	XORQ BX, BX

d3loop:
	VMOVUPS (SI)(BX*1), Z0
	VMULPS (DI)(BX*1), Z0, Z0
	VFMADD231PS (DX)(BX*1), Z0, Z2
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ d3loop
	VEXTRACTF32X8 $1, Z2, Y3
	VADDPS Y3, Y2, Y2
	VEXTRACTF32X4 $1, Y2, X3
	VADDPS X3, X2, X2
	VHADDPS X2, X2, X2
	VHADDPS X2, X2, X2
	MOVSS X2, ret+32(FP)
	VZEROUPPER
	RET

// func normBackAVX512(dx, dy, x, w *float32, n int, r, c float32)
// dx += (dy·w)·r − c·x.
TEXT ·normBackAVX512(SB), NOSPLIT, $0-48
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ w+24(FP), DX
	MOVQ n+32(FP), CX
	VBROADCASTSS r+40(FP), Z4
	VBROADCASTSS c+44(FP), Z5
	XORQ BX, BX

nbloop:
	VMOVUPS (SI)(BX*1), Z0
	VMULPS (DX)(BX*1), Z0, Z0
	VMULPS Z4, Z0, Z0
	VMULPS (R8)(BX*1), Z5, Z1
	VSUBPS Z1, Z0, Z0
	VADDPS (DI)(BX*1), Z0, Z0
	VMOVUPS Z0, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ nbloop
	VZEROUPPER
	RET

// func normWeightAVX512(dw, dy, x *float32, n int, r float32)
// dw += (dy·x)·r.
TEXT ·normWeightAVX512(SB), NOSPLIT, $0-36
	MOVQ dw+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS r+32(FP), Z4
	XORQ BX, BX

nwloop:
	VMOVUPS (SI)(BX*1), Z0
	VMULPS (DX)(BX*1), Z0, Z0
	VMULPS Z4, Z0, Z0
	VADDPS (DI)(BX*1), Z0, Z0
	VMOVUPS Z0, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ nwloop
	VZEROUPPER
	RET

// func addToAVX512(dst, src *float32, n int)
// dst += src.
TEXT ·addToAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ BX, BX

addloop:
	VMOVUPS (SI)(BX*1), Z0
	VADDPS (DI)(BX*1), Z0, Z0
	VMOVUPS Z0, (DI)(BX*1)
	ADDQ $64, BX
	SUBQ $16, CX
	JNZ addloop
	VZEROUPPER
	RET
