//go:build !purego

package tensor

// kernelInstallAccelerated is where assembly kernels replace entries of the
// vec-dot table after a CPU-feature check. None are installed yet, so every
// build runs the Go kernels; builds with the purego tag never install any.
func kernelInstallAccelerated(table *[kernelTypeLimit]vecDotKernel) {}
