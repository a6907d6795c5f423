package tensor

import (
	"encoding/binary"
	"math"
)

// The legacy 32-element block formats. Quants for elements j and j+16 share
// byte j of qs (low and high nibble); Q5 formats keep each quant's fifth bit
// in the 32-bit qh (bit j for element j).
//
//	Q4_0: d f16, qs[16]            x = d·(q-8)
//	Q4_1: d f16, m f16, qs[16]     x = d·q + m
//	Q5_0: d f16, qh u32, qs[16]    x = d·(q-16)
//	Q5_1: d f16, m f16, qh u32, qs[16]   x = d·q + m

const (
	q4_0Block = 18
	q4_1Block = 20
	q5_0Block = 22
	q5_1Block = 24
)

// absMaxSigned returns the value of largest magnitude in x (the first one on
// ties) and its magnitude.
func absMaxSigned(x []float32) (max, amax float32) {
	for _, v := range x {
		if a := abs32(v); amax < a {
			amax, max = a, v
		}
	}
	return max, amax
}

// minMax returns the smallest and largest value in x, starting from ±FLT_MAX
// as ggml does.
func minMax(x []float32) (lo, hi float32) {
	lo, hi = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// inverse returns 1/d, or 0 when d is 0.
func inverse(d float32) float32 {
	if d != 0 {
		return 1 / d
	}
	return 0
}

func quantizeQ4_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[32*i : 32*i+32]
		y := dst[q4_0Block*i : q4_0Block*(i+1)]
		max, _ := absMaxSigned(x)
		d := max / -8
		id := inverse(d)
		putHalf(y, d)
		for j := 0; j < 16; j++ {
			x0 := min(15, toInt8(float32(x[j]*id)+8.5))
			x1 := min(15, toInt8(float32(x[j+16]*id)+8.5))
			y[2+j] = byte(x0) | byte(x1)<<4
		}
	}
}

func dequantQ4_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[q4_0Block*i : q4_0Block*(i+1)]
		d := halfAt(b)
		qs := b[2:18]
		y := dst[32*i : 32*i+32]
		for j, q := range qs {
			y[j] = float32(int(q&0xf)-8) * d
			y[j+16] = float32(int(q>>4)-8) * d
		}
	}
}

func quantizeQ4_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[32*i : 32*i+32]
		y := dst[q4_1Block*i : q4_1Block*(i+1)]
		lo, hi := minMax(x)
		d := (hi - lo) / 15
		id := inverse(d)
		putHalf(y, d)
		putHalf(y[2:], lo)
		for j := 0; j < 16; j++ {
			x0 := min(15, toInt8(float32((x[j]-lo)*id)+0.5))
			x1 := min(15, toInt8(float32((x[j+16]-lo)*id)+0.5))
			y[4+j] = byte(x0) | byte(x1)<<4
		}
	}
}

func dequantQ4_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[q4_1Block*i : q4_1Block*(i+1)]
		d, m := halfAt(b), halfAt(b[2:])
		qs := b[4:20]
		y := dst[32*i : 32*i+32]
		for j, q := range qs {
			y[j] = float32(float32(q&0xf)*d) + m
			y[j+16] = float32(float32(q>>4)*d) + m
		}
	}
}

func quantizeQ5_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[32*i : 32*i+32]
		y := dst[q5_0Block*i : q5_0Block*(i+1)]
		max, _ := absMaxSigned(x)
		d := max / -16
		id := inverse(d)
		putHalf(y, d)
		var qh uint32
		for j := 0; j < 16; j++ {
			x0 := uint8(min(31, toInt8(float32(x[j]*id)+16.5)))
			x1 := uint8(min(31, toInt8(float32(x[j+16]*id)+16.5)))
			y[6+j] = x0&0xf | (x1&0xf)<<4
			qh |= uint32(x0>>4&1)<<j | uint32(x1>>4&1)<<(j+16)
		}
		binary.LittleEndian.PutUint32(y[2:], qh)
	}
}

func dequantQ5_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[q5_0Block*i : q5_0Block*(i+1)]
		d := halfAt(b)
		qh := binary.LittleEndian.Uint32(b[2:])
		qs := b[6:22]
		y := dst[32*i : 32*i+32]
		for j, q := range qs {
			h0 := int(qh>>j<<4) & 0x10
			h1 := int(qh>>(j+12)) & 0x10
			y[j] = float32((int(q&0xf)|h0)-16) * d
			y[j+16] = float32((int(q>>4)|h1)-16) * d
		}
	}
}

func quantizeQ5_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[32*i : 32*i+32]
		y := dst[q5_1Block*i : q5_1Block*(i+1)]
		lo, hi := minMax(x)
		d := (hi - lo) / 31
		id := inverse(d)
		putHalf(y, d)
		putHalf(y[2:], lo)
		var qh uint32
		for j := 0; j < 16; j++ {
			x0 := uint8(truncToInt32(float32((x[j]-lo)*id) + 0.5))
			x1 := uint8(truncToInt32(float32((x[j+16]-lo)*id) + 0.5))
			y[8+j] = x0&0xf | (x1&0xf)<<4
			qh |= uint32(x0>>4&1)<<j | uint32(x1>>4&1)<<(j+16)
		}
		binary.LittleEndian.PutUint32(y[4:], qh)
	}
}

func dequantQ5_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[q5_1Block*i : q5_1Block*(i+1)]
		d, m := halfAt(b), halfAt(b[2:])
		qh := binary.LittleEndian.Uint32(b[4:])
		qs := b[8:24]
		y := dst[32*i : 32*i+32]
		for j, q := range qs {
			h0 := int(qh>>j<<4) & 0x10
			h1 := int(qh>>(j+12)) & 0x10
			y[j] = float32(float32(int(q&0xf)|h0)*d) + m
			y[j+16] = float32(float32(int(q>>4)|h1)*d) + m
		}
	}
}
