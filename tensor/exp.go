package tensor

import "math"

// The exponential of Softmax and SiLU: e^x in float64 by a polynomial, then
// rounded to float32. Its float64 error (a few units in the last place)
// is far below half a float32 unit, so the float32 result is e^x correctly
// rounded except when e^x lies within that error of a rounding boundary
// (about once in 2^28). The assembly version (expAccel) runs the same
// float64 operations eight lanes at a time, so the two agree bit for bit.

// Constants of kernelExp: ln 2 split for Cody-Waite reduction, and 1/n!.
const (
	expLog2e = 1.4426950408889634
	expLn2Hi = 0.6931471803691238     // ln 2 rounded to 32 significant bits
	expLn2Lo = 1.9082149292705877e-10 // ln 2 - expLn2Hi
	expMin   = -150                   // e^-150 rounds to float32 zero
	expMax   = 100                    // e^100 rounds to float32 +Inf
)

// expCoeffs are 1/n! for n = 0..13: exp(r) for |r| ≤ ln2/2 to within
// r^14/14! < 5e-18.
var expCoeffs = [14]float64{
	1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
	1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
	1.0 / 479001600, 1.0 / 6227020800,
}

// expAccel, when set by an assembly file, sets x[i] = kernelExp(x[i]) for
// len(x) a multiple of 8.
var expAccel func(x []float32)

// kernelExp returns e^x rounded to float32 (see above):
//
//	k := RoundToEven(x·log2e)
//	r := fma(-k, ln2lo, fma(-k, ln2hi, x))
//	p := Horner(expCoeffs, r) // fused multiply-adds
//	return float32(p·2^k)
func kernelExp(x float32) float32 {
	v := float64(x)
	if v != v {
		return x
	}
	v = min(max(v, expMin), expMax)
	k := math.RoundToEven(v * expLog2e)
	r := math.FMA(-k, expLn2Hi, v)
	r = math.FMA(-k, expLn2Lo, r)
	p := expCoeffs[13]
	for i := 12; i >= 0; i-- {
		p = math.FMA(p, r, expCoeffs[i])
	}
	return float32(p * math.Float64frombits(uint64(int64(k)+1023)<<52))
}

// expFloats sets x[i] = kernelExp(x[i]).
func expFloats(x []float32) {
	body := 0
	if expAccel != nil {
		body = len(x) &^ 7
		if body > 0 {
			expAccel(x[:body])
		}
	}
	for i := body; i < len(x); i++ {
		x[i] = kernelExp(x[i])
	}
}
