package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelTestTypes are the weight types MatMul must handle.
var kernelTestTypes = []Type{F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS}

// kernelHalfOffsets lists where each block format keeps its f16 scales, so
// random blocks can be given finite ones.
var kernelHalfOffsets = map[Type][]int{
	Q4_0: {0}, Q4_1: {0, 2}, Q5_0: {0}, Q5_1: {0, 2}, Q8_0: {0}, IQ4_NL: {0},
	Q2_K: {80, 82}, Q3_K: {108}, Q4_K: {0, 2}, Q5_K: {0, 2}, Q6_K: {208}, IQ4_XS: {0},
}

// kernelRandFloats returns n normal values with standard deviation sd.
func kernelRandFloats(rng *rand.Rand, n int, sd float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * sd)
	}
	return x
}

// kernelRandHalf returns the bits of a random finite half in ±[2^-12, 2^-2).
func kernelRandHalf(rng *rand.Rand) uint16 {
	v := float32(math.Ldexp(1+rng.Float64(), -3-rng.IntN(10)))
	if rng.IntN(2) == 0 {
		v = -v
	}
	return F32ToF16(v)
}

// kernelRandBlocks returns rows×cols weights of type t made of random bytes, with
// every scale a small finite half (and F16/BF16 elements finite).
func kernelRandBlocks(rng *rand.Rand, t Type, rows, cols int) []byte {
	size, err := t.RowSize(int64(cols))
	if err != nil {
		panic(err)
	}
	data := make([]byte, int(size)*rows)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	switch t {
	case F32:
		for i := 0; i < len(data); i += 4 {
			binary.LittleEndian.PutUint32(data[i:], math.Float32bits(float32(rng.NormFloat64())))
		}
	case F16:
		for i := 0; i < len(data); i += 2 {
			binary.LittleEndian.PutUint16(data[i:], kernelRandHalf(rng))
		}
	case BF16:
		for i := 0; i < len(data); i += 2 {
			binary.LittleEndian.PutUint16(data[i:], F32ToBF16(float32(rng.NormFloat64())))
		}
	default:
		bs := t.TypeSize()
		for b := 0; b < len(data); b += bs {
			for _, off := range kernelHalfOffsets[t] {
				binary.LittleEndian.PutUint16(data[b+off:], kernelRandHalf(rng))
			}
		}
	}
	return data
}

// kernelRandWeights returns rows×cols weights of type t: random normal floats
// quantized with Quantize where it handles t, random blocks otherwise.
func kernelRandWeights(rng *rand.Rand, t Type, rows, cols int) []byte {
	if !CanQuantize(t) {
		return kernelRandBlocks(rng, t, rows, cols)
	}
	size, _ := t.RowSize(int64(cols))
	data := make([]byte, int(size)*rows)
	if err := Quantize(t, kernelRandFloats(rng, rows*cols, 0.5), data); err != nil {
		panic(err)
	}
	return data
}

// kernelReference computes the product in float64 from the dequantized
// weights and the dequantized converted activations, and a bound on the
// float32 rounding error a kernel may add. The kernel rounds a few products
// per block term (≤ 4 ulp of the term) and runs a float32 sum over the
// blocks (≤ 1 ulp of the partial sum per block), and the dequantized values
// the reference starts from are themselves float32 roundings (≤ 1 ulp each),
// so the bound is 4·(blocks+8)·2⁻²⁴·Σ|w·x|. Q8_1's block sum s is stored
// as f16, which ggml's Q4_1/Q5_1 kernels use for the min term: that adds
// 2⁻¹¹·|m·s| per block.
func kernelReference(t *testing.T, w Matrix, x []float32, n int) (ref, tol []float64) {
	t.Helper()
	act, ok := MatMulActivationType(w.Type)
	if !ok {
		t.Fatalf("%s: no kernel", w.Type)
	}
	xd := make([]float32, n*w.Cols)
	xq := make([]byte, kernelMust(act.RowSize(int64(w.Cols))))
	for i := 0; i < n; i++ {
		if err := QuantizeActivations(act, x[i*w.Cols:(i+1)*w.Cols], xq); err != nil {
			t.Fatal(err)
		}
		if err := Dequantize(act, xq, xd[i*w.Cols:(i+1)*w.Cols]); err != nil {
			t.Fatal(err)
		}
	}
	wd := make([]float32, w.Rows*w.Cols)
	for r := 0; r < w.Rows; r++ {
		w.Row(r, wd[r*w.Cols:(r+1)*w.Cols])
	}
	blocks := w.Cols / w.Type.BlockSize()
	ref = make([]float64, n*w.Rows)
	tol = make([]float64, n*w.Rows)
	for i := 0; i < n; i++ {
		for r := 0; r < w.Rows; r++ {
			var s, abs float64
			for c := 0; c < w.Cols; c++ {
				p := float64(wd[r*w.Cols+c]) * float64(xd[i*w.Cols+c])
				s += p
				abs += math.Abs(p)
			}
			ref[i*w.Rows+r] = s
			tol[i*w.Rows+r] = 4*float64(blocks+8)*0x1p-24*abs + 1e-30
			if act == Q8_1 {
				tol[i*w.Rows+r] += kernelQ8_1MinError(w, r, x[i*w.Cols:(i+1)*w.Cols])
			}
		}
	}
	return ref, tol
}

// kernelQ8_1MinError bounds the error of the min term m·s of the Q4_1/Q5_1 kernels
// caused by s being an f16.
func kernelQ8_1MinError(w Matrix, r int, x []float32) float64 {
	xq := make([]byte, kernelMust(Q8_1.RowSize(int64(len(x)))))
	if err := QuantizeActivations(Q8_1, x, xq); err != nil {
		panic(err)
	}
	row := w.RowData(r)
	var e float64
	for b := 0; b < w.Cols/32; b++ {
		m := float64(kernelF16At(row[b*w.Type.TypeSize()+2:]))
		s := float64(kernelF16At(xq[36*b+2:]))
		e += 0x1p-10 * math.Abs(m*s)
	}
	return e
}

func kernelMust(v int64, err error) int {
	if err != nil {
		panic(err)
	}
	return int(v)
}

// kernelCheckMatMul runs MatMul on a guarded output buffer and compares it with
// the reference.
func kernelCheckMatMul(t *testing.T, p *Pool, w Matrix, x []float32, n int) []float32 {
	t.Helper()
	const guard = 17
	const sentinel = float32(-12345.5)
	buf := make([]float32, n*w.Rows+2*guard)
	for i := range buf {
		buf[i] = sentinel
	}
	xCopy := append([]float32(nil), x...)
	out := buf[guard : guard+n*w.Rows]
	MatMul(p, out, w, x, n)
	for i, v := range buf {
		if (i < guard || i >= guard+n*w.Rows) && v != sentinel {
			t.Fatalf("%s: MatMul wrote %v outside out at buffer index %d", w.Type, v, i)
		}
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(xCopy[i]) {
			t.Fatalf("%s: MatMul changed x[%d]", w.Type, i)
		}
	}
	ref, tol := kernelReference(t, w, x, n)
	for i, v := range out {
		if d := math.Abs(float64(v) - ref[i]); !(d <= tol[i]) {
			t.Fatalf("%s %d×%d n=%d: out[%d] = %v, reference %v (|Δ| %.3g > tolerance %.3g)",
				w.Type, w.Rows, w.Cols, n, i, v, ref[i], d, tol[i])
		}
	}
	return out
}

// kernelTestCols returns the row lengths to test type t with: one and
// several blocks.
func kernelTestCols(t Type) []int {
	switch bs := t.BlockSize(); bs {
	case 1:
		return []int{1, 7, 256, 301}
	default:
		return []int{bs, 3 * bs, 5 * bs}
	}
}

func TestMatMulAgainstReference(t *testing.T) {
	pool := NewPool(3)
	defer pool.Close()
	for _, typ := range kernelTestTypes {
		t.Run(typ.String(), func(t *testing.T) {
			if !CanDequantize(typ) {
				t.Fatalf("Dequantize does not handle %s yet", typ)
			}
			rng := rand.New(rand.NewPCG(uint64(typ), 7))
			for _, cols := range kernelTestCols(typ) {
				for _, random := range []bool{false, true} {
					rows := 13
					var data []byte
					if random {
						data = kernelRandBlocks(rng, typ, rows, cols)
					} else {
						data = kernelRandWeights(rng, typ, rows, cols)
					}
					w, err := NewMatrix(typ, rows, cols, data)
					if err != nil {
						t.Fatal(err)
					}
					for _, n := range []int{1, 2, 3, 8, 9, 19} {
						x := kernelRandFloats(rng, n*cols, 1)
						kernelCheckMatMul(t, nil, w, x, n)
						kernelCheckMatMul(t, pool, w, x, n)
					}
				}
			}
		})
	}
}

// TestMatMulEdgeActivations feeds zeros, one-hot rows, huge and tiny values.
func TestMatMulEdgeActivations(t *testing.T) {
	for _, typ := range kernelTestTypes {
		t.Run(typ.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(typ), 11))
			cols := kernelTestCols(typ)[1]
			rows := 5
			w, err := NewMatrix(typ, rows, cols, kernelRandWeights(rng, typ, rows, cols))
			if err != nil {
				t.Fatal(err)
			}
			n := 5
			x := make([]float32, n*cols)
			x[cols+cols/2] = 1 // row 1: one-hot
			for c := 0; c < cols; c++ {
				x[2*cols+c] = float32(c%7-3) * 1000 // row 2: large, many ties
				x[3*cols+c] = float32(rng.NormFloat64()) * 1e-20
				x[4*cols+c] = -1
			}
			kernelCheckMatMul(t, nil, w, x, n)
		})
	}
}

// TestMatMulConsistent checks that tiling and threading do not change a bit:
// every token's result equals a single-token call on any pool.
func TestMatMulConsistent(t *testing.T) {
	pools := []*Pool{nil, NewPool(1), NewPool(2), NewPool(3), NewPool(4)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	for _, typ := range kernelTestTypes {
		t.Run(typ.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(typ), 13))
			cols := kernelTestCols(typ)[2]
			rows := 131
			w, err := NewMatrix(typ, rows, cols, kernelRandWeights(rng, typ, rows, cols))
			if err != nil {
				t.Fatal(err)
			}
			n := 21
			x := kernelRandFloats(rng, n*cols, 1)
			want := make([]float32, n*rows)
			for i := 0; i < n; i++ {
				MatMul(nil, want[i*rows:(i+1)*rows], w, x[i*cols:(i+1)*cols], 1)
			}
			for _, p := range pools {
				got := make([]float32, n*rows)
				MatMul(p, got, w, x, n)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%d threads: out[%d] = %v, single-token %v", p.Threads(), i, got[i], want[i])
					}
				}
			}
		})
	}
}

func TestMatMulSupported(t *testing.T) {
	for _, typ := range kernelTestTypes {
		if !MatMulSupported(typ) {
			t.Errorf("%s not supported", typ)
		}
	}
	want := map[Type]Type{Q4_0: Q8_0, Q5_0: Q8_0, Q8_0: Q8_0, IQ4_NL: Q8_0, Q4_1: Q8_1, Q5_1: Q8_1,
		Q2_K: Q8_K, Q3_K: Q8_K, Q4_K: Q8_K, Q5_K: Q8_K, Q6_K: Q8_K, IQ4_XS: Q8_K, F16: F16, BF16: BF16, F32: F32}
	for w, a := range want {
		if got, _ := MatMulActivationType(w); got != a {
			t.Errorf("activation type for %s = %s, want %s", w, got, a)
		}
	}
	for _, typ := range []Type{Q8_K, IQ2_XXS, Type(1000)} {
		if MatMulSupported(typ) {
			t.Errorf("%s reported supported", typ)
		}
	}
}

func TestMatMulPanicsOnMisuse(t *testing.T) {
	w, err := NewMatrix(Q8_0, 2, 32, make([]byte, 68))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(){
		"short x":   func() { MatMul(nil, make([]float32, 4), w, make([]float32, 63), 2) },
		"short out": func() { MatMul(nil, make([]float32, 3), w, make([]float32, 64), 2) },
		"type": func() {
			MatMul(nil, make([]float32, 2), Matrix{Type: IQ2_XXS, Rows: 1, Cols: 256, Data: make([]byte, 66)}, make([]float32, 256), 1)
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			f()
		})
	}
	MatMul(nil, nil, w, nil, 0) // n = 0 does nothing
}

// ExampleMatMul multiplies two activation rows by a 2×32 Q8_0 matrix.
func ExampleMatMul() {
	weights := make([]float32, 64)
	for c := 0; c < 32; c++ {
		weights[c] = 1       // row 0 sums its input
		weights[32+c] = -0.5 // row 1 takes minus half of it
	}
	data := make([]byte, 68)
	if err := Quantize(Q8_0, weights, data); err != nil {
		panic(err)
	}
	w, err := NewMatrix(Q8_0, 2, 32, data)
	if err != nil {
		panic(err)
	}
	x := make([]float32, 64)
	for c := 0; c < 32; c++ {
		x[c], x[32+c] = 1, 2
	}
	out := make([]float32, 4)
	MatMul(nil, out, w, x, 2)
	fmt.Printf("%.2f\n", out) // Q8_0 scales are f16, hence not exactly 32
	// Output: [32.00 -16.00 63.99 -32.00]
}
