//go:build !purego

package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRepackKernelsMatchGo runs every assembly kernel for repacked groups
// against the Go twin, with canaries around the results and the inputs
// against an unreadable page.
func TestRepackKernelsMatchGo(t *testing.T) {
	for _, typ := range repackTypes {
		if repackKernels(typ) == nil {
			t.Skipf("no kernels for repacked %v on this CPU", typ)
		}
		f := repackFormats[typ]
		rng := rand.New(rand.NewPCG(42, uint64(typ)))
		for _, blocks := range []int{1, 2, 128 / (typ.BlockSize() / 32)} {
			cols := blocks * typ.BlockSize()
			nb := cols / typ.BlockSize()
			src, _ := NewMatrix(typ, 16, cols, kernelRandBlocks(rng, typ, 16, cols))
			if typ == Q8_0 {
				for i := 0; i < 16*nb; i += 3 { // extreme quants
					src.Data[34*i+2+i%32] = 0x80
					src.Data[34*i+2+(i+1)%32] = 0x7f
				}
			}
			wp := repackMatrix(src)
			w := legacyFenced(t, len(wp))
			copy(w, wp)
			for nx := 1; nx <= kernelTile; nx++ {
				xStride := nb*f.actBlock + 8
				v := make([]float32, nx*cols)
				for tk := 0; tk < nx; tk++ {
					copy(v[tk*cols:], kernelRandFloats(rng, cols, math.Pow(10, float64(tk%3))))
					if tk == 1 {
						for i := range cols {
							v[tk*cols+i] = float32(1 - 2*(i%2)) // quants of ±127
						}
					}
				}
				xs := repackActivations(f, v, cols, nx, xStride)
				x := legacyFenced(t, len(xs))
				copy(x, xs)
				const outStride = 21
				canary := float32(math.Inf(-1))
				got := make([]float32, (nx-1)*outStride+16+2)
				for i := range got {
					got[i] = canary
				}
				want := make([]float32, (nx-1)*outStride+16)
				f.goKernel(w, x, nb, xStride, nx, want, outStride)
				repackGroup(f, w, x, nb, xStride, nx, got[1:], outStride)
				for i, v := range got {
					j := i - 1
					if j < 0 || j >= len(want) || j%outStride >= 16 {
						if math.Float32bits(v) != math.Float32bits(canary) {
							t.Fatalf("%v cols %d nx %d: out[%d] = %v: written outside the results", typ, cols, nx, j, v)
						}
						continue
					}
					if math.Float32bits(v) != math.Float32bits(want[j]) {
						// The Go twin's emulated fused multiply-add rounds
						// twice about once in 2^29 operations.
						if d := math.Abs(float64(v - want[j])); d > 1e-6*math.Abs(float64(want[j])) {
							t.Fatalf("%v cols %d nx %d: out[%d] = %v, Go %v", typ, cols, nx, j, v, want[j])
						}
					}
				}
			}
		}
	}
}

// TestRepackQ4_KMatchesAVX2 checks the Go twin of the repacked Q4_K kernels
// against ggml's AVX2 order as the assembly row kernel computes it, bit for
// bit but for the twin's rare double roundings.
func TestRepackQ4_KMatchesAVX2(t *testing.T) {
	if !kquantAVX2 {
		t.Skip("no AVX2")
	}
	f := repackFormats[Q4_K]
	rng := rand.New(rand.NewPCG(43, 4))
	for _, blocks := range []int{1, 8} {
		cols := blocks * QK_K
		w, _ := NewMatrix(Q4_K, 16, cols, kernelRandWeights(rng, Q4_K, 16, cols))
		wp := repackMatrix(w)
		for nx := 1; nx <= 3; nx++ {
			x := kernelRandFloats(rng, nx*cols, 1)
			xs := repackActivations(f, x, cols, nx, blocks*f.actBlock)
			got := make([]float32, nx*16)
			f.goKernel(wp, xs, blocks, blocks*f.actBlock, nx, got, 16)
			xq := make([]byte, nx*blocks*q8KBlock)
			for tk := 0; tk < nx; tk++ {
				kernelQuantize(Q8_K, x[tk*cols:(tk+1)*cols], xq[tk*blocks*q8KBlock:(tk+1)*blocks*q8KBlock])
			}
			for r := 0; r < 16; r++ {
				want := make([]float32, nx)
				dotQ4_KQ8_KAVX2(cols, w.RowData(r), xq, blocks*q8KBlock, nx, want, 1)
				for tk := 0; tk < nx; tk++ {
					if g := got[tk*16+r]; math.Float32bits(g) != math.Float32bits(want[tk]) &&
						math.Abs(float64(g-want[tk])) > 1e-6*math.Abs(float64(want[tk])) {
						t.Fatalf("blocks %d nx %d row %d token %d: %v, AVX2 %v", blocks, nx, r, tk, g, want[tk])
					}
				}
			}
		}
	}
}
