//go:build amd64 && !purego

#include "textflag.h"

// FMA12 issues twelve independent multiply-adds of width reg (Y or Z).
#define FMA12(r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, x, y) \
	VFMADD231PS x, y, r0 \
	VFMADD231PS x, y, r1 \
	VFMADD231PS x, y, r2 \
	VFMADD231PS x, y, r3 \
	VFMADD231PS x, y, r4 \
	VFMADD231PS x, y, r5 \
	VFMADD231PS x, y, r6 \
	VFMADD231PS x, y, r7 \
	VFMADD231PS x, y, r8 \
	VFMADD231PS x, y, r9 \
	VFMADD231PS x, y, r10 \
	VFMADD231PS x, y, r11

// func fmaLoopYMM(n int)
// Runs n iterations of 24 independent 8-lane multiply-adds (12 chains, each
// 2 deep per iteration, enough to cover the FMA latency on two pipes).
TEXT ·fmaLoopYMM(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	TESTQ CX, CX
	JZ ydone

yloop:
	FMA12(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13)
	FMA12(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13)
	DECQ CX
	JNZ yloop

ydone:
	VZEROUPPER
	RET

// func fmaLoopZMM(n int)
// Same as fmaLoopYMM with 16-lane registers.
TEXT ·fmaLoopZMM(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
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
	TESTQ CX, CX
	JZ zdone

zloop:
	FMA12(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13)
	FMA12(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13)
	DECQ CX
	JNZ zloop

zdone:
	VZEROUPPER
	RET
