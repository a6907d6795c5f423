package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMatMul multiplies a 2048×2048 matrix of each type by one token
// (reported as MB/s of weight bytes read) and by 64 tokens (reported as
// GFLOP/s, two flops per multiply-add), on 1 and 2 threads, as stored and,
// where this CPU has kernels for it, repacked (see Repack). It also reports
// the process CPU time per operation and, for one token, the weight bytes per
// CPU-second.
func BenchmarkMatMul(b *testing.B) {
	const size = 2048
	for _, typ := range kernelTestTypes {
		rng := rand.New(rand.NewPCG(uint64(typ), 99))
		w, err := NewMatrix(typ, size, size, kernelRandBlocks(rng, typ, size, size))
		if err != nil {
			b.Fatal(err)
		}
		benchMatMul(b, typ.String(), w, rng)
		if repackSupported(w) {
			benchMatMul(b, typ.String()+"/repacked", Repack(w), rng)
		}
	}
}

// BenchmarkMatMulBatchedDecode multiplies a matrix far larger than the
// caches (32768×2048, the size of a small model's output head) by eight
// activation rows, as one step of eight streams decoding together does: the
// weights come from memory once per step, so a format's speed here is its
// arithmetic and its bytes together. Repacked where the CPU allows.
func BenchmarkMatMulBatchedDecode(b *testing.B) {
	const rows, cols, n = 32768, 2048, 8
	for _, typ := range []Type{Q4_0, Q4_K, Q6_K} {
		rng := rand.New(rand.NewPCG(uint64(typ), 98))
		w, err := NewMatrix(typ, rows, cols, kernelRandBlocks(rng, typ, rows, cols))
		if err != nil {
			b.Fatal(err)
		}
		w = Repack(w)
		x := kernelRandFloats(rng, n*cols, 1)
		out := make([]float32, n*rows)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%v/threads=%d", typ, threads), func(b *testing.B) {
				p := NewPool(threads)
				defer p.Close()
				MatMul(p, out, w, x, n) // builds a batch-only repacking
				cpu := kernelCPUTime()
				for b.Loop() {
					MatMul(p, out, w, x, n)
				}
				flops := 2 * float64(rows) * cols * n * float64(b.N)
				if cpu := kernelCPUTime() - cpu; cpu > 0 {
					b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
				}
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// benchMatMul runs BenchmarkMatMul's cases on w.
func benchMatMul(b *testing.B, name string, w Matrix, rng *rand.Rand) {
	const size = 2048
	{
		b.Run(name, func(b *testing.B) {
			for _, n := range []int{1, 64} {
				x := kernelRandFloats(rng, n*size, 1)
				out := make([]float32, n*size)
				for _, threads := range []int{1, 2} {
					b.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(b *testing.B) {
						p := NewPool(threads)
						defer p.Close()
						if n == 1 {
							b.SetBytes(int64(len(w.Data)))
						}
						cpu := kernelCPUTime()
						for b.Loop() {
							MatMul(p, out, w, x, n)
						}
						if cpu := kernelCPUTime() - cpu; cpu > 0 {
							// CPU time over all threads: steadier than wall time on
							// a shared machine.
							b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
							if n == 1 {
								b.ReportMetric(float64(len(w.Data))*float64(b.N)/cpu.Seconds()/1e9, "GB/cpu-s")
							} else {
								flops := 2 * float64(size) * size * float64(n) * float64(b.N)
								b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
							}
						}
						if n > 1 {
							flops := 2 * float64(size) * size * float64(n) * float64(b.N)
							b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
						}
					})
				}
			}
		})
	}
}

// BenchmarkRepack repacks a 2048×2048 matrix of each type that has a
// repacked format (see Repack), reported as MB/s of stored weights, on one
// goroutine.
func BenchmarkRepack(b *testing.B) {
	const size = 2048
	for _, typ := range []Type{Q4_0, Q8_0, Q4_K, Q6_K} {
		b.Run(typ.String(), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(typ), 98))
			w, err := NewMatrix(typ, size, size, kernelRandBlocks(rng, typ, size, size))
			if err != nil {
				b.Fatal(err)
			}
			f := repackFormats[typ]
			gb := size / typ.BlockSize() * f.block
			dst := make([]byte, size/repackRows*gb)
			b.SetBytes(int64(len(w.Data)))
			for b.Loop() {
				for g := 0; g < size/repackRows; g++ {
					f.pack(w, g, dst[g*gb:(g+1)*gb])
				}
			}
		})
	}
}
