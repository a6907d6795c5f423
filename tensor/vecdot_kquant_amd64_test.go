//go:build !purego

package tensor

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// kquantAsm lists the assembly K-quant kernels and whether they must match
// the Go kernel bit for bit.
var kquantAsm = []struct {
	name  string
	typ   Type
	dot   vecDotFunc
	ok    bool // the CPU runs it
	exact bool // the Go kernel follows the same (x86) order
}{
	{"Q2_K/AVX2", Q2_K, dotQ2_KQ8_KAVX2, kquantAVX2, true},
	{"Q3_K/AVX2", Q3_K, dotQ3_KQ8_KAVX2, kquantAVX2, true},
	{"Q4_K/AVX2", Q4_K, dotQ4_KQ8_KAVX2, kquantAVX2, false},
	{"Q4_K/AVX512", Q4_K, dotQ4_KQ8_KAVX512, kquantAVX512, false},
	{"Q5_K/AVX2", Q5_K, dotQ5_KQ8_KAVX2, kquantAVX2, true},
	{"Q5_K/AVX512", Q5_K, dotQ5_KQ8_KAVX512, kquantAVX512, true},
	{"Q6_K/AVX2", Q6_K, dotQ6_KQ8_KAVX2, kquantAVX2, true},
	{"Q6_K/AVX512", Q6_K, dotQ6_KQ8_KAVX512, kquantAVX512, true},
	{"IQ4_XS/AVX2", IQ4_XS, dotIQ4_XSQ8_KAVX2, kquantBMI2, true},
}

// kquantX86Q4K transcribes ggml's AVX2 ggml_vec_dot_q4_K_q8_K for one row of
// raw Q8_K blocks, returning the result and Σ of the magnitudes of the
// terms it adds (for a rounding bound).
func kquantX86Q4K(n int, w, y []byte) (r float32, mag float64) {
	var acc [8]float32
	var accm [4]float32
	var sc [16]int32
	var mins [8]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[144*i : 144*i+144]
		yb := y[292*i : 292*i+292]
		yd := math.Float32frombits(binary.LittleEndian.Uint32(yb))
		d := yd * F16ToF32(binary.LittleEndian.Uint16(b))
		dmin := -yd * F16ToF32(binary.LittleEndian.Uint16(b[2:]))
		kernelScalesK4(b[4:16], &sc, &mins)
		var sumi [8]int64
		for e := 0; e < QK_K; e++ {
			s, l := e/32, e%32
			q := int64(b[16+32*(s/2)+l] >> (4 * (s % 2)) & 15)
			sumi[l/4] += int64(sc[2*s]) * q * int64(int8(yb[4+e]))
		}
		bs := func(j int) int64 { return int64(int16(binary.LittleEndian.Uint16(yb[260+2*j:]))) }
		for k := 0; k < 4; k++ {
			p := int64(mins[2*k])*(bs(4*k)+bs(4*k+1)) + int64(mins[2*k+1])*(bs(4*k+2)+bs(4*k+3))
			accm[k] = float32(math.FMA(float64(dmin), float64(float32(p)), float64(accm[k])))
			mag += math.Abs(float64(dmin) * float64(p))
		}
		for l := range acc {
			acc[l] = float32(math.FMA(float64(d), float64(float32(sumi[l])), float64(acc[l])))
			mag += math.Abs(float64(d) * float64(sumi[l]))
		}
	}
	h := ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
	return h + ((accm[0] + accm[2]) + (accm[1] + accm[3])), mag
}

// kquantEdgeWeights sets extreme scales in some super-blocks: the largest
// half, subnormal halves and zero.
func kquantEdgeWeights(rng *rand.Rand, typ Type, w []byte) {
	halves := []uint16{0x7bff, 0xfbff, 0x0001, 0x8001, 0x03ff, 0}
	bs := typ.TypeSize()
	for b := 0; b < len(w); b += bs {
		if rng.IntN(3) != 0 {
			continue
		}
		for _, off := range kernelHalfOffsets[typ] {
			binary.LittleEndian.PutUint16(w[b+off:], halves[rng.IntN(len(halves))])
		}
	}
}

// kquantActivations converts nx rows of x to raw Q8_K rows (for the
// assembly kernel) and to the Go kernel's format.
func kquantActivations(typ Type, x []float32, cols, nx int) (raw []byte, packed []byte, packedStride int) {
	k := &vecDotGo[typ]
	rawStride := cols / QK_K * kquantQ8KBytes
	packedStride = k.rowBytes(cols)
	raw = make([]byte, nx*rawStride)
	packed = make([]byte, nx*packedStride)
	for t := 0; t < nx; t++ {
		kernelQuantize(Q8_K, x[t*cols:(t+1)*cols], raw[t*rawStride:(t+1)*rawStride])
		k.convert(x[t*cols:(t+1)*cols], packed[t*packedStride:(t+1)*packedStride])
	}
	return raw, packed, packedStride
}

func TestKQuantAsmMatchesGo(t *testing.T) {
	const guard, sentinel = 3, float32(-7.25)
	for _, kc := range kquantAsm {
		t.Run(kc.name, func(t *testing.T) {
			if !kc.ok {
				t.Skip("the CPU lacks the instructions")
			}
			rng := rand.New(rand.NewPCG(uint64(kc.typ), 21))
			for trial := 0; trial < 40; trial++ {
				cols := QK_K * []int{1, 2, 3, 16}[trial%4]
				nx := 1 + trial%kernelTile
				var w []byte
				if trial%2 == 0 {
					w = kernelRandWeights(rng, kc.typ, 1, cols)
				} else {
					w = kernelRandBlocks(rng, kc.typ, 1, cols)
				}
				if trial%5 == 3 {
					kquantEdgeWeights(rng, kc.typ, w)
				}
				x := kernelRandFloats(rng, nx*cols, math.Ldexp(1, trial%40-20))
				switch trial % 7 {
				case 5: // every quant ±127 or -128: the largest integer sums
					for i := range x {
						x[i] = float32(1 - 2*(i*7%3&1))
					}
					x[0] = -1.0001
				case 6: // huge and tiny rows
					for i := range x {
						x[i] *= float32(math.Ldexp(1, 60*(i/cols%3-1)))
					}
				}
				raw, packed, packedStride := kquantActivations(kc.typ, x, cols, nx)
				rawStride := cols / QK_K * kquantQ8KBytes
				outStride := 1 + trial%3
				buf := make([]float32, 2*guard+(nx-1)*outStride+1)
				for i := range buf {
					buf[i] = sentinel
				}
				kc.dot(cols, w, raw, rawStride, nx, buf[guard:], outStride)
				want := make([]float32, nx)
				vecDotGo[kc.typ].dot(cols, w, packed, packedStride, nx, want, 1)
				for i, v := range buf {
					j := i - guard
					if j >= 0 && j%outStride == 0 && j/outStride < nx {
						continue
					}
					if v != sentinel {
						t.Fatalf("trial %d: wrote %v at buffer index %d", trial, v, i)
					}
				}
				for tk := 0; tk < nx; tk++ {
					got := buf[guard+tk*outStride]
					y := raw[tk*rawStride : (tk+1)*rawStride]
					if kc.exact {
						if math.Float32bits(got) != math.Float32bits(want[tk]) {
							t.Fatalf("trial %d cols %d nx %d row %d: %v, Go %v", trial, cols, nx, tk, got, want[tk])
						}
						if r, ok := x86Reference(kc.typ, cols, w, y); ok && math.Float32bits(r) != math.Float32bits(got) {
							t.Fatalf("trial %d row %d: %v, x86 transcription %v", trial, tk, got, r)
						}
						continue
					}
					r, mag := kquantX86Q4K(cols, w, y)
					if math.Float32bits(r) != math.Float32bits(got) {
						t.Fatalf("trial %d cols %d nx %d row %d: %v, x86 transcription %v", trial, cols, nx, tk, got, r)
					}
					// The Go kernel adds the same terms in another order.
					tol := 4 * float64(cols/QK_K+8) * 0x1p-24 * mag
					if d := math.Abs(float64(got) - float64(want[tk])); !(d <= tol) {
						t.Fatalf("trial %d row %d: %v, Go %v (|Δ| %.3g > %.3g)", trial, tk, got, want[tk], d, tol)
					}
				}
			}
		})
	}
}

// TestKQuantAsmRejectsMisuse checks that short slices and too many rows
// panic instead of reaching the assembly.
func TestKQuantAsmRejectsMisuse(t *testing.T) {
	for _, kc := range kquantAsm {
		if !kc.ok {
			continue
		}
		w := make([]byte, kc.typ.TypeSize())
		x := make([]byte, (kernelTile+1)*kquantQ8KBytes)
		cases := map[string]func(){
			"rows":      func() { kc.dot(QK_K, w, x, kquantQ8KBytes, kernelTile+1, make([]float32, kernelTile+1), 1) },
			"short w":   func() { kc.dot(2*QK_K, w, x, 2*kquantQ8KBytes, 1, make([]float32, 1), 1) },
			"short x":   func() { kc.dot(QK_K, w, x[:kquantQ8KBytes-1], kquantQ8KBytes, 1, make([]float32, 1), 1) },
			"short out": func() { kc.dot(QK_K, w, x, kquantQ8KBytes, 2, make([]float32, 2), 2) },
		}
		for name, f := range cases {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s %s: no panic", kc.name, name)
					}
				}()
				f()
			}()
		}
	}
}
