//go:build amd64 && !purego

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func expSubSumAVX512(x *float32, n int, mx float32) float32
// x[i] = e^(x[i]-mx) for i < n (a positive multiple of 16), arguments below
// −87 clamped; returns Σ x[i]. Same split as exp32: 2^round(t) by VSCALEFPS
// times a degree-6 polynomial of the remainder.
TEXT ·expSubSumAVX512(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS mx+16(FP), Z31
	MOVL $0xC2AE0000, AX // -87
	VPBROADCASTD AX, Z30
	MOVL $0x3FB8AA3B, AX // log2 e
	VPBROADCASTD AX, Z29
	MOVL $0x3F317218, AX // ln 2
	VPBROADCASTD AX, Z28
	MOVL $0x3F800000, AX // 1
	VPBROADCASTD AX, Z27
	MOVL $0x3F000000, AX // 1/2
	VPBROADCASTD AX, Z26
	MOVL $0x3E2AAAAB, AX // 1/6
	VPBROADCASTD AX, Z25
	MOVL $0x3D2AAAAB, AX // 1/24
	VPBROADCASTD AX, Z24
	MOVL $0x3C088889, AX // 1/120
	VPBROADCASTD AX, Z23
	MOVL $0x3AB60B61, AX // 1/720
	VPBROADCASTD AX, Z22
	VPXORD Z4, Z4, Z4

exploop:
	VMOVUPS (SI), Z0
	VSUBPS Z31, Z0, Z0
	VMAXPS Z30, Z0, Z0
	VMULPS Z29, Z0, Z1
	VRNDSCALEPS $0, Z1, Z2
	VSUBPS Z2, Z1, Z1
	VMULPS Z28, Z1, Z1
	VMOVAPS Z22, Z3
	VFMADD213PS Z23, Z1, Z3
	VFMADD213PS Z24, Z1, Z3
	VFMADD213PS Z25, Z1, Z3
	VFMADD213PS Z26, Z1, Z3
	VFMADD213PS Z27, Z1, Z3
	VFMADD213PS Z27, Z1, Z3
	VSCALEFPS Z2, Z3, Z3
	VMOVUPS Z3, (SI)
	VADDPS Z3, Z4, Z4
	ADDQ $64, SI
	SUBQ $16, CX
	JNZ exploop

	VEXTRACTF32X8 $1, Z4, Y5
	VADDPS Y5, Y4, Y4
	VEXTRACTF32X4 $1, Y4, X5
	VADDPS X5, X4, X4
	VHADDPS X4, X4, X4
	VHADDPS X4, X4, X4
	MOVSS X4, ret+24(FP)
	VZEROUPPER
	RET
