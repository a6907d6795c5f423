//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// AVX2 versions of Dot and Axpy and their row forms (ops_amd64.s) with the
// same results bit for bit: Dot's lanes and reduction are ggml's x86 ones,
// which x86Dot emulates, and Axpy rounds each product before adding it.
// They run on whole multiples of 32 elements when opsAVX2 is true, through
// dotAccel, axpyAccel, dotRowsAccel and axpyRowsAccel (the row forms take
// AVX-512 routines where the CPU has them).

// opsAVX2 reports whether the CPU runs the AVX2 routines.
var opsAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// Dot and Axpy run the assembly when the CPU has it.
var _ = func() bool {
	if opsAVX2 {
		dotAccel, axpyAccel = opsDot, opsAxpy
		dotRowsAccel, axpyRowsAccel = opsDotRows, opsAxpyRows
	}
	return true
}()

// opsDot is Dot through dotRowsAVX2 for one row (the tail of fewer than 32 elements in Go,
// as Dot adds it).
func opsDot(a, b []float32) float32 {
	b = b[:len(a)]
	body := len(a) &^ 31
	var s float32
	if body > 0 {
		dotRowsAVX2(&a[0], &b[0], body, 1, body, 1, &s)
	}
	for i := body; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// opsAxpy is Axpy through axpyAVX2.
func opsAxpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	body := len(x) &^ 31
	if body > 0 {
		axpyAVX2(alpha, &x[0], &y[0], body)
	}
	for i := body; i < len(x); i++ {
		y[i] += x[i] * alpha
	}
}

// axpyAVX2 adds alpha·x to y over n elements, n a multiple of 32:
//
//	for i := 0; i < n; i++ {
//		y[i] += x[i] * alpha
//	}
//
//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

// opsAVX512 reports whether the CPU runs the AVX-512 row forms and
// Softmax's steps.
var opsAVX512 = opsAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasBMI2

var _ = func() bool {
	if opsAVX512 {
		softmaxShiftAccel = func(x []float32) { softmaxShiftAVX512(&x[0], len(x)) }
		sumLanes64Accel = func(x []float32) float64 { return sumLanes64AVX512(&x[0], len(x)) }
		scaleAccel = func(x []float32, s float32) { scaleAVX512(&x[0], len(x), s) }
	}
	return true
}()

// softmaxShiftAVX512 is softmaxShift on n > 0 elements, sixteen at a time
// (the last few under a mask).
//
//go:noescape
func softmaxShiftAVX512(x *float32, n int)

// sumLanes64AVX512 is sumLanes64 on n > 0 elements: the eight lanes are
// the eight float64 of one register.
//
//go:noescape
func sumLanes64AVX512(x *float32, n int) float64

// scaleAVX512 is Scale on n > 0 elements.
//
//go:noescape
func scaleAVX512(x *float32, n int, s float32)

// opsDotRows is DotRowsGroup through dotRowsAVX512, eight rows at a time
// for every query, and dotRowsAVX2 for the rest (lengths checked by
// DotRowsGroup).
func opsDotRows(out []float32, m int, q []float32, n, g int, rows []float32, stride int, scale float32) {
	done := 0
	if opsAVX512 && m >= 8 {
		done = m &^ 7
		dotRowsAVX512(&q[0], &rows[0], stride, done, n, g, scale, &out[0], 4*n, 4*m)
	}
	if done == m {
		return
	}
	for h := 0; h < g; h++ {
		dotRowsAVX2(&q[h*n], &rows[done*stride], stride, m-done, n, scale, &out[h*m+done])
	}
}

// opsAxpyRows is AxpyRowsGroup through the axpyRowsGroup kernels, four
// sets at a time, where the outputs are a multiple of 64 long, and
// axpyRowsAVX2 set by set otherwise (lengths checked by AxpyRowsGroup).
func opsAxpyRows(y []float32, n int, w []float32, m, g int, rows []float32, stride int) {
	if !opsAVX512 || n%64 != 0 {
		for h := 0; h < g; h++ {
			axpyRowsAVX2(&w[h*m], &rows[0], stride, m, n, &y[h*n])
		}
		return
	}
	for h := 0; h < g; h += 4 {
		k := axpyRowsGroupAVX512[min(4, g-h)]
		k(&w[h*m], &rows[0], stride, m, n, 4*m, &y[h*n], 4*n)
	}
}

// axpyRowsGroupAVX512 are the kernels by the number of queries they take.
var axpyRowsGroupAVX512 = [5]func(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int){
	nil, axpyRowsGroup1AVX512, axpyRowsGroup2AVX512, axpyRowsGroup3AVX512, axpyRowsGroup4AVX512}

// axpyRowsGroup1AVX512 .. axpyRowsGroup4AVX512 are axpyRowsAVX2 for one to
// four queries against the same rows (query h's weights at
// w+h·wStride bytes, its outputs at y+h·yStride bytes), n a multiple of 64:
// each row is read once for all of them.
//
//go:noescape
func axpyRowsGroup1AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)

//go:noescape
func axpyRowsGroup2AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)

//go:noescape
func axpyRowsGroup3AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)

//go:noescape
func axpyRowsGroup4AVX512(w, rows *float32, stride, m, n, wStride int, y *float32, yStride int)

// dotRowsAVX512 is dotRowsAVX2 for nq queries (query h at q+h·qStride bytes,
// its scores at out+h·outStride bytes) and m a multiple of 8: it runs eight
// rows at a time against every query in turn, each in the lanes and order
// of dotRowsAVX2, and adds up the eight rows' lanes together (transposing
// as it goes), so the scores are the same bit for bit.
//
//go:noescape
func dotRowsAVX512(q, rows *float32, stride, m, n, nq int, scale float32, out *float32, qStride, outStride int)

// dotRowsAVX2 sets out[p] = Σ q[i]·row_p[i] · scale for p < m, row p at
// rows+p*stride and n a multiple of 32, each sum as Dot adds it:
//
//	var acc [4][8]float32
//	for i := 0; i < n; i++ {
//		acc[i/8%4][i%8] = fma(q[i], row_p[i], acc[i/8%4][i%8])
//	}
//	out[p] = x86Dot(acc).sum() * scale
//
//go:noescape
func dotRowsAVX2(q, rows *float32, stride, m, n int, scale float32, out *float32)

// axpyRowsAVX2 adds w[p]·(rows+p*stride)[:n] to y for p < m in order, n a
// multiple of 32, each product rounded before the sum as in axpyAVX2; y is
// kept in registers 32 elements at a time.
//
//go:noescape
func axpyRowsAVX2(w, rows *float32, stride, m, n int, y *float32)
