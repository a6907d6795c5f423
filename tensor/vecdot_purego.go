//go:build purego

package tensor

// kernelInstallAccelerated keeps the portable Go kernels: the purego build
// tag rules out assembly.
func kernelInstallAccelerated(table *[kernelTypeLimit]vecDotKernel) {}
