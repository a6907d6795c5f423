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

// TestDotMatchesF32MatMul checks that F32 MatMul and Dot agree bit for bit.
func TestDotMatchesF32MatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cols := 77
	w := kernelRandFloats(rng, 3*cols, 1)
	data := make([]byte, 4*len(w))
	if err := Quantize(F32, w, data); err != nil {
		t.Fatal(err)
	}
	m, err := NewMatrix(F32, 3, cols, data)
	if err != nil {
		t.Fatal(err)
	}
	x := kernelRandFloats(rng, cols, 1)
	out := make([]float32, 3)
	MatMul(nil, out, m, x, 1)
	for r := 0; r < 3; r++ {
		if want := Dot(w[r*cols:(r+1)*cols], x); out[r] != want {
			t.Errorf("row %d: MatMul %v, Dot %v", r, out[r], want)
		}
	}
}
