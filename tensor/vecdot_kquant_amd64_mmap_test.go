//go:build amd64 && !purego && (linux || darwin || freebsd)

package tensor

import (
	"math/rand/v2"
	"syscall"
	"testing"
)

// kernelGuardedBytes returns a slice of size bytes that ends right before
// an inaccessible page, so that a kernel reading past its end faults.
func kernelGuardedBytes(t *testing.T, size int) []byte {
	t.Helper()
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
	return mem[span-size : span]
}

// TestKQuantAsmNoOverread puts the weight row and the last activation row
// at the end of a page followed by an inaccessible one.
func TestKQuantAsmNoOverread(t *testing.T) {
	for _, kc := range kquantAsm {
		t.Run(kc.name, func(t *testing.T) {
			if !kc.ok {
				t.Skip("the CPU lacks the instructions")
			}
			rng := rand.New(rand.NewPCG(uint64(kc.typ), 3))
			for _, cols := range []int{QK_K, 3 * QK_K} {
				for _, nx := range []int{1, kernelTile} {
					w := kernelGuardedBytes(t, kernelMust(kc.typ.RowSize(int64(cols))))
					copy(w, kernelRandWeights(rng, kc.typ, 1, cols))
					stride := cols / QK_K * kquantQ8KBytes
					x := kernelGuardedBytes(t, nx*stride)
					raw, _, _ := kquantActivations(kc.typ, kernelRandFloats(rng, nx*cols, 1), cols, nx)
					copy(x, raw)
					got := make([]float32, nx)
					want := make([]float32, nx)
					kc.dot(cols, w, x, stride, nx, got, 1)
					kc.dot(cols, append([]byte(nil), w...), raw, stride, nx, want, 1)
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("cols %d row %d: %v, %v", cols, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

// TestFloatAsmNoOverread puts the weight row and the last activation row
// at the end of a page followed by an inaccessible one.
func TestFloatAsmNoOverread(t *testing.T) {
	if !floatAVX2 {
		t.Skip("no AVX2/FMA/F16C")
	}
	for _, kc := range floatAsm {
		t.Run(kc.typ.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(kc.typ), 4))
			for _, cols := range []int{1, 32, 33, 301, 4096} {
				for _, nx := range []int{1, 4, kernelTile} {
					w := kernelGuardedBytes(t, kernelMust(kc.typ.RowSize(int64(cols))))
					copy(w, kernelRandBlocks(rng, kc.typ, 1, cols))
					x := kernelGuardedBytes(t, nx*4*cols)
					raw := floatActivations(kc.typ, kernelRandFloats(rng, nx*cols, 1), cols, nx)
					copy(x, raw)
					got := make([]float32, nx)
					want := make([]float32, nx)
					kc.dot(cols, w, x, 4*cols, nx, got, 1)
					kc.dot(cols, append([]byte(nil), w...), raw, 4*cols, nx, want, 1)
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("cols %d row %d: %v, %v", cols, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}
