package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// repackForTest returns a Q4_0 matrix with its repacked copy, on every CPU
// (Repack itself leaves matrices alone where no kernel reads the layout).
func repackForTest(w Matrix) Matrix {
	w.repacked = repackQ4_0(w)
	return w
}

// TestRepackGoMatchesRowKernel checks the Go twin of the repacked kernels
// against the Q4_0 row kernel: the same float32 operations in the same order,
// so the results agree bit for bit (both emulate the fused multiply-add the
// same way).
func TestRepackGoMatchesRowKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(40, 1))
	for _, cols := range []int{32, 96, 2048} {
		w, err := NewMatrix(Q4_0, 32, cols, kernelRandWeights(rng, Q4_0, 32, cols))
		if err != nil {
			t.Fatal(err)
		}
		packed := repackQ4_0(w)
		nb := cols / 32
		for nx := 1; nx <= kernelTile; nx++ {
			x := kernelRandFloats(rng, nx*cols, 1)
			xs := make([]byte, nx*nb*q8sBlock)
			xq := make([]byte, nx*nb*34)
			for tk := 0; tk < nx; tk++ {
				convertQ8Sums(x[tk*cols:(tk+1)*cols], xs[tk*nb*q8sBlock:])
				kernelQuantize(Q8_0, x[tk*cols:(tk+1)*cols], xq[tk*nb*34:(tk+1)*nb*34])
			}
			for g := 0; g < 2; g++ {
				got := make([]float32, nx*w.Rows)
				q4_0x16Go(packed[g*nb*repackGroupBlk:], xs, nb, nb*q8sBlock, nx, got[g*16:], w.Rows)
				for r := g * 16; r < g*16+16; r++ {
					want := make([]float32, nx)
					row := w.RowData(r)
					packedX := make([]byte, nx*nb*swarQ8_0Four.packed)
					for tk := 0; tk < nx; tk++ {
						swarQ8_0Four.pack(xq[tk*nb*34:(tk+1)*nb*34], packedX[tk*nb*swarQ8_0Four.packed:])
					}
					dotQ4_0Q8_0(cols, row, packedX, nb*swarQ8_0Four.packed, nx, want, 1)
					for tk := 0; tk < nx; tk++ {
						if g, w := got[tk*w.Rows+r], want[tk]; math.Float32bits(g) != math.Float32bits(w) {
							t.Fatalf("cols %d nx %d row %d token %d: %v, row kernel %v", cols, nx, r, tk, g, w)
						}
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
	cols := 256
	plain := []Matrix{}
	for _, spec := range []struct {
		typ  Type
		rows int
	}{{Q4_0, 48}, {Q4_0, 16}, {Q6_K, 20}, {Q4_0, 64}} {
		w, err := NewMatrix(spec.typ, spec.rows, cols, kernelRandWeights(rng, spec.typ, spec.rows, cols))
		if err != nil {
			t.Fatal(err)
		}
		plain = append(plain, w)
	}
	packed := make([]Matrix, len(plain))
	for j, w := range plain {
		packed[j] = w
		if w.Type == Q4_0 {
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
				for i := range want {
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
		{Type: Q8_0, Rows: 16, Cols: 32, Data: make([]byte, 16*34)},
		{Type: Q4_0, Rows: 16, Cols: 32, Data: make([]byte, 10)},
	} {
		if got := Repack(w); got.repacked != nil {
			t.Errorf("%v %d×%d: repacked", w.Type, w.Rows, w.Cols)
		}
	}
	w := Matrix{Type: Q4_0, Rows: 16, Cols: 64, Data: make([]byte, 16*36)}
	if got := Repack(w); (got.repacked != nil) != (repackKernels != nil) {
		t.Errorf("Q4_0 16×64: repacked %v with kernels %v", got.repacked != nil, repackKernels != nil)
	}
}
