//go:build !purego

package tensor

// hasF16C reports whether the CPU converts between half and single
// precision in vector registers (CPUID leaf 1, ECX bit 29).
//
//go:noescape
func hasF16C() bool
