//go:build amd64 && !purego

package train

// fmaLoopYMM runs n iterations of 24 independent 8-lane float32
// multiply-adds (384 FLOPs); it measures the machine's vector peak.
//
//go:noescape
func fmaLoopYMM(n int)

// fmaLoopZMM runs n iterations of 24 independent 16-lane float32
// multiply-adds (768 FLOPs); it needs AVX-512.
//
//go:noescape
func fmaLoopZMM(n int)
