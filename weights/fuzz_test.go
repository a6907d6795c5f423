package weights

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// headOf returns up to n leading bytes of a shared test file, or nil when the
// test data is absent.
func headOf(elem []string, n int) []byte {
	root, ok := testdata.Root()
	if !ok {
		return nil
	}
	fh, err := os.Open(filepath.Join(append([]string{root}, elem...)...))
	if err != nil {
		return nil
	}
	defer fh.Close()
	b := make([]byte, n)
	k, _ := io.ReadFull(fh, b)
	return b[:k]
}

func FuzzLlama2cHeader(f *testing.F) {
	if b := headOf([]string{"stories260K", "stories260K.bin"}, 256); b != nil {
		f.Add(b, int64(1056540))
		f.Add(b, int64(100))
	}
	if b := headOf([]string{"stories260K", "tok512.bin"}, 256); b != nil {
		f.Add(b, int64(6227))
	}
	f.Add(llama2cLegacyHeader(64, 172, 5, 8, 4, -512, 512), int64(1188636))
	f.Add(llama2cLegacyHeader(-1, -1, -1, -1, -1, -1, -1), int64(28))
	f.Add(llama2cLegacyHeader(1<<24, 1<<24, 1<<24, 2, 1, -(1<<24), 1<<24), int64(1<<62))
	v1 := make([]byte, 256)
	copy(v1, llama2cLegacyHeader(llama2cMagic, 1, 8, 16, 1, 2, 1, 4, 4))
	f.Add(v1, int64(256+4*100))
	f.Add(llama2cLegacyHeader(llama2cMagic, 2, 8, 16, 1, 2, 1, 4, 4), int64(1000))
	f.Fuzz(func(t *testing.T, b []byte, size int64) {
		h, err := parseLlama2cHeader("fuzz", b, size)
		if err != nil {
			return
		}
		if want, ok := h.fileSize(); !ok || want != size {
			t.Fatalf("accepted header of size %d for a %d-byte file", want, size)
		}
		if int64(len(b)) == size {
			if _, err := llama2cFromBytes("fuzz", b); err != nil {
				t.Fatalf("header accepted, file rejected: %v", err)
			}
		}
	})
}

// FuzzLlama2cFile opens whole small files as llama2.c checkpoints.
func FuzzLlama2cFile(f *testing.F) {
	tiny := llama2cLegacyHeader(4, 4, 1, 2, 1, 2, 2)
	body := make([]byte, 4*(4*2+4+4*4*2+4*2*2+4+4*4*3+4+2*2))
	f.Add(append(tiny, body...))
	f.Add(tiny)
	f.Fuzz(func(t *testing.T, b []byte) {
		f, err := llama2cFromBytes("fuzz", b)
		if err != nil {
			return
		}
		for _, tn := range f.Tensors {
			if uint64(len(tn.Data)) != 4*tn.Elements() {
				t.Fatalf("%s: %d bytes for %d floats", tn.Name, len(tn.Data), tn.Elements())
			}
		}
	})
}

func FuzzSafetensorsHeader(f *testing.F) {
	if b := headOf([]string{"stories260K", "hf", "model.safetensors"}, 8192); len(b) >= 8 {
		n := binary.LittleEndian.Uint64(b)
		if n+8 <= uint64(len(b)) {
			f.Add(b[:8+n], int64(1044992))
		}
		f.Add(b[:100], int64(1044992))
	}
	f.Add(safetensorsFile(`{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}`, nil), int64(200))
	f.Add(safetensorsFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}`, nil), int64(200))
	f.Add(safetensorsFile(`{"a":{"dtype":"F32","shape":[18446744073709551615,2],"data_offsets":[0,8]}}`, nil), int64(200))
	f.Add(safetensorsFile(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, nil), int64(100))
	f.Add(binary.LittleEndian.AppendUint64(nil, 1<<63), int64(16))
	f.Fuzz(func(t *testing.T, b []byte, size int64) {
		h, err := parseSafetensorsHeader("fuzz", b, size)
		if err != nil {
			return
		}
		var prevEnd int64
		for _, st := range h.Tensors {
			if st.Begin < prevEnd || st.End < st.Begin || h.DataOffset+st.End > size {
				t.Fatalf("accepted tensor %q at [%d, %d) after %d in a %d-byte file", st.Name, st.Begin, st.End, prevEnd, size)
			}
			prevEnd = st.End
		}
	})
}
