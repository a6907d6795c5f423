//go:build !purego

package tensor

// accelInstallers are the functions that replace entries of the vec-dot
// table with assembly kernels after checking the CPU's features. Each
// architecture-specific file adds its own through a package-level
// `var _ = registerAccel(...)`, which runs before any init function, so the
// order of files does not matter.
var accelInstallers []func(table *[kernelTypeLimit]vecDotKernel)

// registerAccel adds an installer of assembly kernels; it returns true so it
// can initialise a blank package-level variable.
func registerAccel(install func(table *[kernelTypeLimit]vecDotKernel)) bool {
	accelInstallers = append(accelInstallers, install)
	return true
}

// kernelInstallAccelerated runs every registered installer on table. Builds
// with the purego tag never install any.
func kernelInstallAccelerated(table *[kernelTypeLimit]vecDotKernel) {
	for _, install := range accelInstallers {
		install(table)
	}
}
