//go:build !purego

package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
)

// legacyTypes are the weight types with assembly kernels in
// vecdot_legacy_amd64.s.
var legacyTypes = []Type{Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL}

// legacyVariants returns the assembly variants this CPU runs, by name.
func legacyVariants(t testing.TB) map[string]map[Type]*legacyKernel {
	v := map[string]map[Type]*legacyKernel{}
	if legacyAVX2 {
		v["AVX2"] = legacyKernelsAVX2
	}
	if legacyVNNI {
		v["VNNI"] = legacyKernelsVNNI
	}
	if len(v) == 0 {
		t.Skip("the CPU runs neither assembly variant")
	}
	return v
}

// legacySigned reports whether typ's AVX2 kernel multiplies signed by
// signed quants (and so gets -128 activations against negative weights
// wrong, see vecdot_legacy_amd64.go).
func legacySigned(typ Type) bool { return typ != Q4_1 && typ != Q5_1 }

// legacyActivations returns rows rows of n elements of random raw act
// blocks: finite f16 scales (and sums), random quants. With full, quants
// span all of -128..127, else -127..127.
func legacyActivations(rng *rand.Rand, act Type, rows, n int, full bool) []byte {
	bs := act.TypeSize()
	x := make([]byte, rows*n/32*bs)
	for b := 0; b < len(x); b += bs {
		binary.LittleEndian.PutUint16(x[b:], kernelRandHalf(rng))
		q := 2
		if act == Q8_1 {
			binary.LittleEndian.PutUint16(x[b+2:], kernelRandHalf(rng))
			q = 4
		}
		for j := b + q; j < b+bs; j++ {
			v := byte(rng.Uint32())
			if v == 0x80 && !full {
				v = 0x81
			}
			x[j] = v
		}
	}
	return x
}

// legacyGoDot runs the Go kernel of typ on raw activation rows (packing
// them as it expects).
func legacyGoDot(typ Type, n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	k := &vecDotGo[typ]
	bs := k.act.TypeSize()
	rb := k.rowBytes(n)
	packed := make([]byte, nx*rb)
	for t := 0; t < nx; t++ {
		k.pack.pack(x[t*xStride:t*xStride+n/32*bs], packed[t*rb:(t+1)*rb])
	}
	k.dot(n, w, packed, rb, nx, out, outStride)
}

// legacyMagnitude returns Σ|w·x| over the dequantized elements (plus the
// |m·s| min terms), the scale of the rounding differences allowed.
func legacyMagnitude(typ Type, n int, w, x []byte) float64 {
	act := vecDotGo[typ].act
	wd := make([]float32, n)
	xd := make([]float32, n)
	if err := Dequantize(typ, w[:kernelMust(typ.RowSize(int64(n)))], wd); err != nil {
		panic(err)
	}
	bs := act.TypeSize()
	for b := 0; b < n/32; b++ {
		y := x[b*bs:]
		d := float64(F16ToF32(binary.LittleEndian.Uint16(y)))
		for j := 0; j < 32; j++ {
			xd[32*b+j] = float32(d * float64(int8(y[bs-32+j])))
		}
	}
	var m float64
	for i := range wd {
		m += math.Abs(float64(wd[i]) * float64(xd[i]))
	}
	if act == Q8_1 {
		wbs := typ.TypeSize()
		for b := 0; b < n/32; b++ {
			mw := F16ToF32(binary.LittleEndian.Uint16(w[b*wbs+2:]))
			s := F16ToF32(binary.LittleEndian.Uint16(x[b*bs+2:]))
			m += math.Abs(float64(mw) * float64(s))
		}
	}
	return m
}

// legacyCompare runs kernel k and the Go kernel of typ on the same input
// and fails unless every result agrees (see vecdot_legacy_amd64.go: bit for
// bit but for rare double roundings of the Go kernel). It checks that k
// writes out[t*outStride] and nothing else. It returns how many results
// differed in any bit.
func legacyCompare(t *testing.T, typ Type, k *legacyKernel, n int, w, x []byte, xStride, nx int) (inexact int) {
	t.Helper()
	const outStride = 3
	canary := float32(math.Inf(-1))
	want := make([]float32, nx*outStride)
	got := make([]float32, nx*outStride+2)
	for i := range got {
		got[i] = canary
	}
	legacyGoDot(typ, n, w, x, xStride, nx, want, outStride)
	k.dot(n, w, x, xStride, nx, got, outStride)
	for i, v := range got {
		if i%outStride != 0 || i >= nx*outStride {
			if math.Float32bits(v) != math.Float32bits(canary) {
				t.Fatalf("n %d nx %d: out[%d] = %v: written outside the results", n, nx, i, v)
			}
			continue
		}
		if math.Float32bits(v) == math.Float32bits(want[i]) {
			continue
		}
		inexact++
		tr := i / outStride
		mag := legacyMagnitude(typ, n, w, x[tr*xStride:])
		if d := math.Abs(float64(v) - float64(want[i])); !(d <= 0x1p-20*mag) {
			t.Fatalf("n %d nx %d token %d: %v, Go kernel %v (Σ|w·x| %g)", n, nx, tr, v, want[i], mag)
		}
	}
	return inexact
}

func TestLegacyAsmMatchesGo(t *testing.T) {
	for name, kernels := range legacyVariants(t) {
		for _, typ := range legacyTypes {
			t.Run(name+"/"+typ.String(), func(t *testing.T) {
				k := kernels[typ]
				act := vecDotGo[typ].act
				full := name == "VNNI" || !legacySigned(typ)
				rng := rand.New(rand.NewPCG(uint64(typ), 21))
				inexact, total := 0, 0
				for _, n := range []int{32, 64, 96, 160, 256, 1024, 4096} {
					for nx := 1; nx <= kernelTile; nx++ {
						w := kernelRandBlocks(rng, typ, 1, n)
						rb := n / 32 * act.TypeSize()
						xStride := rb + 8*rng.IntN(3)
						x := make([]byte, nx*xStride)
						for i := range x {
							x[i] = 0xff // between rows: NaN scales if read
						}
						for r := 0; r < nx; r++ {
							copy(x[r*xStride:], legacyActivations(rng, act, 1, n, full))
						}
						inexact += legacyCompare(t, typ, k, n, w, x, xStride, nx)
						total += nx
					}
				}
				t.Logf("%d of %d results differ from the Go kernel's in some bit", inexact, total)
				if inexact > total/100 {
					t.Errorf("%d of %d results differ from the Go kernel's in some bit", inexact, total)
				}
			})
		}
	}
}

// legacyEdgeBlocks sets every block of w (type typ) to an extreme: the
// largest quants, the smallest, zero scales, the largest half scale.
func legacyEdgeBlocks(typ Type, w []byte, kind int) {
	bs := typ.TypeSize()
	for b := 0; b < len(w); b += bs {
		blk := w[b : b+bs]
		switch kind {
		case 0: // all bits set: the largest unsigned quants, -1 for Q8_0
			for i := range blk {
				blk[i] = 0xff
			}
		case 1: // all zero bits: the most negative quants for the offset formats
			for i := range blk {
				blk[i] = 0
			}
		case 2: // Q8_0 extremes, alternating
			for i := range blk {
				blk[i] = []byte{0x80, 0x7f, 0x81}[i%3]
			}
		}
		for _, off := range kernelHalfOffsets[typ] {
			h := uint16(0x3c00) // 1
			switch kind {
			case 1:
				h = 0 // zero scales
			case 3:
				h = 0x7bff // 65504
			}
			binary.LittleEndian.PutUint16(blk[off:], h)
		}
	}
}

func TestLegacyAsmEdges(t *testing.T) {
	for name, kernels := range legacyVariants(t) {
		for _, typ := range legacyTypes {
			t.Run(name+"/"+typ.String(), func(t *testing.T) {
				k := kernels[typ]
				act := vecDotGo[typ].act
				rng := rand.New(rand.NewPCG(uint64(typ), 23))
				for _, n := range []int{32, 96, 512} {
					for kind := 0; kind < 4; kind++ {
						w := kernelRandBlocks(rng, typ, 1, n)
						if kind < 3 {
							legacyEdgeBlocks(typ, w, kind)
						}
						for _, xq := range []byte{0x80, 0x81, 0x7f, 0} {
							if xq == 0x80 && name == "AVX2" && legacySigned(typ) {
								continue // documented: -128 activations against negative weights
							}
							nx := kernelTile
							x := legacyActivations(rng, act, nx, n, true)
							bs := act.TypeSize()
							for b := 0; b < len(x); b += bs {
								for j := b + bs - 32; j < b+bs; j++ {
									x[j] = xq
								}
								if b/bs%5 == 3 {
									binary.LittleEndian.PutUint16(x[b:], 0) // a zero activation scale
								}
							}
							legacyCompare(t, typ, k, n, w, x, n/32*bs, nx)
						}
					}
				}
			})
		}
	}
}

// legacyFenced returns a slice of size bytes that ends right before a page
// the process may not read, so any read past its end faults.
func legacyFenced(t *testing.T, size int) []byte {
	page := syscall.Getpagesize()
	span := (size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, span+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[span:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	return mem[span-size : span : span]
}

// TestLegacyAsmNoOverread places the weight row and the last activation row
// right before an unreadable page.
func TestLegacyAsmNoOverread(t *testing.T) {
	for name, kernels := range legacyVariants(t) {
		for _, typ := range legacyTypes {
			t.Run(name+"/"+typ.String(), func(t *testing.T) {
				k := kernels[typ]
				act := vecDotGo[typ].act
				rng := rand.New(rand.NewPCG(uint64(typ), 25))
				for _, n := range []int{32, 64, 96, 4096} {
					for _, nx := range []int{1, 3, 4, kernelTile} {
						src := kernelRandBlocks(rng, typ, 1, n)
						w := legacyFenced(t, len(src))
						copy(w, src)
						xs := legacyActivations(rng, act, nx, n, !legacySigned(typ) || name == "VNNI")
						x := legacyFenced(t, len(xs))
						copy(x, xs)
						legacyCompare(t, typ, k, n, w, x, n/32*act.TypeSize(), nx)
					}
				}
			})
		}
	}
}

// TestLegacyAsmInstalled checks that MatMul runs the assembly kernels.
func TestLegacyAsmInstalled(t *testing.T) {
	legacyVariants(t)
	for _, typ := range legacyTypes {
		if vecDot[typ].pack != nil || vecDot[typ].act != vecDotGo[typ].act {
			t.Errorf("%s: MatMul does not use the assembly kernel", typ)
		}
	}
}

func ExampleMatMul_legacyAsm() {
	w, _ := NewMatrix(Q8_0, 1, 32, append([]byte{0x00, 0x3c}, make([]byte, 32)...)) // d = 1
	w.Data[2] = 2
	x := make([]float32, 32)
	x[0] = 3
	out := make([]float32, 1)
	MatMul(nil, out, w, x, 1)
	fmt.Printf("%.2f\n", out[0]) // 3 becomes 127 quants of 3/127, rounded to f16
	// Output: 6.00
}
