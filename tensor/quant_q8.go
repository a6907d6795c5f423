package tensor

import (
	"encoding/binary"
	"math"
)

// Q8_0 block: d (f16), then 32 int8 quants; x = d·q.
// Q8_1 block: d (f16), s = d·Σq (f16), then 32 int8 quants.
// Q8_K block: d (f32), 256 int8 quants, then 16 int16 sums of 16 quants each.

const (
	q8_0Block = 34
	q8_1Block = 36
	q8KBlock  = 292
)

func quantizeQ8_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[32*i : 32*i+32]
		y := dst[q8_0Block*i : q8_0Block*(i+1)]
		d := maxAbs(x) / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putHalf(y, d)
		for j, v := range x {
			y[2+j] = byte(roundToInt8(v * id))
		}
	}
}

func dequantQ8_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[q8_0Block*i : q8_0Block*(i+1)]
		d := halfAt(b)
		y := dst[32*i : 32*i+32]
		for j := range y {
			y[j] = float32(int8(b[2+j])) * d
		}
	}
}

func quantizeQ8_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[32*i : 32*i+32]
		y := dst[q8_1Block*i : q8_1Block*(i+1)]
		d := maxAbs(x) / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putHalf(y, d)
		sum := 0
		for j, v := range x {
			q := roundToInt8(v * id)
			y[4+j] = byte(q)
			sum += int(q)
		}
		putHalf(y[2:], float32(sum)*d)
	}
}

// dequantQ8_1 decodes Q8_1 blocks as d·q (ggml has no to_float for Q8_1;
// the stored sum s is redundant).
func dequantQ8_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[q8_1Block*i : q8_1Block*(i+1)]
		d := halfAt(b)
		y := dst[32*i : 32*i+32]
		for j := range y {
			y[j] = float32(int8(b[4+j])) * d
		}
	}
}

func quantizeQ8K(src []float32, dst []byte) {
	if q8KAccel != nil {
		q8KAccel(src, dst)
		return
	}
	quantizeQ8KGo(src, dst)
}

// quantizeQ8KGo is quantizeQ8K in Go.
func quantizeQ8KGo(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[QK_K*i : QK_K*(i+1)]
		y := dst[q8KBlock*i : q8KBlock*(i+1)]
		var max, amax float32
		for _, v := range x {
			if a := abs32(v); a > amax {
				amax, max = a, v
			}
		}
		if amax == 0 {
			clear(y)
			continue
		}
		iscale := -127 / max
		qs := y[4 : 4+QK_K]
		for j, v := range x {
			qs[j] = byte(int8(min(127, nearestInt(iscale*v))))
		}
		for j := 0; j < QK_K/16; j++ {
			sum := 0
			for _, q := range qs[16*j : 16*j+16] {
				sum += int(int8(q))
			}
			binary.LittleEndian.PutUint16(y[4+QK_K+2*j:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(y, math.Float32bits(1/iscale))
	}
}

// q8KAccel, when set by an assembly file, is quantizeQ8K with the same
// results bit for bit.
var q8KAccel func(src []float32, dst []byte)

func dequantQ8K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[q8KBlock*i : q8KBlock*(i+1)]
		d := math.Float32frombits(binary.LittleEndian.Uint32(b))
		y := dst[QK_K*i : QK_K*(i+1)]
		for j := range y {
			y[j] = d * float32(int8(b[4+j]))
		}
	}
}
