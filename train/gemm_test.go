package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMatMulNTMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	p := NewPool(3)
	defer p.Close()
	for _, sh := range [][3]int{{1, 1, 1}, {2, 4, 3}, {5, 7, 9}, {130, 3, 17}, {3, 130, 17}, {67, 66, 65}, {32, 36, 172}, {8, 12, 64}} {
		m, n, k := sh[0], sh[1], sh[2]
		a, b, c0 := randVec(rng, m*k, 1), randVec(rng, n*k, 1), randVec(rng, m*n, 1)
		ref := refLinear(a, b, k, n)
		for _, acc := range []bool{false, true} {
			c := to32(c0)
			matMulNT(p, c, to32(a), to32(b), m, n, k, acc)
			want := append([]float64(nil), ref...)
			if acc {
				for i := range want {
					want[i] += c0[i]
				}
			}
			if e := relErr(c, want); e > 1e-5 {
				t.Errorf("%v acc=%v: relative error %g", sh, acc, e)
			}
		}
	}
}

func TestExp32(t *testing.T) {
	for x := float32(-87); x <= 0; x += 0.01 {
		want := math.Exp(float64(x))
		if got := float64(exp32(x)); math.Abs(got-want) > 1e-5*want {
			t.Fatalf("exp32(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestExpSubSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, n := range []int{1, 15, 16, 17, 100, 1000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 30)
		}
		mx := x[0]
		for _, v := range x {
			mx = max(mx, v)
		}
		want := make([]float64, n)
		var sum float64
		for i, v := range x {
			want[i] = math.Exp(float64(v - mx))
			sum += want[i]
		}
		got := expSubSum(x, mx)
		for i := range x {
			if math.Abs(float64(x[i])-want[i]) > 1e-5*want[i]+1e-37 {
				t.Fatalf("n %d: e^%v = %v, want %v", n, x[i], x[i], want[i])
			}
		}
		if math.Abs(float64(got)-sum) > 1e-5*sum {
			t.Fatalf("n %d: sum %v, want %v", n, got, sum)
		}
	}
}
