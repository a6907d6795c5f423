package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelPlain maps each weight type to a plain transcription of ggml's
// generic C. The production kernel of Q4_K follows that C and must agree
// with it bit for bit, since their integer sums are exact and their float32
// operations the same; the others follow ggml's x86 kernels and must agree
// bit for bit with x86Reference, and with the generic C to rounding.
var kernelPlain = map[Type]vecDotFunc{
	Q4_0:   plainDotQ4_0Q8_0,
	Q4_1:   plainDotQ4_1Q8_1,
	Q5_0:   plainDotQ5_0Q8_0,
	Q5_1:   plainDotQ5_1Q8_1,
	Q8_0:   plainDotQ8_0Q8_0,
	IQ4_NL: plainDotIQ4_NLQ8_0,
	Q2_K:   plainDotQ2_KQ8_K,
	Q3_K:   plainDotQ3_KQ8_K,
	Q4_K:   plainDotQ4_KQ8_K,
	Q5_K:   plainDotQ5_KQ8_K,
	Q6_K:   plainDotQ6_KQ8_K,
	IQ4_XS: plainDotIQ4_XSQ8_K,
}

func TestVecDotMatchesTranscriptions(t *testing.T) {
	for typ, plain := range kernelPlain {
		t.Run(typ.String(), func(t *testing.T) {
			k := &vecDotGo[typ]
			rng := rand.New(rand.NewPCG(uint64(typ), 5))
			for trial := 0; trial < 20; trial++ {
				cols := typ.BlockSize() * (1 + trial%4)
				w := kernelRandBlocks(rng, typ, 1, cols)
				nx := 1 + trial%kernelTile
				x := kernelRandFloats(rng, nx*cols, math.Ldexp(1, trial%9-4))
				if trial%5 == 4 { // every quant ±127: the largest packed sums
					for i := range x {
						x[i] = float32(1 - 2*(i*7%3&1))
					}
				}
				actRow := kernelMust(k.act.RowSize(int64(cols)))
				plainX := make([]byte, nx*actRow)
				packedX := make([]byte, nx*k.rowBytes(cols))
				for i := 0; i < nx; i++ {
					kernelQuantize(k.act, x[i*cols:(i+1)*cols], plainX[i*actRow:(i+1)*actRow])
					k.convert(x[i*cols:(i+1)*cols], packedX[i*k.rowBytes(cols):])
				}
				want := make([]float32, nx)
				got := make([]float32, nx)
				plain(cols, w, plainX, actRow, nx, want, 1)
				k.dot(cols, w, packedX, k.rowBytes(cols), nx, got, 1)
				for i := range want {
					exact := want[i]
					if r, ok := x86Reference(typ, cols, w, plainX[i*actRow:(i+1)*actRow]); ok {
						exact = r
						// The generic C differs in rounding order only: a few
						// float32 roundings per block of partial sums.
						tol := 1e-5 * (math.Abs(float64(r)) + 1)
						if d := math.Abs(float64(got[i] - want[i])); d > tol*float64(cols/typ.BlockSize()+1) {
							t.Fatalf("cols %d token %d: %v, generic C %v", cols, i, got[i], want[i])
						}
					}
					if math.Float32bits(got[i]) != math.Float32bits(exact) {
						t.Fatalf("cols %d token %d: %v, transcription %v", cols, i, got[i], exact)
					}
				}
			}
		})
	}
}

func ExampleMatMulActivationType() {
	for _, w := range []Type{Q4_0, Q4_1, Q4_K, IQ4_XS, F16} {
		act, _ := MatMulActivationType(w)
		fmt.Println(w, "→", act)
	}
	// Output:
	// Q4_0 → Q8_0
	// Q4_1 → Q8_1
	// Q4_K → Q8_K
	// IQ4_XS → Q8_K
	// F16 → F16
}
