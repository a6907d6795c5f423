package train

import (
	"fmt"
	"unsafe"

	"github.com/herdllm/herd/tensor"
)

// Frozen is a read-only base matrix kept in its file's type (quantized or
// half precision): Rows rows of Cols values, dequantized a block of rows at
// a time when used, never copied whole to float32.
type Frozen struct {
	Type       tensor.Type
	Rows, Cols int
	Data       []byte
}

// rows dequantizes rows [r0,r1) into dst[:(r1-r0)·Cols].
func (f *Frozen) rows(r0, r1 int, dst []float32) {
	rs, err := f.Type.RowSize(int64(f.Cols))
	if err != nil {
		panic(fmt.Sprintf("train: frozen %v matrix: %v", f.Type, err)) // checked when the matrix was built
	}
	for r := r0; r < r1; r++ {
		row := f.Data[int64(r)*rs : int64(r+1)*rs]
		if err := dequantize(f.Type, row, dst[(r-r0)*f.Cols:(r-r0+1)*f.Cols]); err != nil {
			panic(fmt.Sprintf("train: frozen %v matrix row %d: %v", f.Type, r, err))
		}
	}
}

// newFrozen checks that data holds rows×cols values of type t.
func newFrozen(t tensor.Type, rows, cols int, data []byte) (*Frozen, error) {
	if !t.Known() || !tensor.CanDequantize(t) {
		return nil, fmt.Errorf("train: cannot use %v weights as a frozen base", t)
	}
	if cols%t.BlockSize() != 0 {
		return nil, fmt.Errorf("train: %v rows of %d values are not whole blocks", t, cols)
	}
	rs, err := t.RowSize(int64(cols))
	if err != nil {
		return nil, fmt.Errorf("train: %v: %w", t, err)
	}
	if int64(len(data)) != rs*int64(rows) {
		return nil, fmt.Errorf("train: %v matrix %d×%d needs %d bytes, has %d", t, rows, cols, rs*int64(rows), len(data))
	}
	return &Frozen{Type: t, Rows: rows, Cols: cols, Data: data}, nil
}

// f32View reinterprets little-endian float32 bytes as floats without copying
// (the caller must not write through the result when data is memory-mapped).
func f32View(data []byte) []float32 {
	if len(data) == 0 {
		return nil
	}
	if uintptr(unsafe.Pointer(&data[0]))%4 != 0 {
		out := make([]float32, len(data)/4)
		for i := range out {
			out[i] = *(*float32)(unsafe.Pointer(&data[4*i]))
		}
		return out
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), len(data)/4)
}
