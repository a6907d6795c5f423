//go:build !purego

#include "textflag.h"

// tailMask sets K1 to the low n%m bits for the last partial vector of n
// elements, m lanes wide (16 or 8): AX is clobbered.
#define TAILMASK(n, m) \
	MOVQ  n, AX;           \
	ANDQ  $(m-1), AX;      \
	MOVQ  $1, BX;          \
	SHLXQ AX, BX, BX;      \
	DECQ  BX;              \
	KMOVW BX, K1

// func softmaxShiftAVX512(x *float32, n int)
TEXT ·softmaxShiftAVX512(SB), NOSPLIT, $0-16
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVL         $0xff800000, AX // -Inf
	VPBROADCASTD AX, Z2
	VMOVAPS      Z2, Z0
	MOVQ         CX, DX
	SHRQ         $4, DX
	MOVQ         SI, DI
	TESTQ        DX, DX
	JZ           maxtail

maxloop:
	// A NaN is never taken (it is the first operand): the result is all
	// NaN either way, as the sum is then NaN.
	VMAXPS (DI), Z0, Z0
	ADDQ   $64, DI
	DECQ   DX
	JNZ    maxloop

maxtail:
	TAILMASK(CX, 16)
	VMOVAPS Z2, Z1
	VMOVUPS (DI), K1, Z1
	VMAXPS  Z1, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXPS        X1, X0, X0
	VBROADCASTSS  X0, Z0

	MOVQ CX, DX
	SHRQ $4, DX
	TESTQ DX, DX
	JZ   subtail

subloop:
	VMOVUPS (SI), Z1
	VSUBPS  Z0, Z1, Z1
	VMOVUPS Z1, (SI)
	ADDQ    $64, SI
	DECQ    DX
	JNZ     subloop

subtail:
	VMOVUPS.Z (SI), K1, Z1
	VSUBPS    Z0, Z1, Z1
	VMOVUPS   Z1, K1, (SI)
	VZEROUPPER
	RET

// func sumLanes64AVX512(x *float32, n int) float64
TEXT ·sumLanes64AVX512(SB), NOSPLIT, $0-24
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPD Z0, Z0, Z0
	MOVQ   CX, DX
	SHRQ   $3, DX
	TESTQ  DX, DX
	JZ     sumtail

sumloop:
	VCVTPS2PD (SI), Z1
	VADDPD    Z1, Z0, Z0
	ADDQ      $32, SI
	DECQ      DX
	JNZ       sumloop

sumtail:
	TAILMASK(CX, 8)
	VCVTPS2PD.Z (SI), K1, Z1
	VADDPD      Z1, Z0, Z0
	// ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7))
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VPERMILPD     $1, X0, X1
	VADDSD        X1, X0, X0
	VMOVSD        X0, ret+16(FP)
	VZEROUPPER
	RET

// func scaleAVX512(x *float32, n int, s float32)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS s+16(FP), Z0
	MOVQ         CX, DX
	SHRQ         $4, DX
	TESTQ        DX, DX
	JZ           scaletail

scaleloop:
	VMULPS  (SI), Z0, Z1
	VMOVUPS Z1, (SI)
	ADDQ    $64, SI
	DECQ    DX
	JNZ     scaleloop

scaletail:
	TAILMASK(CX, 16)
	VMOVUPS.Z (SI), K1, Z1
	VMULPS    Z0, Z1, Z1
	VMOVUPS   Z1, K1, (SI)
	VZEROUPPER
	RET
