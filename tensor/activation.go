package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
)

// QuantizeActivations converts activations to t the way ggml's x86 CPU
// backend does right before a matrix multiplication (its
// quantize_row_<t>, which MatMul uses too). For Q8_0 and Q8_1 that is not
// the reference quantizer that Quantize reproduces: the AVX code scales by
// 127/max instead of 1/(max/127) and rounds halves to even rather than away
// from zero, so an occasional quant differs by one. Every other type goes
// through Quantize. len(src) must be a whole number of t's blocks and dst
// exactly their size.
func QuantizeActivations(t Type, src []float32, dst []byte) error {
	if t != Q8_0 && t != Q8_1 {
		return Quantize(t, src, dst)
	}
	size, err := t.RowSize(int64(len(src)))
	if err != nil {
		return fmt.Errorf("tensor: quantize activations: %w", err)
	}
	if int64(len(dst)) != size {
		return fmt.Errorf("tensor: quantize activations %s: %d elements need %d bytes, got %d", t, len(src), size, len(dst))
	}
	actQuantizeQ8(t, src, dst)
	return nil
}

// actQ8_0Accel, when set by an assembly file, is actQuantizeQ8 for Q8_0
// with the same results bit for bit.
var actQ8_0Accel func(src []float32, dst []byte)

// actQuantizeQ8 is ggml's AVX quantize_row_q8_0 / quantize_row_q8_1 on
// whole blocks (sizes already checked).
func actQuantizeQ8(t Type, src []float32, dst []byte) {
	if t == Q8_0 && actQ8_0Accel != nil && len(src) >= 32 {
		actQ8_0Accel(src, dst)
		return
	}
	actQuantizeQ8Go(t, src, dst)
}

// actQuantizeQ8Go is actQuantizeQ8 in Go.
func actQuantizeQ8Go(t Type, src []float32, dst []byte) {
	bs := t.TypeSize()
	qoff := bs - 32
	for i := 0; i < len(src)/32; i++ {
		x := (*[32]float32)(src[32*i : 32*i+32])
		y := dst[bs*i : bs*(i+1)]
		var amax float32
		for _, v := range x {
			amax = max(amax, math.Float32frombits(math.Float32bits(v)&^(1<<31)))
		}
		d := amax / 127
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		binary.LittleEndian.PutUint16(y, F32ToF16(d))
		q := (*[32]byte)(y[qoff:])
		var sum int32
		for j, v := range x {
			p := v * id
			r := int32(math.RoundToEven(float64(p)))
			sum += r
			q[j] = byte(int8(max(-128, min(127, r)))) // the packs instructions saturate
		}
		if t == Q8_1 {
			binary.LittleEndian.PutUint16(y[2:], F32ToF16(d*float32(sum)))
		}
	}
}
