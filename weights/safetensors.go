package weights

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"sort"
)

// maxSafetensorsHeader bounds the JSON header, as the safetensors library does.
const maxSafetensorsHeader = 100 << 20

// stTensor is one entry of a safetensors header.
type stTensor struct {
	Name  string
	DType string
	Shape []uint64 // as stored: row-major, outermost first
	Begin int64    // byte offsets relative to the data section
	End   int64
}

// stHeader is a parsed safetensors header.
type stHeader struct {
	Tensors    []stTensor // in data order
	Metadata   map[string]string
	DataOffset int64 // where the data section starts in the file
}

// stElemSize is the element size of each safetensors dtype.
var stElemSize = map[string]uint64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// parseSafetensorsHeader decodes the header at the start of b, the first
// bytes of a safetensors file of size bytes named name (b must hold at least
// the whole header). It checks every entry: known dtype, offsets inside the
// file, a byte length that matches the shape, and no overlap between tensors.
func parseSafetensorsHeader(name string, b []byte, size int64) (*stHeader, error) {
	if len(b) < 8 || size < 8 {
		return nil, fmt.Errorf("weights: %s: safetensors header length truncated", name)
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxSafetensorsHeader || n > uint64(size-8) {
		return nil, fmt.Errorf("weights: %s: safetensors header length %d exceeds the file (%d bytes) or the %d-byte limit", name, n, size, maxSafetensorsHeader)
	}
	if uint64(len(b)-8) < n {
		return nil, fmt.Errorf("weights: %s: safetensors header truncated (%d of %d bytes)", name, len(b)-8, n)
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b[8 : 8+n]))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("weights: %s: safetensors header: %w", name, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("weights: %s: safetensors header is not a JSON object", name)
	}
	h := &stHeader{DataOffset: 8 + int64(n)}
	dataSize := uint64(size) - 8 - n
	for key, msg := range raw {
		if key == "__metadata__" {
			if err := json.Unmarshal(msg, &h.Metadata); err != nil {
				return nil, fmt.Errorf("weights: %s: safetensors __metadata__: %w", name, err)
			}
			continue
		}
		var e struct {
			DType       string    `json:"dtype"`
			Shape       []uint64  `json:"shape"`
			DataOffsets *[]uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("weights: %s: safetensors tensor %q: %w", name, key, err)
		}
		es, ok := stElemSize[e.DType]
		if !ok {
			return nil, fmt.Errorf("weights: %s: safetensors tensor %q: unknown dtype %q", name, key, e.DType)
		}
		if e.DataOffsets == nil || len(*e.DataOffsets) != 2 || e.Shape == nil {
			return nil, fmt.Errorf("weights: %s: safetensors tensor %q: want shape and data_offsets [begin, end]", name, key)
		}
		begin, end := (*e.DataOffsets)[0], (*e.DataOffsets)[1]
		if begin > end || end > dataSize {
			return nil, fmt.Errorf("weights: %s: safetensors tensor %q: data_offsets [%d, %d] outside the %d-byte data section", name, key, begin, end, dataSize)
		}
		want := es
		for _, d := range e.Shape {
			hi, lo := bits.Mul64(want, d)
			if hi != 0 || lo > 1<<62 {
				return nil, fmt.Errorf("weights: %s: safetensors tensor %q: shape %v overflows", name, key, e.Shape)
			}
			want = lo
		}
		if want != end-begin {
			return nil, fmt.Errorf("weights: %s: safetensors tensor %q: shape %v of %s needs %d bytes, data_offsets span %d", name, key, e.Shape, e.DType, want, end-begin)
		}
		h.Tensors = append(h.Tensors, stTensor{Name: key, DType: e.DType, Shape: e.Shape, Begin: int64(begin), End: int64(end)})
	}
	sort.Slice(h.Tensors, func(i, j int) bool {
		a, b := h.Tensors[i], h.Tensors[j]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return a.Name < b.Name
	})
	for i := 1; i < len(h.Tensors); i++ {
		prev, t := h.Tensors[i-1], h.Tensors[i]
		if t.Begin < prev.End {
			return nil, fmt.Errorf("weights: %s: safetensors tensors %q and %q overlap", name, prev.Name, t.Name)
		}
	}
	return h, nil
}
