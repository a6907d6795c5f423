//go:build !purego

#include "textflag.h"

// Q8_0_SCALE loads the block of 32 at SI into Z5 and Z6 and sets X0 to its
// largest magnitude and X3 to the f16 of d = amax/127 (Z7 holds the
// magnitude mask, X8 127.0).
#define Q8_0_SCALE \
	VMOVUPS       0(SI), Z5;      \
	VMOVUPS       64(SI), Z6;     \
	VPANDD        Z7, Z5, Z0;     \
	VPANDD        Z7, Z6, Z1;     \
	VMAXPS        Z1, Z0, Z0;     \
	VEXTRACTF32X8 $1, Z0, Y1;     \
	VMAXPS        Y1, Y0, Y0;     \
	VEXTRACTF128  $1, Y0, X1;     \
	VMAXPS        X1, X0, X0;     \
	VPERMILPS     $0x4e, X0, X1;  \
	VMAXPS        X1, X0, X0;     \
	VPERMILPS     $0xb1, X0, X1;  \
	VMAXSS        X1, X0, X0;     \
	VDIVSS        X8, X0, X2;     \
	VCVTPS2PH     $0, X2, X3

// Q8_0_QUANTS scales Z5 and Z6 by X4 (127/amax, or 0) and leaves the quants,
// rounded to nearest even and saturated, in X5 and X6.
#define Q8_0_QUANTS \
	VBROADCASTSS X4, Z4;  \
	VMULPS       Z4, Z5, Z5; \
	VMULPS       Z4, Z6, Z6; \
	VCVTPS2DQ    Z5, Z5;  \
	VCVTPS2DQ    Z6, Z6;  \
	VPMOVSDB     Z5, X5;  \
	VPMOVSDB     Z6, X6

// func quantizeQ8_0AVX512(src *float32, dst *byte, nb int)
TEXT ·quantizeQ8_0AVX512(SB), NOSPLIT, $0-24
	MOVQ         src+0(FP), SI
	MOVQ         dst+8(FP), DI
	MOVQ         nb+16(FP), CX
	TESTQ        CX, CX
	JZ           done
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z7          // |x| mask
	MOVL         $0x42fe0000, AX // 127.0
	VMOVD        AX, X8

block:
	Q8_0_SCALE
	VMOVD        X3, AX
	MOVW         AX, 0(DI)
	VXORPS       X4, X4, X4
	VMOVD        X0, AX
	TESTL        AX, AX
	JZ           zero
	VDIVSS       X0, X8, X4      // id = 127/amax

zero:
	Q8_0_QUANTS
	VMOVDQU      X5, 2(DI)
	VMOVDQU      X6, 18(DI)
	ADDQ         $128, SI
	ADDQ         $34, DI
	DECQ         CX
	JNZ          block
	VZEROUPPER

done:
	RET

// func quantizeQ8_0SumsAVX512(src *float32, dst *byte, nb int)
TEXT ·quantizeQ8_0SumsAVX512(SB), NOSPLIT, $0-24
	MOVQ         src+0(FP), SI
	MOVQ         dst+8(FP), DI
	MOVQ         nb+16(FP), CX
	TESTQ        CX, CX
	JZ           sdone
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z7          // |x| mask
	MOVL         $0x42fe0000, AX // 127.0
	VMOVD        AX, X8

sblock:
	Q8_0_SCALE
	VCVTPH2PS    X3, X3          // d as its f16 rounds it
	VMOVSS       X3, 0(DI)
	VXORPS       X4, X4, X4
	VMOVD        X0, AX
	TESTL        AX, AX
	JZ           szero
	VDIVSS       X0, X8, X4      // id = 127/amax

szero:
	Q8_0_QUANTS
	VMOVDQU      X5, 8(DI)
	VMOVDQU      X6, 24(DI)
	// -8·Σq of the saturated quants.
	VPMOVSXBD    X5, Z5
	VPMOVSXBD    X6, Z6
	VPADDD       Z6, Z5, Z5
	VEXTRACTI64X4 $1, Z5, Y6
	VPADDD       Y6, Y5, Y5
	VEXTRACTI128 $1, Y5, X6
	VPADDD       X6, X5, X5
	VPSHUFD      $0x4e, X5, X6
	VPADDD       X6, X5, X5
	VPSHUFD      $0xb1, X5, X6
	VPADDD       X6, X5, X5
	VMOVD        X5, AX
	SHLL         $3, AX
	NEGL         AX
	MOVL         AX, 4(DI)
	ADDQ         $128, SI
	ADDQ         $40, DI
	DECQ         CX
	JNZ          sblock
	VZEROUPPER

sdone:
	RET

// func quantizeQ8KAVX512(src *float32, dst *byte, nb int)
TEXT ·quantizeQ8KAVX512(SB), NOSPLIT, $0-24
	MOVQ         src+0(FP), SI
	MOVQ         dst+8(FP), DI
	MOVQ         nb+16(FP), CX
	TESTQ        CX, CX
	JZ           kdone
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z31           // |x| mask
	MOVL         $0x4b400000, AX   // 12582912.0
	VPBROADCASTD AX, Z30
	MOVL         $0x007fffff, AX
	VPBROADCASTD AX, Z29
	MOVL         $0x00400000, AX
	VPBROADCASTD AX, Z28
	MOVL         $127, AX
	VPBROADCASTD AX, Z27
	MOVL         $0xc2fe0000, AX   // -127.0
	VMOVD        AX, X26
	MOVL         $0x3f800000, AX   // 1.0
	VMOVD        AX, X25

kblock:
	// amax over the block, a NaN never taken (it is the first operand).
	VPXORD Z0, Z0, Z0
	MOVQ   $0, BX

kmax:
	VPANDD (SI)(BX*1), Z31, Z1
	VMAXPS Z0, Z1, Z0
	ADDQ   $64, BX
	CMPQ   BX, $1024
	JNE    kmax
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y0, Y1, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X0, X1, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X0, X1, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXSS        X0, X1, X0       // amax
	VMOVD         X0, AX
	TESTL         AX, AX
	JZ            kzero

	// max: the first element whose magnitude is amax.
	VBROADCASTSS X0, Z2
	MOVQ         $0, BX

kfind:
	VPANDD   (SI)(BX*1), Z31, Z1
	VCMPPS   $0, Z2, Z1, K1        // equal
	KMOVW    K1, AX
	TESTL    AX, AX
	JNZ      kfound
	ADDQ     $64, BX
	JMP      kfind

kfound:
	BSFL   AX, AX
	LEAQ   (BX)(AX*4), BX
	VMOVSS (SI)(BX*1), X3          // max
	VDIVSS X3, X26, X4             // iscale = -127/max
	VDIVSS X4, X25, X5             // d = 1/iscale
	VMOVSS X5, 0(DI)
	VBROADCASTSS X4, Z4
	MOVQ   $0, BX
	MOVQ   $0, DX

kquant:
	// nearestInt(iscale·x) as ggml computes it, capped at 127, kept to
	// its low byte.
	VMULPS    (SI)(BX*4), Z4, Z1
	VADDPS    Z30, Z1, Z1
	VPANDD    Z29, Z1, Z1
	VPSUBD    Z28, Z1, Z1
	VPMINSD   Z27, Z1, Z1
	VPMOVDB   Z1, 4(DI)(BX*1)
	// The group's sum, of the bytes as stored.
	VPMOVSXBD 4(DI)(BX*1), Z1
	VEXTRACTI64X4 $1, Z1, Y2
	VPADDD    Y2, Y1, Y1
	VEXTRACTI128 $1, Y1, X2
	VPADDD    X2, X1, X1
	VPSHUFD   $0x4e, X1, X2
	VPADDD    X2, X1, X1
	VPSHUFD   $0xb1, X1, X2
	VPADDD    X2, X1, X1
	VMOVD     X1, AX
	MOVW      AX, 260(DI)(DX*2)
	ADDQ      $16, BX
	INCQ      DX
	CMPQ      DX, $16
	JNE       kquant
	JMP       knext

kzero:
	VPXORD    Z0, Z0, Z0
	VMOVDQU64 Z0, 0(DI)
	VMOVDQU64 Z0, 64(DI)
	VMOVDQU64 Z0, 128(DI)
	VMOVDQU64 Z0, 192(DI)
	VMOVDQU64 Z0, 228(DI)          // to byte 292

knext:
	ADDQ $1024, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  kblock
	VZEROUPPER

kdone:
	RET
