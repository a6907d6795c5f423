package train

import (
	"fmt"
	"math"

	"github.com/herdllm/herd/tensor"
)

// dequantize converts one row of a frozen matrix to float32.
func dequantize(t tensor.Type, src []byte, dst []float32) error {
	switch t {
	case tensor.F16:
		for i := range dst {
			dst[i] = f16(uint16(src[2*i]) | uint16(src[2*i+1])<<8)
		}
		return nil
	case tensor.BF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(uint16(src[2*i])|uint16(src[2*i+1])<<8) << 16)
		}
		return nil
	}
	return fmt.Errorf("train: cannot dequantize %v", t)
}

func f16(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0:
		return math.Float32frombits(sign) + float32(math.Copysign(float64(mant)*math.Pow(2, -24), float64(1-2*int(h>>15))))
	case exp == 31:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | mant<<13)
}
