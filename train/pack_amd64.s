//go:build amd64 && !purego

#include "textflag.h"

// func transpose8AVX(dst *float32, ldd int, src *float32, lds int, k int)
// dst[p*ldd+r] = src[r*lds+p] for r < 8, p < k (k a positive multiple of
// 8): eight rows of src become k groups of eight, 8×8 blocks at a time.
TEXT ·transpose8AVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	MOVQ k+32(FP), CX
	SHLQ $2, R8
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R10 // 3 rows
	LEAQ (SI)(R9*4), R11 // row 4
	LEAQ (R8)(R8*2), R12 // 3 dst rows
	XORQ AX, AX

loop:
	VMOVUPS (SI)(AX*1), Y0
	LEAQ (SI)(R9*1), BX
	VMOVUPS (BX)(AX*1), Y1
	LEAQ (SI)(R9*2), BX
	VMOVUPS (BX)(AX*1), Y2
	LEAQ (SI)(R10*1), BX
	VMOVUPS (BX)(AX*1), Y3
	VMOVUPS (R11)(AX*1), Y4
	LEAQ (R11)(R9*1), BX
	VMOVUPS (BX)(AX*1), Y5
	LEAQ (R11)(R9*2), BX
	VMOVUPS (BX)(AX*1), Y6
	LEAQ (R11)(R10*1), BX
	VMOVUPS (BX)(AX*1), Y7

	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R8*1)
	VMOVUPS Y10, (DI)(R8*2)
	VMOVUPS Y11, (DI)(R12*1)
	LEAQ (DI)(R8*4), DI
	VMOVUPS Y12, (DI)
	VMOVUPS Y13, (DI)(R8*1)
	VMOVUPS Y14, (DI)(R8*2)
	VMOVUPS Y15, (DI)(R12*1)
	LEAQ (DI)(R8*4), DI
	ADDQ $32, AX
	SUBQ $8, CX
	JNZ loop
	VZEROUPPER
	RET

// func copyRowsAVX(dst *float32, src *float32, lds int, k int, width int)
// dst[p*width+j] = src[p*lds+j] for p < k, j < width (8 or 32).
TEXT ·copyRowsAVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R9
	MOVQ k+24(FP), CX
	MOVQ width+32(FP), DX
	SHLQ $2, R9
	CMPQ DX, $32
	JEQ wide

narrow:
	VMOVUPS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ R9, SI
	ADDQ $32, DI
	DECQ CX
	JNZ narrow
	VZEROUPPER
	RET

wide:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ R9, SI
	ADDQ $128, DI
	DECQ CX
	JNZ wide
	VZEROUPPER
	RET
