package tensor_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tensor"
)

// TestMatMulOnModelFiles multiplies every 2-D tensor of the synthetic models
// (one model in every weight type, written by llama-quantize) by random
// activations and compares with a float64 product of the dequantized weights
// and the dequantized converted activations.
func TestMatMulOnModelFiles(t *testing.T) {
	dir := filepath.Dir(testdata.Path(t, "synthetic", "tiny-k-F32.gguf"))
	files, err := filepath.Glob(filepath.Join(dir, "tiny-*.gguf"))
	if err != nil || len(files) < 17 {
		t.Fatalf("synthetic models: %d files, %v", len(files), err)
	}
	pool := tensor.NewPool(2)
	defer pool.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := gguf.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for i := range f.Tensors {
				ti := &f.Tensors[i]
				if len(ti.Shape) != 2 {
					continue
				}
				data, err := f.Data(ti)
				if err != nil {
					t.Fatal(err)
				}
				w, err := tensor.NewMatrix(ti.Type, int(ti.Shape[1]), int(ti.Shape[0]), data)
				if err != nil {
					t.Fatalf("%s: %v", ti.Name, err)
				}
				if !tensor.MatMulSupported(w.Type) {
					t.Fatalf("%s: %s not supported", ti.Name, w.Type)
				}
				n := 3
				x := make([]float32, n*w.Cols)
				for j := range x {
					x[j] = float32(rng.NormFloat64())
				}
				out := make([]float32, n*w.Rows)
				tensor.MatMul(pool, out, w, x, n)
				checkAgainstDequantized(t, ti.Name, w, x, n, out)
			}
		})
	}
}

// checkAgainstDequantized compares out with the float64 reference. The
// bound allows a few float32 roundings per block and per running sum
// (4·(blocks+8)·2⁻²⁴·Σ|w·x|) and, for Q4_1/Q5_1, the f16 rounding of the
// activation block sum s that their min term uses (2⁻¹¹·|m|·|Σx| per block,
// with |m| at most the block's largest |w|).
func checkAgainstDequantized(t *testing.T, name string, w tensor.Matrix, x []float32, n int, out []float32) {
	t.Helper()
	act, _ := tensor.MatMulActivationType(w.Type)
	size, err := act.RowSize(int64(w.Cols))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, size)
	xd := make([]float32, n*w.Cols)
	for i := 0; i < n; i++ {
		if err := tensor.QuantizeActivations(act, x[i*w.Cols:(i+1)*w.Cols], buf); err != nil {
			t.Fatal(err)
		}
		if err := tensor.Dequantize(act, buf, xd[i*w.Cols:(i+1)*w.Cols]); err != nil {
			t.Fatal(err)
		}
	}
	bs := w.Type.BlockSize()
	blocks := w.Cols / bs
	row := make([]float32, w.Cols)
	worst := 0.0
	for r := 0; r < w.Rows; r++ {
		w.Row(r, row)
		for i := 0; i < n; i++ {
			xi := xd[i*w.Cols : (i+1)*w.Cols]
			var ref, abs, minTerm float64
			for b := 0; b < blocks; b++ {
				var xsum, wmax float64
				for c := b * bs; c < (b+1)*bs; c++ {
					p := float64(row[c]) * float64(xi[c])
					ref += p
					abs += math.Abs(p)
					xsum += float64(xi[c])
					wmax = math.Max(wmax, math.Abs(float64(row[c])))
				}
				minTerm += wmax * (math.Abs(xsum) + 0x1p-14) // f16 subnormals too
			}
			tol := 4*float64(blocks+8)*0x1p-24*abs + 1e-30
			if act == tensor.Q8_1 {
				tol += 0x1p-11 * minTerm
			}
			got := float64(out[i*w.Rows+r])
			if d := math.Abs(got - ref); !(d <= tol) {
				t.Fatalf("%s (%s) row %d token %d: %v, reference %v (|Δ| %.3g > %.3g)", name, w.Type, r, i, got, ref, d, tol)
			}
			worst = math.Max(worst, math.Abs(got-ref)/tol)
		}
	}
	if worst > 0.5 {
		t.Logf("%s (%s): largest error %.2f of the bound", name, w.Type, worst)
	}
}
