package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kernelClose reports whether got is within rel·scale of want.
func kernelClose(got float32, want, scale, rel float64) bool {
	return math.Abs(float64(got)-want) <= rel*scale
}

func TestRMSNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 64, 1000} {
		x := kernelRandFloats(rng, n, 3)
		weight := kernelRandFloats(rng, n, 1)
		var ss float64
		for _, v := range x {
			ss += float64(v) * float64(v)
		}
		inv := 1 / math.Sqrt(ss/float64(n)+1e-5)
		out := make([]float32, n+1)
		out[n] = 42
		RMSNorm(out[:n], x, weight, 1e-5)
		for i := 0; i < n; i++ {
			want := float64(x[i]) * inv * float64(weight[i])
			// A handful of float32 roundings (square, mean, sqrt, divide,
			// two products): a few ulp of the result.
			if !kernelClose(out[i], want, math.Abs(want), 1e-6) {
				t.Fatalf("n=%d: out[%d] = %v, want %v", n, i, out[i], want)
			}
		}
		if out[n] != 42 {
			t.Fatal("RMSNorm wrote past len(x)")
		}
		RMSNorm(x, x, weight, 1e-5) // in place
		for i := 0; i < n; i++ {
			if x[i] != out[i] {
				t.Fatalf("in-place result differs at %d", i)
			}
		}
	}
	zero := make([]float32, 8)
	RMSNorm(zero, zero, make([]float32, 8), 1e-5)
	for _, v := range zero {
		if v != 0 {
			t.Fatal("RMSNorm of zeros is not zero")
		}
	}
}

func TestSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 33, 500} {
		x := kernelRandFloats(rng, n, 5)
		if n > 2 {
			x[1] = float32(math.Inf(-1)) // a masked position
		}
		m := math.Inf(-1)
		for _, v := range x {
			m = math.Max(m, float64(v))
		}
		var sum float64
		for _, v := range x {
			sum += math.Exp(float64(v) - m)
		}
		want := make([]float64, n)
		for i, v := range x {
			want[i] = math.Exp(float64(v)-m) / sum
		}
		Softmax(x)
		var total float64
		for i, v := range x {
			// exp and the two products round to float32; the subtraction of the
			// max is exact for these magnitudes only up to an ulp of |x|·2⁻²⁴,
			// which moves the result by the same relative amount.
			if !kernelClose(v, want[i], want[i], 1e-5) {
				t.Fatalf("n=%d: softmax[%d] = %v, want %v", n, i, v, want[i])
			}
			total += float64(v)
		}
		if math.Abs(total-1) > 1e-5 {
			t.Fatalf("n=%d: softmax sums to %v", n, total)
		}
		if n > 2 && x[1] != 0 {
			t.Fatalf("masked position got %v", x[1])
		}
	}
	Softmax(nil)
}

func TestSiLUMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gate := kernelRandFloats(rng, 300, 4)
	gate = append(gate, 0, -100, 100, 1e-30)
	up := kernelRandFloats(rng, len(gate), 1)
	out := make([]float32, len(gate))
	SiLUMul(out, gate, up)
	for i, g := range gate {
		want := float64(g) / (1 + math.Exp(-float64(g))) * float64(up[i])
		if !kernelClose(out[i], want, math.Abs(want), 1e-6) && math.Abs(want) > 1e-37 {
			t.Fatalf("silu(%v)·%v = %v, want %v", g, up[i], out[i], want)
		}
	}
	SiLUMul(gate, gate, up) // in place
	for i := range gate {
		if gate[i] != out[i] {
			t.Fatalf("in-place result differs at %d", i)
		}
	}
}

func TestDotAxpyAddScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 3, 4, 5, 1001} {
		a := kernelRandFloats(rng, n, 1)
		b := kernelRandFloats(rng, n+2, 1) // longer b is allowed
		var want, abs float64
		for i := range a {
			p := float64(a[i] * b[i])
			want += p
			abs += math.Abs(p)
		}
		// Products round to float32 exactly as the reference does; the float64
		// sum adds ≤ n·2⁻⁵³ relative, and the result one float32 rounding.
		if got := Dot(a, b); !kernelClose(got, want, abs, 1e-7) {
			t.Fatalf("n=%d: Dot = %v, want %v", n, got, want)
		}

		y := append([]float32(nil), b...)
		Axpy(0.5, a, y)
		for i := range a {
			if want := b[i] + a[i]*0.5; y[i] != want {
				t.Fatalf("Axpy[%d] = %v, want %v", i, y[i], want)
			}
		}
		if n > 0 && (y[n] != b[n] || y[n+1] != b[n+1]) {
			t.Fatal("Axpy wrote past len(x)")
		}

		d := append([]float32(nil), b...)
		Add(d, a)
		for i := range a {
			if d[i] != b[i]+a[i] {
				t.Fatalf("Add[%d] = %v", i, d[i])
			}
		}
		if n > 0 && d[n] != b[n] {
			t.Fatal("Add wrote past len(a)")
		}

		m := append([]float32(nil), b...)
		Mul(m, a)
		for i := range a {
			if m[i] != b[i]*a[i] {
				t.Fatalf("Mul[%d] = %v", i, m[i])
			}
		}

		s := append([]float32(nil), a...)
		Scale(s, -3)
		for i := range a {
			if s[i] != a[i]*-3 {
				t.Fatalf("Scale[%d] = %v", i, s[i])
			}
		}
	}
}

// x86VecDotF32 transcribes ggml's AVX2 ggml_vec_dot_f32: GGML_F32_STEP 32,
// four registers of eight lanes with _mm256_fmadd_ps, GGML_F32x8_REDUCE
// (x[i] += x[offset+i] for offset 2, then 1; then the 128-bit halves and two
// hadds), and the leftovers added in float.
func x86VecDotF32(x, y []float32) float32 {
	n := len(x)
	np := n &^ 31
	var sum [4][8]float32
	for i := 0; i < np; i += 32 {
		for j := 0; j < 4; j++ {
			for l := 0; l < 8; l++ {
				k := i + 8*j + l
				sum[j][l] = float32(math.FMA(float64(x[k]), float64(y[k]), float64(sum[j][l])))
			}
		}
	}
	for offset := 2; offset > 0; offset >>= 1 {
		for i := 0; i < offset; i++ {
			for l := 0; l < 8; l++ {
				sum[i][l] += sum[offset+i][l]
			}
		}
	}
	var t0 [4]float32
	for l := range t0 {
		t0[l] = sum[0][l] + sum[0][l+4]
	}
	t1 := [2]float32{t0[0] + t0[1], t0[2] + t0[3]}
	sumf := t1[0] + t1[1]
	for i := np; i < n; i++ {
		sumf += x[i] * y[i]
	}
	return sumf
}

func TestDotMatchesX86Transcription(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 5, 16, 32, 64, 77, 128, 1000} {
		a := kernelRandFloats(rng, n, 1)
		b := kernelRandFloats(rng, n, 3)
		if got, want := Dot(a, b), x86VecDotF32(a, b); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d: Dot %v, transcription %v", n, got, want)
		}
	}
}
