//go:build !linux

package tensor

// adviseHugePages does nothing where the kernel takes no such hint.
func adviseHugePages(b []byte) {}
