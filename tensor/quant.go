package tensor

import (
	"fmt"
	"math"
)

// Bit-exactness with ggml: every float32 product that ggml's C rounds before
// adding it to something is wrapped in an explicit float32 conversion here.
// Go may fuse x*y+z into one FMA instruction (on arm64, ppc64le, s390x,
// riscv64, and amd64 with GOAMD64=v3), even across statements; an explicit
// conversion forbids that. ggml's reference code is built without FMA
// contraction, so fusing would change results in the last bit.

// blockCodec converts whole blocks of one format to and from float32. dequant
// and quant get slices holding exactly n blocks (n ≥ 0) on both sides.
type blockCodec struct {
	dequant func(src []byte, dst []float32)
	quant   func(src []float32, dst []byte) // nil: the format cannot be produced
}

// codecs lists the formats Dequantize and Quantize handle.
var codecs = map[Type]blockCodec{
	F32:    {dequantF32, quantizeF32},
	F16:    {dequantF16, quantizeF16},
	BF16:   {dequantBF16, quantizeBF16},
	Q4_0:   {dequantQ4_0, quantizeQ4_0},
	Q4_1:   {dequantQ4_1, quantizeQ4_1},
	Q5_0:   {dequantQ5_0, quantizeQ5_0},
	Q5_1:   {dequantQ5_1, quantizeQ5_1},
	Q8_0:   {dequantQ8_0, quantizeQ8_0},
	Q8_1:   {dequantQ8_1, quantizeQ8_1},
	Q2_K:   {dequantQ2K, quantizeQ2K},
	Q3_K:   {dequantQ3K, quantizeQ3K},
	Q4_K:   {dequantQ4K, quantizeQ4K},
	Q5_K:   {dequantQ5K, quantizeQ5K},
	Q6_K:   {dequantQ6K, quantizeQ6K},
	Q8_K:   {dequantQ8K, quantizeQ8K},
	IQ4_NL: {dequantIQ4NL, quantizeIQ4NL},
	IQ4_XS: {dequantIQ4XS, quantizeIQ4XS},
}

// CanDequantize reports whether Dequantize handles t.
func CanDequantize(t Type) bool { return codecs[t].dequant != nil }

// CanQuantize reports whether Quantize handles t.
func CanQuantize(t Type) bool { return codecs[t].quant != nil }

// checkSizes validates that n float32 elements of type t occupy exactly
// nbytes bytes.
func checkSizes(op string, t Type, n, nbytes int) error {
	size, err := t.RowSize(int64(n))
	if err != nil {
		return fmt.Errorf("tensor: %s %s: %w", op, t, err)
	}
	if int64(nbytes) != size {
		return fmt.Errorf("tensor: %s %s: %d elements need %d bytes, got %d", op, t, n, size, nbytes)
	}
	return nil
}

// Dequantize converts src, raw blocks of type t, to float32 in dst.
// len(dst) must be a multiple of t's block size and src exactly the bytes
// those elements occupy. The results equal ggml's dequantize_row_* (its
// to_float) bit for bit.
func Dequantize(t Type, src []byte, dst []float32) error {
	c := codecs[t]
	if c.dequant == nil {
		return fmt.Errorf("tensor: dequantize %s: unsupported type", t)
	}
	if err := checkSizes("dequantize", t, len(dst), len(src)); err != nil {
		return err
	}
	c.dequant(src, dst)
	return nil
}

// Quantize converts the float32 values in src to raw blocks of type t in
// dst. len(src) must be a multiple of t's block size and dst exactly the bytes
// those elements occupy. Every block is quantized on its own, giving the same
// bytes as ggml's reference quantizer (ggml_quantize_chunk without an
// importance matrix).
func Quantize(t Type, src []float32, dst []byte) error {
	c := codecs[t]
	if c.quant == nil {
		return fmt.Errorf("tensor: quantize %s: unsupported type", t)
	}
	if err := checkSizes("quantize", t, len(src), len(dst)); err != nil {
		return err
	}
	c.quant(src, dst)
	return nil
}

// roundHalfAway rounds like C's roundf: to nearest, halfway cases away from
// zero.
func roundHalfAway(f float32) float32 { return float32(math.Round(float64(f))) }

// roundToInt8 is (int8_t)roundf(f) as compiled for x86: round half away from
// zero, convert to int32 (NaN and out-of-range give MinInt32), keep the low
// byte.
func roundToInt8(f float32) int8 {
	if abs32(f) < 1<<29 {
		// f ± 0.5 is exact in float64, so truncation rounds correctly.
		return int8(int32(float64(f) + math.Copysign(0.5, float64(f))))
	}
	return toInt8(roundHalfAway(f))
}

// toInt8 converts a float32 to int8 as C's (int8_t) cast of a float does on
// x86: truncate toward zero to 32 bits, then keep the low byte.
func toInt8(f float32) int8 { return int8(truncToInt32(f)) }

// truncToInt32 converts a float32 to int32 truncating toward zero; values out
// of range and NaN give math.MinInt32, as x86's cvttss2si does.
func truncToInt32(f float32) int32 {
	if !(f > -2147483904 && f < 2147483648) { // also catches NaN
		return math.MinInt32
	}
	return int32(f)
}

// maxAbs returns the largest |v| in x, folding as ggml's MAX(amax, fabsf(v))
// does (a NaN is replaced by the next value).
func maxAbs(x []float32) float32 {
	var amax float32
	for _, v := range x {
		a := abs32(v)
		if !(amax > a) {
			amax = a
		}
	}
	return amax
}

// abs32 returns |f| (clears the sign bit, as fabsf does).
func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }
