//go:build !amd64 || purego

package train

// peakGFLOPS is unknown without the assembly loops (0).
func peakGFLOPS(threads int) float64 { return 0 }
