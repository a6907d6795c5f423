//go:build !purego

package tensor

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// TestQuantizeQ8_0AsmMatchesGo checks the assembly activation quantizer
// against the Go one byte for byte, on random blocks and edge cases: zero
// blocks, subnormal and huge values, and values whose scaled quant is an
// exact tie.
func TestQuantizeQ8_0AsmMatchesGo(t *testing.T) {
	if actQ8_0Accel == nil {
		t.Skip("no AVX-512 on this CPU")
	}
	src := activationTestBlocks()
	for _, n := range []int{32, 64, len(src)} {
		want := make([]byte, n/32*34)
		got := make([]byte, n/32*34+3)
		actQuantizeQ8Go(Q8_0, src[:n], want)
		actQ8_0Accel(src[:n], got)
		if !bytes.Equal(got[:len(want)], want) || !bytes.Equal(got[len(want):], []byte{0, 0, 0}) {
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("n=%d: block %d byte %d = %#x, Go %#x", n, i/34, i%34, got[i], want[i])
				}
			}
			t.Fatalf("n=%d: wrote past the blocks", n)
		}
	}
}

// activationTestBlocks returns blocks of 32 activations for the quantizer
// tests: random ones of many magnitudes, and edge cases: a zero block,
// subnormal and huge values, and values whose scaled quant is an exact
// tie.
func activationTestBlocks() []float32 {
	rng := rand.New(rand.NewPCG(81, 5))
	var blocks [][32]float32
	for range 2000 {
		var b [32]float32
		scale := math.Pow(10, float64(rng.IntN(20)-10))
		for j := range b {
			b[j] = float32(rng.NormFloat64() * scale)
		}
		blocks = append(blocks, b)
	}
	var zero, tiny, huge, ties [32]float32
	for j := range tiny {
		tiny[j] = float32(j) * 1e-42
		huge[j] = float32(j-16) * 1e37
		ties[j] = float32(j) - 15.5 // amax 15.5: id = 127/15.5
	}
	ties[0] = 127
	blocks = append(blocks, zero, tiny, huge, ties)
	src := make([]float32, 0, 32*len(blocks))
	for _, b := range blocks {
		src = append(src, b[:]...)
	}
	return src
}

// TestQuantizeQ8_0SumsAsmMatchesRewrite checks the assembly quantizer for
// the repacked Q4_0 kernels against quantizing and rewriting each block,
// byte for byte.
func TestQuantizeQ8_0SumsAsmMatchesRewrite(t *testing.T) {
	if actQ8_0SumsAccel == nil {
		t.Skip("no AVX-512 on this CPU")
	}
	src := activationTestBlocks()
	nb := len(src) / 32
	q := make([]byte, nb*34)
	actQuantizeQ8Go(Q8_0, src, q)
	want := make([]byte, nb*q4_0ActBlock)
	for i := 0; i < nb; i++ {
		rewriteQ8Sums(q[34*i:34*i+34], want[q4_0ActBlock*i:])
	}
	got := make([]byte, nb*q4_0ActBlock+3)
	actQ8_0SumsAccel(src, got)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("block %d byte %d = %#x, want %#x", i/q4_0ActBlock, i%q4_0ActBlock, got[i], want[i])
		}
	}
	if !bytes.Equal(got[len(want):], []byte{0, 0, 0}) {
		t.Fatal("wrote past the last block")
	}
}

// TestQuantizeQ8KAsmMatchesGo checks the assembly Q8_K quantizer against
// the Go one byte for byte, on the quantizer test blocks regrouped by 256,
// a block whose largest magnitude comes first with both signs, and blocks
// with subnormal maxima (whose scale overflows).
func TestQuantizeQ8KAsmMatchesGo(t *testing.T) {
	if q8KAccel == nil {
		t.Skip("no AVX-512 on this CPU")
	}
	src := activationTestBlocks()
	src = src[:len(src)/QK_K*QK_K]
	var signs, sub, nan [QK_K]float32
	for j := range signs {
		signs[j] = float32(j%7) - 3
		sub[j] = float32(j%5) * 1e-44
		nan[j] = float32(j)
	}
	signs[200] = -3 // |-3| = |3| at index 3 first
	nan[10] = float32(math.NaN())
	src = append(src, signs[:]...)
	src = append(src, sub[:]...)
	src = append(src, nan[:]...)
	src = append(src, make([]float32, QK_K)...)
	nb := len(src) / QK_K
	want := make([]byte, nb*q8KBlock)
	quantizeQ8KGo(src, want)
	got := make([]byte, nb*q8KBlock+3)
	for i := range got {
		got[i] = 0xa5
	}
	q8KAccel(src, got)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("block %d byte %d = %#x, Go %#x", i/q8KBlock, i%q8KBlock, got[i], want[i])
		}
	}
	if !bytes.Equal(got[len(want):], []byte{0xa5, 0xa5, 0xa5}) {
		t.Fatal("wrote past the last block")
	}
}
