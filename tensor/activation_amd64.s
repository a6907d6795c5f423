//go:build !purego

#include "textflag.h"

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
	VMOVUPS      0(SI), Z5
	VMOVUPS      64(SI), Z6
	VPANDD       Z7, Z5, Z0
	VPANDD       Z7, Z6, Z1
	VMAXPS       Z1, Z0, Z0
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXSS       X1, X0, X0      // amax
	VDIVSS       X8, X0, X2      // d = amax/127
	VCVTPS2PH    $0, X2, X3
	VMOVD        X3, AX
	MOVW         AX, 0(DI)
	VXORPS       X4, X4, X4
	VMOVD        X0, AX
	TESTL        AX, AX
	JZ           zero
	VDIVSS       X0, X8, X4      // id = 127/amax

zero:
	VBROADCASTSS X4, Z4
	VMULPS       Z4, Z5, Z5
	VMULPS       Z4, Z6, Z6
	VCVTPS2DQ    Z5, Z5          // to nearest even
	VCVTPS2DQ    Z6, Z6
	VPMOVSDB     Z5, X5          // saturating
	VPMOVSDB     Z6, X6
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
	VMOVUPS      0(SI), Z5
	VMOVUPS      64(SI), Z6
	VPANDD       Z7, Z5, Z0
	VPANDD       Z7, Z6, Z1
	VMAXPS       Z1, Z0, Z0
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXSS       X1, X0, X0      // amax
	VDIVSS       X8, X0, X2      // d = amax/127
	VCVTPS2PH    $0, X2, X3
	VCVTPH2PS    X3, X3          // d as its f16 rounds it
	VMOVSS       X3, 0(DI)
	VXORPS       X4, X4, X4
	VMOVD        X0, AX
	TESTL        AX, AX
	JZ           szero
	VDIVSS       X0, X8, X4      // id = 127/amax

szero:
	VBROADCASTSS X4, Z4
	VMULPS       Z4, Z5, Z5
	VMULPS       Z4, Z6, Z6
	VCVTPS2DQ    Z5, Z5          // to nearest even
	VCVTPS2DQ    Z6, Z6
	VPMOVSDB     Z5, X5          // saturating
	VPMOVSDB     Z6, X6
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
