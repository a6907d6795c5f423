//go:build !purego

#include "textflag.h"

// EXP_CONSTS loads kernelExp's constants from the table at DX: Z24..Z28
// log2e, ln2hi, ln2lo, min, max; Z10..Z23 1/n! for n = 0..13.
#define EXP_CONSTS \
	VBROADCASTSD 0(DX), Z24; \
	VBROADCASTSD 8(DX), Z25; \
	VBROADCASTSD 16(DX), Z26; \
	VBROADCASTSD 24(DX), Z27; \
	VBROADCASTSD 32(DX), Z28; \
	VBROADCASTSD 40(DX), Z10; \
	VBROADCASTSD 48(DX), Z11; \
	VBROADCASTSD 56(DX), Z12; \
	VBROADCASTSD 64(DX), Z13; \
	VBROADCASTSD 72(DX), Z14; \
	VBROADCASTSD 80(DX), Z15; \
	VBROADCASTSD 88(DX), Z16; \
	VBROADCASTSD 96(DX), Z17; \
	VBROADCASTSD 104(DX), Z18; \
	VBROADCASTSD 112(DX), Z19; \
	VBROADCASTSD 120(DX), Z20; \
	VBROADCASTSD 128(DX), Z21; \
	VBROADCASTSD 136(DX), Z22; \
	VBROADCASTSD 144(DX), Z23

// EXP_PD sets Z3 to kernelExp of the eight float64 in Z0 (clobbering Z0..Z2):
// x clamped to [min, max] (a NaN stays, the second source of VMAXPD
// winning), k = x·log2e to nearest even, r = x - k·ln2hi - k·ln2lo, the
// polynomial in r by Horner's rule, then scaled by 2^k exactly.
#define EXP_PD \
	VMAXPD       Z0, Z27, Z0; \
	VMINPD       Z0, Z28, Z0; \
	VMULPD       Z24, Z0, Z1; \
	VRNDSCALEPD  $0, Z1, Z1; \
	VMOVAPD      Z0, Z2; \
	VFNMADD231PD Z25, Z1, Z2; \
	VFNMADD231PD Z26, Z1, Z2; \
	VMOVAPD      Z23, Z3; \
	VFMADD213PD  Z22, Z2, Z3; \
	VFMADD213PD  Z21, Z2, Z3; \
	VFMADD213PD  Z20, Z2, Z3; \
	VFMADD213PD  Z19, Z2, Z3; \
	VFMADD213PD  Z18, Z2, Z3; \
	VFMADD213PD  Z17, Z2, Z3; \
	VFMADD213PD  Z16, Z2, Z3; \
	VFMADD213PD  Z15, Z2, Z3; \
	VFMADD213PD  Z14, Z2, Z3; \
	VFMADD213PD  Z13, Z2, Z3; \
	VFMADD213PD  Z12, Z2, Z3; \
	VFMADD213PD  Z11, Z2, Z3; \
	VFMADD213PD  Z10, Z2, Z3; \
	VSCALEFPD    Z1, Z3, Z3

// func expAVX512(x *float32, n int, table *[19]float64)
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ table+16(FP), DX
	SHRQ $3, CX
	JZ   done
	EXP_CONSTS

loop:
	VCVTPS2PD (SI), Z0
	EXP_PD
	VCVTPD2PS Z3, Y3
	VMOVUPS   Y3, (SI)
	ADDQ      $32, SI
	DECQ      CX
	JNZ       loop
	VZEROUPPER

done:
	RET

// func siluMulAVX512(out, gate, up *float32, n int, table *[19]float64)
TEXT ·siluMulAVX512(SB), NOSPLIT, $0-40
	MOVQ         out+0(FP), DI
	MOVQ         gate+8(FP), SI
	MOVQ         up+16(FP), BX
	MOVQ         n+24(FP), CX
	MOVQ         table+32(FP), DX
	SHRQ         $3, CX
	JZ           sdone
	EXP_CONSTS
	MOVL         $0x80000000, AX
	VPBROADCASTD AX, Y29            // sign bit
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Y30            // 1.0

sloop:
	VMOVUPS   (SI), Y31             // g
	VXORPS    Y29, Y31, Y0          // -g
	VCVTPS2PD Y0, Z0
	EXP_PD
	VCVTPD2PS Z3, Y3                // e = exp(-g) in float32
	VADDPS    Y30, Y3, Y3           // 1 + e
	VDIVPS    Y3, Y31, Y3           // g / (1 + e)
	VMULPS    (BX), Y3, Y3          // · up
	VMOVUPS   Y3, (DI)
	ADDQ      $32, SI
	ADDQ      $32, BX
	ADDQ      $32, DI
	DECQ      CX
	JNZ       sloop
	VZEROUPPER

sdone:
	RET
