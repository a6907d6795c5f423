//go:build amd64 && !purego

package train

//go:noescape
func transpose8AVX(dst *float32, ldd int, src *float32, lds int, k int)

//go:noescape
func copyRowsAVX(dst *float32, src *float32, lds int, k int, width int)

// transpose8 sets dst[p*ldd+r] = src[r*lds+p] for r < 8, p < k.
func transpose8(dst []float32, ldd int, src []float32, lds, k int) {
	kk := k &^ 7
	if kk > 0 && hasAVX512 {
		_ = dst[(kk-1)*ldd+7]
		_ = src[7*lds+kk-1]
		transpose8AVX(&dst[0], ldd, &src[0], lds, kk)
	} else {
		kk = 0
	}
	if kk == k {
		return
	}
	transpose8Go(dst[kk*ldd:], ldd, src[kk:], lds, k-kk)
}

// copyRows sets dst[p*width+j] = src[p*lds+j] for p < k, j < width (8 or 32).
func copyRows(dst, src []float32, lds, k, width int) {
	if k == 0 || !hasAVX512 {
		copyRowsGo(dst, src, lds, k, width)
		return
	}
	_ = dst[k*width-1]
	_ = src[(k-1)*lds+width-1]
	copyRowsAVX(&dst[0], &src[0], lds, k, width)
}
