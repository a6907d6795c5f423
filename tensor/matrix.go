package tensor

import "fmt"

// Matrix is a row-major 2-D weight tensor kept in its stored format: Rows
// rows of Cols elements, each row a whole number of blocks of Type. Data is
// usually a read-only view into a memory-mapped model file.
type Matrix struct {
	Type       Type
	Rows, Cols int
	Data       []byte

	repacked *repacking // Data rearranged by Repack for this CPU's kernels; nil: none
}

// NewMatrix checks that data holds exactly rows rows of cols elements of
// type t and returns the matrix over it (data is not copied).
func NewMatrix(t Type, rows, cols int, data []byte) (Matrix, error) {
	if !t.Known() {
		return Matrix{}, fmt.Errorf("tensor: matrix: unknown type id %d", uint32(t))
	}
	if rows < 0 || cols < 0 {
		return Matrix{}, fmt.Errorf("tensor: matrix: negative shape %d×%d", rows, cols)
	}
	rowSize, err := t.RowSize(int64(cols))
	if err != nil {
		return Matrix{}, fmt.Errorf("tensor: matrix %d×%d: %w", rows, cols, err)
	}
	if rows > 0 && rowSize > int64(^uint(0)>>1)/int64(rows) {
		return Matrix{}, fmt.Errorf("tensor: matrix %d×%d %s: size overflows", rows, cols, t)
	}
	if want := rowSize * int64(rows); int64(len(data)) != want {
		return Matrix{}, fmt.Errorf("tensor: matrix %d×%d %s: need %d bytes, got %d", rows, cols, t, want, len(data))
	}
	return Matrix{Type: t, Rows: rows, Cols: cols, Data: data}, nil
}

// RowBytes returns the bytes one row occupies.
func (m Matrix) RowBytes() int {
	return m.Cols / m.Type.BlockSize() * m.Type.TypeSize()
}

// RowData returns the raw bytes of row i.
func (m Matrix) RowData(i int) []byte {
	rb := m.RowBytes()
	return m.Data[i*rb : (i+1)*rb]
}

// Row dequantizes row i into dst[:Cols] (an embedding lookup, for example).
// It panics when i is out of range, dst is too short or the type has no
// dequantizer (check with CanDequantize when loading a model).
func (m Matrix) Row(i int, dst []float32) {
	if i < 0 || i >= m.Rows {
		panic(fmt.Sprintf("tensor: Matrix.Row: row %d out of range [0,%d)", i, m.Rows))
	}
	if len(dst) < m.Cols {
		panic(fmt.Sprintf("tensor: Matrix.Row: dst holds %d of %d elements", len(dst), m.Cols))
	}
	if err := Dequantize(m.Type, m.RowData(i), dst[:m.Cols]); err != nil {
		panic(err)
	}
}
