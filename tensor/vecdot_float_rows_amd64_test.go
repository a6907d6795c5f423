//go:build !purego

package tensor

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// floatRowsAsm lists the register-tile kernels.
var floatRowsAsm = []struct {
	typ  Type
	rows vecRowsFunc
	dot  vecDotFunc
}{
	{F32, rowsF32AVX512, dotF32F32AVX512},
	{F16, rowsF16AVX512, dotF16F16AVX512},
	{BF16, rowsBF16AVX512, dotBF16BF16AVX512},
}

// floatRowsCase is one call of a rows kernel on random rows laid out with
// gaps between them: weights, activations (as MatMul converts them) and an
// output buffer filled with a sentinel.
type floatRowsCase struct {
	n, nw, nx                   int
	w, x                        []byte
	wStride, xStride, outStride int
}

// newFloatRowsCase draws the rows of a call; edge puts extreme weights in.
func newFloatRowsCase(rng *rand.Rand, typ Type, n, nw, nx int, edge bool, sd float64) floatRowsCase {
	rb := typ.TypeSize() * n
	c := floatRowsCase{n: n, nw: nw, nx: nx}
	c.wStride = rb + typ.TypeSize()*rng.IntN(3)
	c.xStride = 4*n + 4*rng.IntN(3)
	c.outStride = nw + rng.IntN(3)
	c.w = make([]byte, (nw-1)*c.wStride+rb)
	for r := 0; r < nw; r++ {
		row := kernelRandBlocks(rng, typ, 1, n)
		if edge {
			floatEdgeWeights(rng, typ, row)
		}
		copy(c.w[r*c.wStride:], row)
	}
	c.x = make([]byte, (nx-1)*c.xStride+4*n)
	for t := 0; t < nx; t++ {
		copy(c.x[t*c.xStride:], floatActivations(typ, kernelRandFloats(rng, n, sd), n, 1))
	}
	return c
}

// run calls rows on the case and checks that it writes nothing but the
// nw×nx results; it returns them, result (r, t) at [t*nw+r].
func (c *floatRowsCase) run(t *testing.T, rows vecRowsFunc) []float32 {
	t.Helper()
	const guard, sentinel = 5, float32(-7.25)
	buf := make([]float32, 2*guard+(c.nx-1)*c.outStride+c.nw)
	for i := range buf {
		buf[i] = sentinel
	}
	rows(c.n, c.w, c.wStride, c.nw, c.x, c.xStride, c.nx, buf[guard:], c.outStride)
	got := make([]float32, c.nw*c.nx)
	for i, v := range buf {
		j := i - guard
		if j >= 0 && j%c.outStride < c.nw && j/c.outStride < c.nx {
			got[j/c.outStride*c.nw+j%c.outStride] = v
			continue
		}
		if v != sentinel {
			t.Fatalf("n %d, %d×%d: wrote %v at buffer index %d", c.n, c.nw, c.nx, v, i)
		}
	}
	return got
}

func TestFloatRowsMatchGo(t *testing.T) {
	if !floatAVX512 {
		t.Skip("no AVX-512")
	}
	lengths := []int{1, 2, 15, 16, 17, 31, 33, 48, 100, 256, 301, 1000, 2048 + 13}
	for _, kc := range floatRowsAsm {
		t.Run(kc.typ.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(kc.typ), 10))
			for trial := 0; trial < 80; trial++ {
				n := lengths[trial%len(lengths)]
				nw, nx := 1+rng.IntN(7), 1+rng.IntN(kernelTile)
				edge := trial%4 == 3
				sd := math.Ldexp(1, trial%21-10)
				if edge {
					sd = 1 // extreme weights times moderate activations stay finite
				}
				c := newFloatRowsCase(rng, kc.typ, n, nw, nx, edge, sd)
				got := c.run(t, kc.rows)
				for r := 0; r < nw; r++ {
					w := c.w[r*c.wStride:]
					want := make([]float32, nx)
					vecDotGo[kc.typ].dot(n, w, c.x, c.xStride, nx, want, 1)
					for tk := 0; tk < nx; tk++ {
						var mag float64
						for i := 0; i < n; i++ {
							mag += math.Abs(floatWeight(kc.typ, w, i) * float64(kernelF32At(c.x[tk*c.xStride+4*i:])))
						}
						tol := float64((n+31)/32+6)*0x1p-24*mag + 0x1p-140
						g, wt := got[tk*nw+r], want[tk]
						if g == wt || g != g && wt != wt {
							continue // equal, or both NaN (activations rounded to an infinite half)
						}
						if d := math.Abs(float64(g) - float64(wt)); !(d <= tol) {
							t.Fatalf("trial %d n %d %d×%d: row %d token %d: %v, Go %v (|Δ| %.3g > %.3g)",
								trial, n, nw, nx, r, tk, g, wt, d, tol)
						}
					}
				}
			}
		})
	}
}

// TestFloatRowsIndependentTiles checks that every result is the same bits
// whatever tile it was computed in, and that the kernel's vecDotFunc
// computes what its vecRowsFunc does.
func TestFloatRowsIndependentTiles(t *testing.T) {
	if !floatAVX512 {
		t.Skip("no AVX-512")
	}
	for _, kc := range floatRowsAsm {
		rng := rand.New(rand.NewPCG(uint64(kc.typ), 11))
		for _, n := range []int{37, 83, 2048 + 5} {
			c := newFloatRowsCase(rng, kc.typ, n, 7, kernelTile, false, 1)
			all := c.run(t, kc.rows)
			for _, nx := range []int{1, 2, 3} { // the column kernel, one-row tiles, three-row tiles
				part := make([]float32, nx*c.nw)
				for t0 := 0; t0+nx <= c.nx; t0 += nx {
					kc.rows(n, c.w, c.wStride, c.nw, c.x[t0*c.xStride:], c.xStride, nx, part, c.nw)
					for i, v := range part {
						if a := all[t0*c.nw+i]; math.Float32bits(a) != math.Float32bits(v) {
							t.Fatalf("%s n %d row %d token %d: %v in a tile of 8 tokens, %v in one of %d",
								kc.typ, n, i%c.nw, t0+i/c.nw, a, v, nx)
						}
					}
				}
			}
			for r := 0; r < c.nw; r++ {
				w := c.w[r*c.wStride:]
				dots := make([]float32, c.nx)
				kc.dot(n, w, c.x, c.xStride, c.nx, dots, 1)
				for tk := 0; tk < c.nx; tk++ {
					var one [1]float32
					kc.rows(n, w, c.wStride, 1, c.x[tk*c.xStride:], c.xStride, 1, one[:], 1)
					a, b, d := all[tk*c.nw+r], one[0], dots[tk]
					if math.Float32bits(a) != math.Float32bits(b) || math.Float32bits(a) != math.Float32bits(d) {
						t.Fatalf("%s n %d row %d token %d: %v in a tile, %v alone, %v from dot", kc.typ, n, r, tk, a, b, d)
					}
				}
			}
		}
	}
}

// TestFloatRowsEmpty checks calls without elements or rows.
func TestFloatRowsEmpty(t *testing.T) {
	if !floatAVX512 {
		t.Skip("no AVX-512")
	}
	for _, kc := range floatRowsAsm {
		out := []float32{1, 2, 3, 4, 5}
		kc.rows(0, nil, 0, 2, nil, 0, 2, out, 3)
		if want := []float32{0, 0, 3, 0, 0}; !slices.Equal(out, want) {
			t.Errorf("%s n 0: %v, want %v", kc.typ, out, want)
		}
		kc.rows(16, nil, 32, 0, nil, 64, 3, out, 1)
		kc.rows(16, nil, 32, 3, nil, 64, 0, out, 1)
	}
}
