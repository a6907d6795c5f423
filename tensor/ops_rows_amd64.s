//go:build !purego

#include "textflag.h"

// axpyRowsGroup1AVX512 .. axpyRowsGroup4AVX512 run AxpyRows for one to four
// queries' weights (query h's at w+h·wStride bytes, its outputs at
// y+h·yStride bytes) against the same rows, 64 outputs of each in
// registers at a time: every row is read once for all of them. Registers:
// R8 the weights, R9 the rows, R10 the row stride, R11 the row count, R12
// the chunks of 64 outputs, R13 and R14 one and three weight strides, DX
// the outputs, R15 and BX one and three output strides, AX zero (query 0's
// index), Z(4h)..Z(4h+3) query h's outputs, Z16..Z19 a row's chunk.

// GROUP_ARGS loads the arguments.
#define GROUP_ARGS \
	MOVQ w+0(FP), R8;            \
	MOVQ rows+8(FP), R9;         \
	MOVQ stride+16(FP), R10;     \
	SHLQ $2, R10;                \
	MOVQ m+24(FP), R11;          \
	MOVQ n+32(FP), R12;          \
	SHRQ $6, R12;                \
	MOVQ wStride+40(FP), R13;    \
	LEAQ (R13)(R13*2), R14;      \
	MOVQ y+48(FP), DX;           \
	MOVQ yStride+56(FP), R15;    \
	LEAQ (R15)(R15*2), BX;       \
	XORQ AX, AX

// GROUP_LOAD and GROUP_STORE move a query's 64 outputs, at DX plus the
// output stride index idx, to or from a..d.
#define GROUP_LOAD(idx, a, b, c, d) \
	VMOVUPS 0(DX)(idx), a;   \
	VMOVUPS 64(DX)(idx), b;  \
	VMOVUPS 128(DX)(idx), c; \
	VMOVUPS 192(DX)(idx), d

#define GROUP_STORE(idx, a, b, c, d) \
	VMOVUPS a, 0(DX)(idx);   \
	VMOVUPS b, 64(DX)(idx);  \
	VMOVUPS c, 128(DX)(idx); \
	VMOVUPS d, 192(DX)(idx)

// GROUP_ROW reads the current row's chunk into Z16..Z19.
#define GROUP_ROW \
	VMOVUPS 0(DI), Z16;   \
	VMOVUPS 64(DI), Z17;  \
	VMOVUPS 128(DI), Z18; \
	VMOVUPS 192(DI), Z19

// GROUP_AXPY adds the chunk times a query's weight, at SI plus the weight
// stride index idx, each product rounded, into a..d.
#define GROUP_AXPY(idx, a, b, c, d) \
	VBROADCASTSS (SI)(idx), Z20; \
	VMULPS Z16, Z20, Z21;  \
	VMULPS Z17, Z20, Z22;  \
	VMULPS Z18, Z20, Z23;  \
	VMULPS Z19, Z20, Z24;  \
	VADDPS Z21, a, a;      \
	VADDPS Z22, b, b;      \
	VADDPS Z23, c, c;      \
	VADDPS Z24, d, d

// GROUP_NEXT steps to the next row (at the end of the row loop) or chunk.
#define GROUP_NEXT_ROW(label) \
	ADDQ $4, SI;   \
	ADDQ R10, DI;  \
	DECQ CX;       \
	JNZ  label

#define GROUP_NEXT_CHUNK(label) \
	ADDQ $256, DX; \
	ADDQ $256, R9; \
	DECQ R12;      \
	JNZ  label

#define GROUP_ROWS_START \
	MOVQ R8, SI;  \
	MOVQ R9, DI;  \
	MOVQ R11, CX

// Gather order of dotRowsAVX512's eight scores: score k sits in lane
// 4(k%4) + k/4 after the reduction.
DATA rowsGather<>+0(SB)/4, $0
DATA rowsGather<>+4(SB)/4, $4
DATA rowsGather<>+8(SB)/4, $8
DATA rowsGather<>+12(SB)/4, $12
DATA rowsGather<>+16(SB)/4, $1
DATA rowsGather<>+20(SB)/4, $5
DATA rowsGather<>+24(SB)/4, $9
DATA rowsGather<>+28(SB)/4, $13
GLOBL rowsGather<>(SB), RODATA|NOPTR, $32

// func dotRowsAVX512(q, rows *float32, stride, m, n, nq int, scale float32, out *float32, qStride, outStride int)
TEXT ·dotRowsAVX512(SB), NOSPLIT, $0-80
	MOVQ         q+0(FP), R8
	MOVQ         rows+8(FP), R9
	MOVQ         stride+16(FP), R10
	SHLQ         $2, R10
	LEAQ         (R10)(R10*2), R13 // 3 strides
	MOVQ         m+24(FP), R11
	SHRQ         $3, R11
	MOVQ         n+32(FP), R12
	SHRQ         $5, R12
	VBROADCASTSS scale+48(FP), Z31
	MOVQ         out+56(FP), DX
	VMOVDQU32    rowsGather<>(SB), Y30

keys:
	// Each of the g queries against the same eight keys, which stay in L1.
	MOVQ R8, R15
	MOVQ DX, AX
	MOVQ nq+40(FP), R14

query:
	// Z(2k), Z(2k+1): key k's lanes of elements 32i..32i+15 and
	// 32i+16..32i+31, the AVX2 accumulators 0|1 and 2|3.
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	VXORPS Z8, Z8, Z8
	VXORPS Z9, Z9, Z9
	VXORPS Z10, Z10, Z10
	VXORPS Z11, Z11, Z11
	VXORPS Z12, Z12, Z12
	VXORPS Z13, Z13, Z13
	VXORPS Z14, Z14, Z14
	VXORPS Z15, Z15, Z15
	MOVQ   R15, SI
	MOVQ   R9, DI
	LEAQ   (R9)(R10*4), BX
	MOVQ   R12, CX

chunk:
	VMOVUPS     0(SI), Z16
	VMOVUPS     64(SI), Z17
	VFMADD231PS 0(DI), Z16, Z0
	VFMADD231PS 64(DI), Z17, Z1
	VFMADD231PS 0(DI)(R10*1), Z16, Z2
	VFMADD231PS 64(DI)(R10*1), Z17, Z3
	VFMADD231PS 0(DI)(R10*2), Z16, Z4
	VFMADD231PS 64(DI)(R10*2), Z17, Z5
	VFMADD231PS 0(DI)(R13*1), Z16, Z6
	VFMADD231PS 64(DI)(R13*1), Z17, Z7
	VFMADD231PS 0(BX), Z16, Z8
	VFMADD231PS 64(BX), Z17, Z9
	VFMADD231PS 0(BX)(R10*1), Z16, Z10
	VFMADD231PS 64(BX)(R10*1), Z17, Z11
	VFMADD231PS 0(BX)(R10*2), Z16, Z12
	VFMADD231PS 64(BX)(R10*2), Z17, Z13
	VFMADD231PS 0(BX)(R13*1), Z16, Z14
	VFMADD231PS 64(BX)(R13*1), Z17, Z15
	ADDQ        $128, SI
	ADDQ        $128, DI
	ADDQ        $128, BX
	DECQ        CX
	JNZ         chunk

	// Per key (acc0+acc2)|(acc1+acc3).
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z5, Z4, Z4
	VADDPS Z7, Z6, Z6
	VADDPS Z9, Z8, Z8
	VADDPS Z11, Z10, Z10
	VADDPS Z13, Z12, Z12
	VADDPS Z15, Z14, Z14

	// Low plus high 256 bits, two keys a register: v0|v1, v2|v3, ...
	VSHUFF64X2 $0x44, Z2, Z0, Z16
	VSHUFF64X2 $0xee, Z2, Z0, Z17
	VADDPS     Z17, Z16, Z16
	VSHUFF64X2 $0x44, Z6, Z4, Z18
	VSHUFF64X2 $0xee, Z6, Z4, Z19
	VADDPS     Z19, Z18, Z18
	VSHUFF64X2 $0x44, Z10, Z8, Z20
	VSHUFF64X2 $0xee, Z10, Z8, Z21
	VADDPS     Z21, Z20, Z20
	VSHUFF64X2 $0x44, Z14, Z12, Z22
	VSHUFF64X2 $0xee, Z14, Z12, Z23
	VADDPS     Z23, Z22, Z22

	// Low plus high 128 bits, four keys a register: t0|t1|t2|t3, t4|..|t7.
	VSHUFF32X4 $0x88, Z18, Z16, Z24
	VSHUFF32X4 $0xdd, Z18, Z16, Z25
	VADDPS     Z25, Z24, Z24
	VSHUFF32X4 $0x88, Z22, Z20, Z26
	VSHUFF32X4 $0xdd, Z22, Z20, Z27
	VADDPS     Z27, Z26, Z26

	// (t0+t1, t2+t3) of key k and of key k+4 in lane k.
	VSHUFPS $0x88, Z26, Z24, Z16
	VSHUFPS $0xdd, Z26, Z24, Z17
	VADDPS  Z17, Z16, Z16

	// (t0+t1)+(t2+t3): key k at 4k, key k+4 at 4k+1.
	VSHUFPS $0x88, Z16, Z16, Z17
	VSHUFPS $0xdd, Z16, Z16, Z18
	VADDPS  Z18, Z17, Z17
	VMULPS  Z31, Z17, Z17
	VPERMPS Z17, Z30, Z17
	VMOVUPS Y17, (AX)

	ADDQ qStride+64(FP), R15
	ADDQ outStride+72(FP), AX
	DECQ R14
	JNZ  query

	ADDQ $32, DX
	LEAQ (R9)(R10*8), R9
	DECQ R11
	JNZ  keys
	VZEROUPPER
	RET

// func axpyRowsGroup1AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)
TEXT ·axpyRowsGroup1AVX512(SB), NOSPLIT, $0-64
	GROUP_ARGS

g1chunk:
	GROUP_LOAD(AX*1, Z0, Z1, Z2, Z3)
	GROUP_ROWS_START

g1row:
	GROUP_ROW
	GROUP_AXPY(AX*1, Z0, Z1, Z2, Z3)
	GROUP_NEXT_ROW(g1row)
	GROUP_STORE(AX*1, Z0, Z1, Z2, Z3)
	GROUP_NEXT_CHUNK(g1chunk)
	VZEROUPPER
	RET

// func axpyRowsGroup2AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)
TEXT ·axpyRowsGroup2AVX512(SB), NOSPLIT, $0-64
	GROUP_ARGS

g2chunk:
	GROUP_LOAD(AX*1, Z0, Z1, Z2, Z3)
	GROUP_LOAD(R15*1, Z4, Z5, Z6, Z7)
	GROUP_ROWS_START

g2row:
	GROUP_ROW
	GROUP_AXPY(AX*1, Z0, Z1, Z2, Z3)
	GROUP_AXPY(R13*1, Z4, Z5, Z6, Z7)
	GROUP_NEXT_ROW(g2row)
	GROUP_STORE(AX*1, Z0, Z1, Z2, Z3)
	GROUP_STORE(R15*1, Z4, Z5, Z6, Z7)
	GROUP_NEXT_CHUNK(g2chunk)
	VZEROUPPER
	RET

// func axpyRowsGroup3AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)
TEXT ·axpyRowsGroup3AVX512(SB), NOSPLIT, $0-64
	GROUP_ARGS

g3chunk:
	GROUP_LOAD(AX*1, Z0, Z1, Z2, Z3)
	GROUP_LOAD(R15*1, Z4, Z5, Z6, Z7)
	GROUP_LOAD(R15*2, Z8, Z9, Z10, Z11)
	GROUP_ROWS_START

g3row:
	GROUP_ROW
	GROUP_AXPY(AX*1, Z0, Z1, Z2, Z3)
	GROUP_AXPY(R13*1, Z4, Z5, Z6, Z7)
	GROUP_AXPY(R13*2, Z8, Z9, Z10, Z11)
	GROUP_NEXT_ROW(g3row)
	GROUP_STORE(AX*1, Z0, Z1, Z2, Z3)
	GROUP_STORE(R15*1, Z4, Z5, Z6, Z7)
	GROUP_STORE(R15*2, Z8, Z9, Z10, Z11)
	GROUP_NEXT_CHUNK(g3chunk)
	VZEROUPPER
	RET

// func axpyRowsGroup4AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)
TEXT ·axpyRowsGroup4AVX512(SB), NOSPLIT, $0-64
	GROUP_ARGS

g4chunk:
	GROUP_LOAD(AX*1, Z0, Z1, Z2, Z3)
	GROUP_LOAD(R15*1, Z4, Z5, Z6, Z7)
	GROUP_LOAD(R15*2, Z8, Z9, Z10, Z11)
	GROUP_LOAD(BX*1, Z12, Z13, Z14, Z15)
	GROUP_ROWS_START

g4row:
	GROUP_ROW
	GROUP_AXPY(AX*1, Z0, Z1, Z2, Z3)
	GROUP_AXPY(R13*1, Z4, Z5, Z6, Z7)
	GROUP_AXPY(R13*2, Z8, Z9, Z10, Z11)
	GROUP_AXPY(R14*1, Z12, Z13, Z14, Z15)
	GROUP_NEXT_ROW(g4row)
	GROUP_STORE(AX*1, Z0, Z1, Z2, Z3)
	GROUP_STORE(R15*1, Z4, Z5, Z6, Z7)
	GROUP_STORE(R15*2, Z8, Z9, Z10, Z11)
	GROUP_STORE(BX*1, Z12, Z13, Z14, Z15)
	GROUP_NEXT_CHUNK(g4chunk)
	VZEROUPPER
	RET
