package tensor

import (
	"math/rand/v2"
	"testing"
)

func TestNewMatrixValidates(t *testing.T) {
	good := []struct {
		t          Type
		rows, cols int
		bytes      int
	}{
		{F32, 3, 5, 60}, {F16, 2, 3, 12}, {Q4_0, 4, 64, 4 * 36}, {Q6_K, 2, 512, 2 * 420}, {Q8_0, 0, 32, 0},
	}
	for _, g := range good {
		if _, err := NewMatrix(g.t, g.rows, g.cols, make([]byte, g.bytes)); err != nil {
			t.Errorf("%s %d×%d: %v", g.t, g.rows, g.cols, err)
		}
	}
	bad := []struct {
		name       string
		t          Type
		rows, cols int
		bytes      int
	}{
		{"short data", Q4_0, 4, 64, 4*36 - 1},
		{"long data", F32, 1, 1, 5},
		{"partial block", Q4_K, 1, 100, 144},
		{"unknown type", Type(99), 1, 1, 4},
		{"negative rows", F32, -1, 1, 0},
		{"overflow", Q8_0, 1 << 62, 1 << 20, 0},
	}
	for _, b := range bad {
		if _, err := NewMatrix(b.t, b.rows, b.cols, make([]byte, b.bytes)); err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
}

func TestMatrixRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, typ := range kernelTestTypes {
		cols := kernelTestCols(typ)[1]
		data := kernelRandWeights(rng, typ, 3, cols)
		m, err := NewMatrix(typ, 3, cols, data)
		if err != nil {
			t.Fatal(err)
		}
		all := make([]float32, 3*cols)
		if err := Dequantize(typ, data, all); err != nil {
			t.Fatal(err)
		}
		dst := make([]float32, cols+1)
		dst[cols] = 7
		for r := 0; r < 3; r++ {
			m.Row(r, dst)
			for c := 0; c < cols; c++ {
				if dst[c] != all[r*cols+c] {
					t.Fatalf("%s row %d col %d: %v, want %v", typ, r, c, dst[c], all[r*cols+c])
				}
			}
			if dst[cols] != 7 {
				t.Fatalf("%s: Row wrote past Cols", typ)
			}
		}
	}
	m, _ := NewMatrix(F32, 1, 2, make([]byte, 8))
	for name, f := range map[string]func(){
		"row out of range": func() { m.Row(1, make([]float32, 2)) },
		"short dst":        func() { m.Row(0, make([]float32, 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
