package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// repackForTest returns w with its repacked copy, on every CPU (Repack
// itself leaves matrices alone where no kernel reads the layout).
func repackForTest(w Matrix) Matrix {
	w.repacked = new(repacking)
	return w
}

// repackTypes are the weight types that have a repacked format.
var repackTypes = []Type{Q4_0, Q8_0, Q4_K, Q6_K}

// repackActivations converts nx rows of x into format f's layout, xStride
// bytes apart.
func repackActivations(f *repackFormat, x []float32, cols, nx, xStride int) []byte {
	xs := make([]byte, (nx-1)*xStride+cols/f.typ.BlockSize()*f.actBlock)
	for tk := 0; tk < nx; tk++ {
		f.convert(x[tk*cols:(tk+1)*cols], xs[tk*xStride:][:cols/f.typ.BlockSize()*f.actBlock])
	}
	return xs
}

// repackExact reports whether the Go twin of typ's repacked kernels adds
// in the order of typ's Go row kernel. Q4_K's follows ggml's AVX2 kernel
// (as its assembly row kernels do), the Go row kernel its generic C: they
// agree within float32 rounding (and TestRepackQ4_KMatchesAVX2 checks the
// AVX2 order bit for bit where it runs).
func repackExact(typ Type) bool { return typ != Q4_K }

// repackAgree fails unless got equals want bit for bit, or for a format
// that does not add in the row kernel's order, lies within tol of ref.
func repackAgree(t *testing.T, typ Type, got, want float32, ref, tol float64, what string) {
	t.Helper()
	if math.Float32bits(got) == math.Float32bits(want) {
		return
	}
	if repackExact(typ) || math.Abs(float64(got)-ref) > tol {
		t.Fatalf("%v %s: %v, row kernel %v (reference %v ± %g)", typ, what, got, want, ref, tol)
	}
}

// TestRepackGoMatchesRowKernel checks the Go twins of the repacked kernels
// against the formats' Go row kernels: the same float32 operations in the
// same order, so the results agree bit for bit (see repackExact).
func TestRepackGoMatchesRowKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(40, 1))
	for _, typ := range repackTypes {
		f := repackFormats[typ]
		k := &vecDotGo[typ]
		for _, blocks := range []int{1, 3, 64} {
			cols := blocks * typ.BlockSize()
			w, err := NewMatrix(typ, 32, cols, kernelRandWeights(rng, typ, 32, cols))
			if err != nil {
				t.Fatal(err)
			}
			packed := repackMatrix(w)
			nb := cols / typ.BlockSize()
			for nx := 1; nx <= kernelTile; nx++ {
				x := kernelRandFloats(rng, nx*cols, 1)
				xs := repackActivations(f, x, cols, nx, nb*f.actBlock)
				xrb := k.rowBytes(cols)
				xq := make([]byte, nx*xrb)
				for tk := 0; tk < nx; tk++ {
					k.convert(x[tk*cols:(tk+1)*cols], xq[tk*xrb:(tk+1)*xrb])
				}
				got := make([]float32, nx*w.Rows)
				for g := 0; g < 2; g++ {
					f.goKernel(packed[g*nb*f.block:], xs, nb, nb*f.actBlock, nx, got[g*16:], w.Rows)
				}
				ref, tol := kernelReference(t, w, x, nx)
				for r := 0; r < w.Rows; r++ {
					want := make([]float32, nx)
					k.dot(cols, w.RowData(r), xq, xrb, nx, want, 1)
					for tk := 0; tk < nx; tk++ {
						i := tk*w.Rows + r
						repackAgree(t, typ, got[i], want[tk], ref[i], tol[i], fmt.Sprintf("cols %d nx %d row %d token %d", cols, nx, r, tk))
					}
				}
			}
		}
	}
}

// TestRepackMatMulMatches checks MatMul and MatMulMulti over repacked
// matrices against the same matrices unpacked, for every token count of a
// tile and beyond, one and several threads, mixed with other types.
func TestRepackMatMulMatches(t *testing.T) {
	pool := NewPool(3)
	defer pool.Close()
	rng := rand.New(rand.NewPCG(41, 2))
	cols := 512
	plain := []Matrix{}
	for _, spec := range []struct {
		typ  Type
		rows int
	}{{Q4_0, 48}, {Q4_0, 16}, {Q6_K, 20}, {Q8_0, 32}, {Q4_K, 32}, {Q4_0, 64}, {Q8_0, 16}, {Q4_K, 16}, {Q6_K, 48}} {
		w, err := NewMatrix(spec.typ, spec.rows, cols, kernelRandWeights(rng, spec.typ, spec.rows, cols))
		if err != nil {
			t.Fatal(err)
		}
		plain = append(plain, w)
	}
	packed := make([]Matrix, len(plain))
	for j, w := range plain {
		packed[j] = w
		if repackFormats[w.Type] != nil && w.Rows%repackRows == 0 {
			packed[j] = repackForTest(w)
		}
	}
	for _, n := range []int{1, 2, 3, 5, 8, 9, 17} {
		x := kernelRandFloats(rng, n*cols, 1)
		for _, p := range []*Pool{nil, pool} {
			outs := make([][]float32, len(packed))
			for j, w := range packed {
				outs[j] = make([]float32, n*w.Rows)
			}
			MatMulMulti(p, outs, packed, x, n)
			for j, w := range plain {
				want := make([]float32, n*w.Rows)
				MatMul(nil, want, w, x, n)
				inexact := 0
				ref, tol := kernelReference(t, w, x, n)
				for i := range want {
					if !repackExact(w.Type) {
						repackAgree(t, w.Type, outs[j][i], want[i], ref[i], tol[i], fmt.Sprintf("n=%d out[%d]", n, i))
						continue
					}
					if math.Float32bits(outs[j][i]) != math.Float32bits(want[i]) {
						// The row kernel may be the Go twin, whose
						// emulated fused multiply-add rounds twice about
						// once in 2^29 operations.
						inexact++
						if d := math.Abs(float64(outs[j][i] - want[i])); d > 1e-5*math.Abs(float64(want[i]))+1e-30 || inexact > 1 {
							t.Fatalf("n=%d %d threads: matrix %d out[%d] = %v, unpacked %v", n, p.Threads(), j, i, outs[j][i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestRepackLeavesOthers checks that Repack keeps matrices it has no kernel
// for exactly as they were.
func TestRepackLeavesOthers(t *testing.T) {
	for _, w := range []Matrix{
		{Type: Q4_0, Rows: 15, Cols: 32, Data: make([]byte, 15*18)},
		{Type: Q5_K, Rows: 16, Cols: 256, Data: make([]byte, 16*176)},
		{Type: Q4_0, Rows: 16, Cols: 32, Data: make([]byte, 10)},
	} {
		if got := Repack(w); got.repacked != nil {
			t.Errorf("%v %d×%d: repacked", w.Type, w.Rows, w.Cols)
		}
	}
	for _, typ := range repackTypes {
		cols := 2 * typ.BlockSize()
		w := Matrix{Type: typ, Rows: 16, Cols: cols, Data: make([]byte, 32*typ.TypeSize())}
		if got := Repack(w); (got.repacked != nil) != (repackKernels(typ) != nil) {
			t.Errorf("%v 16×%d: repacked %v with kernels %v", typ, cols, got.repacked != nil, repackKernels(typ) != nil)
		}
	}
}

// TestRepackBatchFormatWaits checks that a format used only for batches
// (Q6_K) is repacked by the first batch, not by Repack nor by single tokens,
// and that the copies of the Matrix value share the result.
func TestRepackBatchFormatWaits(t *testing.T) {
	rng := rand.New(rand.NewPCG(44, 5))
	w, err := NewMatrix(Q6_K, 16, QK_K, kernelRandWeights(rng, Q6_K, 16, QK_K))
	if err != nil {
		t.Fatal(err)
	}
	w = Repack(w)
	if w.repacked == nil {
		t.Skip("no kernels for repacked Q6_K on this CPU")
	}
	if w.repacked.data != nil {
		t.Fatal("Repack built the batch-only copy")
	}
	copied := w
	MatMul(nil, make([]float32, 16), copied, kernelRandFloats(rng, QK_K, 1), 1)
	if w.repacked.data != nil {
		t.Fatal("a single token built the batch-only copy")
	}
	MatMul(nil, make([]float32, 32), copied, kernelRandFloats(rng, 2*QK_K, 1), 2)
	if w.repacked.data == nil {
		t.Fatal("a batch did not build the copy, or the Matrix copies do not share it")
	}
}
