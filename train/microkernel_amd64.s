//go:build amd64 && !purego

#include "textflag.h"

// ROW multiplies the B row in Z16, Z17 by A value off(SI) into the
// accumulators lo, hi.
#define ROW(off, bc, lo, hi) \
	VBROADCASTSS off(SI), bc \
	VFMADD231PS Z16, bc, lo \
	VFMADD231PS Z17, bc, hi

// func microKernel8x32AVX512(a, b, c *float32, ldc, k int, load bool)
// The 8×32 tile at c (rows ldc apart) is set to (or, with load, increased
// by) Σ_{p<k} A_p ⊗ B_p for a packed A tile (8 values per p) and a packed
// B strip (32 values per p); k > 0.
TEXT ·microKernel8x32AVX512(SB), NOSPLIT, $0-41
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ c+16(FP), DX
	MOVQ ldc+24(FP), R11
	MOVQ k+32(FP), CX
	MOVBLZX load+40(FP), AX
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	LEAQ (DX)(R11*4), R13
	TESTQ AX, AX
	JZ zero
	VMOVUPS (DX), Z0
	VMOVUPS 64(DX), Z1
	VMOVUPS (DX)(R11*1), Z2
	VMOVUPS 64(DX)(R11*1), Z3
	VMOVUPS (DX)(R11*2), Z4
	VMOVUPS 64(DX)(R11*2), Z5
	VMOVUPS (DX)(R12*1), Z6
	VMOVUPS 64(DX)(R12*1), Z7
	VMOVUPS (R13), Z8
	VMOVUPS 64(R13), Z9
	VMOVUPS (R13)(R11*1), Z10
	VMOVUPS 64(R13)(R11*1), Z11
	VMOVUPS (R13)(R11*2), Z12
	VMOVUPS 64(R13)(R11*2), Z13
	VMOVUPS (R13)(R12*1), Z14
	VMOVUPS 64(R13)(R12*1), Z15
	JMP loop

zero:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

loop:
	VMOVUPS (DI), Z16
	VMOVUPS 64(DI), Z17
	ROW(0, Z18, Z0, Z1)
	ROW(4, Z19, Z2, Z3)
	ROW(8, Z20, Z4, Z5)
	ROW(12, Z21, Z6, Z7)
	ROW(16, Z22, Z8, Z9)
	ROW(20, Z23, Z10, Z11)
	ROW(24, Z24, Z12, Z13)
	ROW(28, Z25, Z14, Z15)
	ADDQ $32, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, (DX)(R11*1)
	VMOVUPS Z3, 64(DX)(R11*1)
	VMOVUPS Z4, (DX)(R11*2)
	VMOVUPS Z5, 64(DX)(R11*2)
	VMOVUPS Z6, (DX)(R12*1)
	VMOVUPS Z7, 64(DX)(R12*1)
	VMOVUPS Z8, (R13)
	VMOVUPS Z9, 64(R13)
	VMOVUPS Z10, (R13)(R11*1)
	VMOVUPS Z11, 64(R13)(R11*1)
	VMOVUPS Z12, (R13)(R11*2)
	VMOVUPS Z13, 64(R13)(R11*2)
	VMOVUPS Z14, (R13)(R12*1)
	VMOVUPS Z15, 64(R13)(R12*1)
	VZEROUPPER
	RET

// ROW16 multiplies the B half-row in Z16 by A value off(SI) into acc.
#define ROW16(off, bc, acc) \
	VBROADCASTSS off(SI), bc \
	VFMADD231PS Z16, bc, acc

// func microKernel8x16AVX512(a, b, c *float32, ldc, k int, load bool)
// microKernel8x32AVX512 for the first 16 columns of the tile only (B
// strips keep their 32-value stride).
TEXT ·microKernel8x16AVX512(SB), NOSPLIT, $0-41
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ c+16(FP), DX
	MOVQ ldc+24(FP), R11
	MOVQ k+32(FP), CX
	MOVBLZX load+40(FP), AX
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	LEAQ (DX)(R11*4), R13
	TESTQ AX, AX
	JZ zero16
	VMOVUPS (DX), Z0
	VMOVUPS (DX)(R11*1), Z1
	VMOVUPS (DX)(R11*2), Z2
	VMOVUPS (DX)(R12*1), Z3
	VMOVUPS (R13), Z4
	VMOVUPS (R13)(R11*1), Z5
	VMOVUPS (R13)(R11*2), Z6
	VMOVUPS (R13)(R12*1), Z7
	JMP loop16

zero16:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

loop16:
	VMOVUPS (DI), Z16
	ROW16(0, Z18, Z0)
	ROW16(4, Z19, Z1)
	ROW16(8, Z20, Z2)
	ROW16(12, Z21, Z3)
	ROW16(16, Z22, Z4)
	ROW16(20, Z23, Z5)
	ROW16(24, Z24, Z6)
	ROW16(28, Z25, Z7)
	ADDQ $32, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop16

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, (DX)(R11*1)
	VMOVUPS Z2, (DX)(R11*2)
	VMOVUPS Z3, (DX)(R12*1)
	VMOVUPS Z4, (R13)
	VMOVUPS Z5, (R13)(R11*1)
	VMOVUPS Z6, (R13)(R11*2)
	VMOVUPS Z7, (R13)(R12*1)
	VZEROUPPER
	RET
