package train

import "sync"

// The packed matrix product every float32 product of training runs on:
// C = A·B (or C += A·B) for operands stored with any row and column
// strides. Blocks of A and B are copied into contiguous panels laid out the
// way the micro-kernel reads them (A in 8-row tiles, B in 32-column strips,
// zero-padded at the edges), so the kernel's loads are sequential whatever
// the operands' orientation, and a B strip stays in L1 while every A tile
// of the block passes over it.

// operand is a matrix whose element (i, j) is data[i*rs+j*cs].
type operand struct {
	data   []float32
	rs, cs int
}

// rowMajor is a row-major matrix whose rows are ld apart.
func rowMajor(data []float32, ld int) operand { return operand{data, ld, 1} }

// colMajor is the transpose of a row-major matrix whose rows are ld apart.
func colMajor(data []float32, ld int) operand { return operand{data, 1, ld} }

const (
	tileRows = 8    // rows of the micro-kernel's C tile
	tileCols = 32   // columns of the micro-kernel's C tile
	kcMax    = 320  // most products summed per pass over a C tile
	mcMax    = 256  // rows of A packed at once (a block that stays in L2)
	ncMax    = 4096 // columns of B packed at once
)

// packBufs are one worker's panels.
type packBufs struct {
	a, b []float32
	tile [tileRows * tileCols]float32
}

var packPool = sync.Pool{New: func() any {
	return &packBufs{a: make([]float32, mcMax*kcMax), b: make([]float32, kcMax*ncMax)}
}}

// gemm sets C[m×n] (rows ldc apart) to A·B for A [m×k] and B [k×n], or
// adds A·B to it when acc is true. Work is split over the pool along the
// larger of m and n. Without the vector kernel, plain loops run instead of
// the packed product (faster there).
func gemm(p *Pool, c []float32, ldc int, a, b operand, m, n, k int, acc bool) {
	if !vectorKernel() {
		gemmLoops(p, c, ldc, a, b, m, n, k, acc)
		return
	}
	gemmPacked(p, c, ldc, a, b, m, n, k, acc)
}

// gemmPacked is gemm on packed panels.
func gemmPacked(p *Pool, c []float32, ldc int, a, b operand, m, n, k int, acc bool) {
	if m <= 0 || n <= 0 || k <= 0 {
		gemmSerial(c, ldc, a, b, m, n, k, acc)
		return
	}
	// Each piece packs its own copy of the other operand, so pieces are
	// kept to at least a block of rows (columns) where there is work for
	// more than one per worker.
	t := p.Threads()
	if m >= n {
		chunks := min(p.Chunks(), t*max(1, m/(t*mcMax)))
		p.RunChunks((m+tileRows-1)/tileRows, chunks, func(lo, hi int) {
			i0, i1 := lo*tileRows, min(hi*tileRows, m)
			a := operand{a.data[i0*a.rs:], a.rs, a.cs}
			gemmSerial(c[i0*ldc:], ldc, a, b, i1-i0, n, k, acc)
		})
		return
	}
	chunks := min(p.Chunks(), t*max(1, n/(t*ncMax)))
	p.RunChunks((n+tileCols-1)/tileCols, chunks, func(lo, hi int) {
		j0, j1 := lo*tileCols, min(hi*tileCols, n)
		b := operand{b.data[j0*b.cs:], b.rs, b.cs}
		gemmSerial(c[j0:], ldc, a, b, m, j1-j0, k, acc)
	})
}

// gemmSerial is gemm on the calling goroutine.
func gemmSerial(c []float32, ldc int, a, b operand, m, n, k int, acc bool) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 {
		if !acc {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	bufs := packPool.Get().(*packBufs)
	defer packPool.Put(bufs)
	chunks := (k + kcMax - 1) / kcMax
	kcStep := (k + chunks - 1) / chunks
	for j0 := 0; j0 < n; j0 += ncMax {
		nc := min(ncMax, n-j0)
		for p0 := 0; p0 < k; p0 += kcStep {
			kc := min(kcStep, k-p0)
			load := acc || p0 > 0
			packB(bufs.b, b, p0, kc, j0, nc)
			for i0 := 0; i0 < m; i0 += mcMax {
				mc := min(mcMax, m-i0)
				packA(bufs.a, a, i0, mc, p0, kc)
				for s := 0; s*tileCols < nc; s++ {
					bp := bufs.b[s*kc*tileCols:][:kc*tileCols]
					cols := min(tileCols, nc-s*tileCols)
					for t := 0; t*tileRows < mc; t++ {
						ap := bufs.a[t*kc*tileRows:][:kc*tileRows]
						rows := min(tileRows, mc-t*tileRows)
						ct := c[(i0+t*tileRows)*ldc+j0+s*tileCols:]
						if rows == tileRows && cols == tileCols {
							microKernel(ap, bp, ct, ldc, kc, load)
							continue
						}
						if rows == tileRows && cols == tileCols/2 {
							microKernelHalf(ap, bp, ct, ldc, kc, load)
							continue
						}
						// An edge tile: computed whole into a buffer, of
						// which the part inside C is kept.
						microKernel(ap, bp, bufs.tile[:], tileCols, kc, false)
						for r := 0; r < rows; r++ {
							src, dst := bufs.tile[r*tileCols:r*tileCols+cols], ct[r*ldc:r*ldc+cols]
							if load {
								for j, v := range src {
									dst[j] += v
								}
							} else {
								copy(dst, src)
							}
						}
					}
				}
			}
		}
	}
}

// packA copies rows [i0, i0+mc) and columns [p0, p0+kc) of a into dst as
// 8-row tiles, each kc groups of 8 values (A(i,p) for the tile's rows),
// zero-padding the last tile.
func packA(dst []float32, a operand, i0, mc, p0, kc int) {
	for t := 0; t*tileRows < mc; t++ {
		tile := dst[t*kc*tileRows:][:kc*tileRows]
		rows := min(tileRows, mc-t*tileRows)
		base := i0 + t*tileRows
		switch {
		case a.rs == 1 && rows == tileRows:
			copyRows(tile, a.data[base+p0*a.cs:], a.cs, kc, tileRows)
		case a.cs == 1 && rows == tileRows:
			transpose8(tile, tileRows, a.data[base*a.rs+p0:], a.rs, kc)
		case a.cs == 1:
			for r := 0; r < tileRows; r++ {
				if r >= rows {
					for p := 0; p < kc; p++ {
						tile[p*tileRows+r] = 0
					}
					continue
				}
				row := a.data[(base+r)*a.rs+p0:][:kc]
				for p, v := range row {
					tile[p*tileRows+r] = v
				}
			}
		default:
			for p := 0; p < kc; p++ {
				for r := 0; r < tileRows; r++ {
					v := float32(0)
					if r < rows {
						v = a.data[(base+r)*a.rs+(p0+p)*a.cs]
					}
					tile[p*tileRows+r] = v
				}
			}
		}
	}
}

// packB copies rows [p0, p0+kc) and columns [j0, j0+nc) of b into dst as
// 32-column strips, each kc rows of 32 values, zero-padding the last strip.
func packB(dst []float32, b operand, p0, kc, j0, nc int) {
	for s := 0; s*tileCols < nc; s++ {
		strip := dst[s*kc*tileCols:][:kc*tileCols]
		cols := min(tileCols, nc-s*tileCols)
		base := j0 + s*tileCols
		switch {
		case b.cs == 1 && cols == tileCols:
			copyRows(strip, b.data[p0*b.rs+base:], b.rs, kc, tileCols)
		case b.rs == 1 && cols == tileCols:
			for g := 0; g < tileCols; g += 8 {
				transpose8(strip[g:], tileCols, b.data[(base+g)*b.cs+p0:], b.cs, kc)
			}
		case b.cs == 1:
			for p := 0; p < kc; p++ {
				row := strip[p*tileCols : p*tileCols+tileCols]
				copy(row, b.data[(p0+p)*b.rs+base:][:cols])
				clear(row[cols:])
			}
		case b.rs == 1:
			for j := 0; j < tileCols; j++ {
				if j >= cols {
					for p := 0; p < kc; p++ {
						strip[p*tileCols+j] = 0
					}
					continue
				}
				col := b.data[(base+j)*b.cs+p0:][:kc]
				for p, v := range col {
					strip[p*tileCols+j] = v
				}
			}
		default:
			for p := 0; p < kc; p++ {
				for j := 0; j < tileCols; j++ {
					v := float32(0)
					if j < cols {
						v = b.data[(p0+p)*b.rs+(base+j)*b.cs]
					}
					strip[p*tileCols+j] = v
				}
			}
		}
	}
}

// transpose8Go sets dst[p*ldd+r] = src[r*lds+p] for r < 8, p < k.
func transpose8Go(dst []float32, ldd int, src []float32, lds, k int) {
	for r := 0; r < 8; r++ {
		row := src[r*lds : r*lds+k]
		for p, v := range row {
			dst[p*ldd+r] = v
		}
	}
}

// copyRowsGo sets dst[p*width+j] = src[p*lds+j] for p < k, j < width.
func copyRowsGo(dst, src []float32, lds, k, width int) {
	for p := 0; p < k; p++ {
		copy(dst[p*width:p*width+width], src[p*lds:p*lds+width])
	}
}

// microKernelGo sets (or, when load is true, adds to) the 8×32 tile of C
// at c (rows ldc apart) the product of a packed A tile and a packed B strip
// over k values.
func microKernelGo(ap, bp, c []float32, ldc, k int, load bool) {
	var acc [tileRows * tileCols]float32
	ap, bp = ap[:k*tileRows], bp[:k*tileCols]
	for p := 0; p < k; p++ {
		brow := (*[tileCols]float32)(bp[p*tileCols:])
		for r := 0; r < tileRows; r++ {
			x := ap[p*tileRows+r]
			row := (*[tileCols]float32)(acc[r*tileCols:])
			for j, v := range brow {
				row[j] += x * v
			}
		}
	}
	for r := 0; r < tileRows; r++ {
		dst := c[r*ldc : r*ldc+tileCols]
		src := acc[r*tileCols : r*tileCols+tileCols]
		if load {
			for j, v := range src {
				dst[j] += v
			}
		} else {
			copy(dst, src)
		}
	}
}

// microKernelHalfGo is microKernelGo for the first 16 columns of the tile
// only (B strips keep their 32-value stride).
func microKernelHalfGo(ap, bp, c []float32, ldc, k int, load bool) {
	const half = tileCols / 2
	var acc [tileRows * half]float32
	ap, bp = ap[:k*tileRows], bp[:k*tileCols]
	for p := 0; p < k; p++ {
		brow := (*[half]float32)(bp[p*tileCols:])
		for r := 0; r < tileRows; r++ {
			x := ap[p*tileRows+r]
			row := (*[half]float32)(acc[r*half:])
			for j, v := range brow {
				row[j] += x * v
			}
		}
	}
	for r := 0; r < tileRows; r++ {
		dst := c[r*ldc : r*ldc+half]
		src := acc[r*half : r*half+half]
		if load {
			for j, v := range src {
				dst[j] += v
			}
		} else {
			copy(dst, src)
		}
	}
}
