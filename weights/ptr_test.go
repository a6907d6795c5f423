package weights

import "unsafe"

// uintptrOf returns the address of a byte, to check that slices share memory.
func uintptrOf(b *byte) uintptr { return uintptr(unsafe.Pointer(b)) }
