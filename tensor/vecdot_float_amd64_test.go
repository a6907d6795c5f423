//go:build !purego

package tensor

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// floatAsm lists the assembly float kernels the CPU runs.
var floatAsm = floatAsmKernels()

// floatAsmKernel is an assembly float dot product and what it needs.
type floatAsmKernel struct {
	name string
	typ  Type
	dot  vecDotFunc
}

func floatAsmKernels() []floatAsmKernel {
	ks := []floatAsmKernel{
		{"AVX2", F32, dotF32F32AVX2},
		{"AVX2", F16, dotF16F16AVX2},
		{"AVX2", BF16, dotBF16BF16AVX2},
	}
	if floatAVX512 {
		ks = append(ks,
			floatAsmKernel{"AVX512", F32, dotF32F32AVX512},
			floatAsmKernel{"AVX512", F16, dotF16F16AVX512},
			floatAsmKernel{"AVX512", BF16, dotBF16BF16AVX512})
	}
	return ks
}

// floatWeight decodes weight i of a float row.
func floatWeight(typ Type, w []byte, i int) float64 {
	switch typ {
	case F16:
		return float64(F16ToF32(binary.LittleEndian.Uint16(w[2*i:])))
	case BF16:
		return float64(BF16ToF32(binary.LittleEndian.Uint16(w[2*i:])))
	}
	return float64(kernelF32At(w[4*i:]))
}

// floatActivations converts nx rows of x as MatMul does for typ.
func floatActivations(typ Type, x []float32, cols, nx int) []byte {
	k := &vecDotGo[typ]
	b := make([]byte, nx*4*cols)
	for t := 0; t < nx; t++ {
		k.convert(x[t*cols:(t+1)*cols], b[t*4*cols:])
	}
	return b
}

// floatEdgeWeights puts extreme values into a row: the largest finite
// values and subnormals of the format.
func floatEdgeWeights(rng *rand.Rand, typ Type, w []byte) {
	var edges []uint32
	switch typ {
	case F16:
		edges = []uint32{0x7bff, 0xfbff, 0x0001, 0x83ff, 0}
	case BF16:
		edges = []uint32{0x7000, 0xf000, 0x0001, 0x807f, 0x6000}
	default:
		edges = []uint32{0, 0x00000001, 0x807fffff, 0x5e000000}
	}
	es := 2
	if typ == F32 {
		es = 4
		edges[0] = math.Float32bits(1e20)
	}
	for i := 0; i+es <= len(w); i += es {
		if rng.IntN(8) != 0 {
			continue
		}
		v := edges[rng.IntN(len(edges))]
		if es == 2 {
			binary.LittleEndian.PutUint16(w[i:], uint16(v))
		} else {
			binary.LittleEndian.PutUint32(w[i:], v)
		}
	}
}

func TestFloatAsmMatchesGo(t *testing.T) {
	if !floatAVX2 {
		t.Skip("no AVX2/FMA/F16C")
	}
	const guard, sentinel = 3, float32(-7.25)
	for _, kc := range floatAsm {
		t.Run(kc.typ.String()+"/"+kc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(kc.typ), 8))
			lengths := []int{1, 7, 31, 32, 33, 63, 256, 301, 1000, 4096}
			for trial := 0; trial < 60; trial++ {
				cols := lengths[trial%len(lengths)]
				nx := 1 + trial%kernelTile
				w := kernelRandBlocks(rng, kc.typ, 1, cols)
				if trial%4 == 3 {
					floatEdgeWeights(rng, kc.typ, w)
				}
				sd := math.Ldexp(1, trial%21-10)
				if trial%4 == 3 {
					sd = 1 // extreme weights times moderate activations stay finite
				}
				x := kernelRandFloats(rng, nx*cols, sd)
				if trial%6 == 5 && trial%4 != 3 { // rows of very different magnitudes
					for i := range x {
						x[i] *= float32(math.Ldexp(1, 20*(i/cols%3-1)))
					}
				}
				xb := floatActivations(kc.typ, x, cols, nx)
				outStride := 1 + trial%3
				buf := make([]float32, 2*guard+(nx-1)*outStride+1)
				for i := range buf {
					buf[i] = sentinel
				}
				kc.dot(cols, w, xb, 4*cols, nx, buf[guard:], outStride)
				want := make([]float32, nx)
				vecDotGo[kc.typ].dot(cols, w, xb, 4*cols, nx, want, 1)
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
					var mag float64
					for i := 0; i < cols; i++ {
						mag += math.Abs(floatWeight(kc.typ, w, i) * float64(kernelF32At(xb[4*(tk*cols+i):])))
					}
					tol := float64(cols/16+8)*0x1p-24*mag + 0x1p-140
					got := buf[guard+tk*outStride]
					if got == want[tk] || got != got && want[tk] != want[tk] {
						continue // equal, or both NaN (activations rounded to an infinite half)
					}
					if d := math.Abs(float64(got) - float64(want[tk])); !(d <= tol) {
						t.Fatalf("trial %d cols %d nx %d row %d: %v, Go %v (|Δ| %.3g > %.3g)", trial, cols, nx, tk, got, want[tk], d, tol)
					}
				}
			}
		})
	}
}

// TestFloatAsmIndependentRows checks that a row's result does not depend
// on the other rows of the call.
func TestFloatAsmIndependentRows(t *testing.T) {
	if !floatAVX2 {
		t.Skip("no AVX2/FMA/F16C")
	}
	for _, kc := range floatAsm {
		rng := rand.New(rand.NewPCG(uint64(kc.typ), 9))
		const cols = 4096 + 17
		w := kernelRandBlocks(rng, kc.typ, 1, cols)
		xb := floatActivations(kc.typ, kernelRandFloats(rng, kernelTile*cols, 1), cols, kernelTile)
		all := make([]float32, kernelTile)
		kc.dot(cols, w, xb, 4*cols, kernelTile, all, 1)
		for tk := 0; tk < kernelTile; tk++ {
			var one [1]float32
			kc.dot(cols, w, xb[4*cols*tk:], 4*cols, 1, one[:], 1)
			if math.Float32bits(one[0]) != math.Float32bits(all[tk]) {
				t.Fatalf("%s %s row %d: %v alone, %v in a tile", kc.typ, kc.name, tk, one[0], all[tk])
			}
		}
	}
}
