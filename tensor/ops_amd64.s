//go:build !purego

#include "textflag.h"

// AVX2 versions of the float32 vector operations of ops.go.

// func axpyAVX2(alpha float32, x, y *float32, n int)
//
// n is a multiple of 32: y[i] += x[i]·alpha, the product rounded before
// the sum as in Axpy.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x+8(FP), SI
	MOVQ         y+16(FP), DI
	MOVQ         n+24(FP), CX
	SHRQ         $5, CX
	TESTQ        CX, CX
	JZ           done

loop:
	VMULPS  0(SI), Y0, Y1
	VMULPS  32(SI), Y0, Y2
	VMULPS  64(SI), Y0, Y3
	VMULPS  96(SI), Y0, Y4
	VADDPS  0(DI), Y1, Y1
	VADDPS  32(DI), Y2, Y2
	VADDPS  64(DI), Y3, Y3
	VADDPS  96(DI), Y4, Y4
	VMOVUPS Y1, 0(DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET

// func dotRowsAVX2(q, rows *float32, stride, m, n int, scale float32, out *float32)
TEXT ·dotRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ         q+0(FP), R8
	MOVQ         rows+8(FP), R9
	MOVQ         stride+16(FP), R10
	SHLQ         $2, R10
	MOVQ         m+24(FP), R11
	MOVQ         n+32(FP), R12
	SHRQ         $5, R12
	VMOVSS       scale+40(FP), X8
	MOVQ         out+48(FP), DX

row:
	MOVQ   R8, SI
	MOVQ   R9, DI
	MOVQ   R12, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

loop:
	VMOVUPS     0(SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS 0(DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	DECQ        CX
	JNZ         loop

	VADDPS       Y2, Y0, Y0
	VADDPS       Y3, Y1, Y1
	VADDPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDSS       X1, X0, X0
	VMULSS       X8, X0, X0
	VMOVSS       X0, (DX)
	ADDQ         $4, DX
	ADDQ         R10, R9
	DECQ         R11
	JNZ          row
	VZEROUPPER
	RET

// func axpyRowsAVX2(w, rows *float32, stride, m, n int, y *float32)
TEXT ·axpyRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), R8
	MOVQ rows+8(FP), R9
	MOVQ stride+16(FP), R10
	SHLQ $2, R10
	MOVQ m+24(FP), R11
	MOVQ n+32(FP), R12
	SHRQ $5, R12
	MOVQ y+40(FP), DX

chunk:
	VMOVUPS 0(DX), Y1
	VMOVUPS 32(DX), Y2
	VMOVUPS 64(DX), Y3
	VMOVUPS 96(DX), Y4
	MOVQ    R8, SI
	MOVQ    R9, DI
	MOVQ    R11, CX

row:
	VBROADCASTSS (SI), Y0
	VMULPS       0(DI), Y0, Y5
	VMULPS       32(DI), Y0, Y6
	VMULPS       64(DI), Y0, Y7
	VMULPS       96(DI), Y0, Y9
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VADDPS       Y9, Y4, Y4
	ADDQ         $4, SI
	ADDQ         R10, DI
	DECQ         CX
	JNZ          row

	VMOVUPS Y1, 0(DX)
	VMOVUPS Y2, 32(DX)
	VMOVUPS Y3, 64(DX)
	VMOVUPS Y4, 96(DX)
	ADDQ    $128, DX
	ADDQ    $128, R9
	DECQ    R12
	JNZ     chunk
	VZEROUPPER
	RET
