package tensor

import "math"

// nearestInt rounds f to the nearest integer, ties to even, the way ggml's
// nearest_int does: by adding 1.5·2^23 in float32 and reading the mantissa.
// Like ggml it is meant for |f| ≤ 4194303; outside that range (and for NaN)
// it returns the same bits-derived value ggml would.
func nearestInt(f float32) int {
	// The conversion keeps a caller's product from fusing into the add.
	val := float32(f) + 12582912
	return int(math.Float32bits(val)&0x007fffff) - 0x00400000
}
