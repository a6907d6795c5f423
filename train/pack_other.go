//go:build !amd64 || purego

package train

// transpose8 sets dst[p*ldd+r] = src[r*lds+p] for r < 8, p < k.
func transpose8(dst []float32, ldd int, src []float32, lds, k int) {
	transpose8Go(dst, ldd, src, lds, k)
}

// copyRows sets dst[p*width+j] = src[p*lds+j] for p < k, j < width (8 or 32).
func copyRows(dst, src []float32, lds, k, width int) { copyRowsGo(dst, src, lds, k, width) }
