//go:build purego || !amd64

package tensor

// repackKernels returns nil: there are no kernels for repacked weights in
// this build, so Repack leaves matrices as they are.
func repackKernels(t Type) []repackRoutine {
	return nil
}
