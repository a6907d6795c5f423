package weights

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// Format describes a checkpoint format Open can recognise, in the manner of
// image.RegisterFormat.
type Format struct {
	// Name is the format's name, also used as File.Format.
	Name string
	// Sniff reports whether path holds this format. head is up to the first
	// SniffLen bytes of the file, or nil when path is a directory.
	Sniff func(path string, head []byte, isDir bool) bool
	// Open opens path in this format.
	Open func(path string) (*File, error)
}

// SniffLen is how many leading bytes of a file Open hands to Format.Sniff.
const SniffLen = 64

var (
	formatsMu sync.RWMutex
	formats   []Format
)

func init() {
	// Most specific first: GGUF and safetensors have unambiguous signatures;
	// the llama2.c check is a plausibility test of a bare header.
	RegisterFormat(Format{Name: "gguf", Sniff: sniffGGUF, Open: openGGUF})
	RegisterFormat(Format{Name: "safetensors", Sniff: sniffSafetensors, Open: openHF})
	RegisterFormat(Format{Name: "llama2c", Sniff: sniffLlama2c, Open: openLlama2c})
}

// RegisterFormat adds a format for Open to try. Formats are tried in the order
// they were registered.
func RegisterFormat(f Format) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	formats = append(formats, f)
}

// Formats returns the names of the registered formats in the order Open tries
// them.
func Formats() []string {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return names
}

// Open opens a model checkpoint, recognising its format from its contents: a
// GGUF file, a Hugging Face directory (config.json with safetensors weights) or
// a .safetensors file with config.json beside it, or a llama2.c checkpoint.
func Open(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	var head []byte
	if !st.IsDir() {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("weights: %w", err)
		}
		buf := make([]byte, SniffLen)
		n, err := io.ReadFull(fh, buf)
		fh.Close()
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return nil, fmt.Errorf("weights: %s: %w", path, err)
		}
		head = buf[:n]
	}
	formatsMu.RLock()
	fs := append([]Format(nil), formats...)
	formatsMu.RUnlock()
	for _, f := range fs {
		if f.Sniff(path, head, st.IsDir()) {
			return f.Open(path)
		}
	}
	if st.IsDir() {
		return nil, fmt.Errorf("weights: %s: directory holds no recognised checkpoint (want config.json with model.safetensors or model.safetensors.index.json)", path)
	}
	return nil, fmt.Errorf("weights: %s: unrecognised model format", path)
}
