package tensor

import (
	"os"
	"syscall"
	"unsafe"
)

// adviseHugePages asks the kernel to back b with huge pages (where
// transparent huge pages are enabled in "madvise" mode, the common
// default). Repacked weights are read front to back at every step; with 4
// KiB pages a step over several hundred megabytes misses the TLB on every
// page and the hardware prefetchers stop at each page boundary. It is a
// hint: errors are ignored.
func adviseHugePages(b []byte) {
	page := os.Getpagesize()
	if len(b) < 2<<20 {
		return
	}
	// madvise wants a page-aligned start.
	skip := 0
	if off := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % uintptr(page)); off != 0 {
		skip = page - off
	}
	_ = syscall.Madvise(b[skip:], syscall.MADV_HUGEPAGE)
}
