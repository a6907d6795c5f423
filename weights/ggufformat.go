package weights

import (
	"bytes"
	"fmt"

	"github.com/herdllm/herd/gguf"
)

// sniffGGUF claims files that open with the GGUF magic.
func sniffGGUF(_ string, head []byte, isDir bool) bool {
	return !isDir && bytes.HasPrefix(head, []byte("GGUF"))
}

// openGGUF opens a GGUF file; its tensors alias the file's mapping.
func openGGUF(path string) (*File, error) {
	g, err := gguf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	f := &File{Path: path, Format: "gguf", Meta: g.Meta, Tensors: make([]*Tensor, 0, len(g.Tensors))}
	f.OnClose(g.Close)
	for i := range g.Tensors {
		ti := &g.Tensors[i]
		data, err := g.Data(ti)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("weights: %s: tensor %q: %w", path, ti.Name, err)
		}
		f.Tensors = append(f.Tensors, &Tensor{Name: ti.Name, Type: ti.Type, Shape: ti.Shape, Data: data})
	}
	f.indexTensors()
	return f, nil
}
