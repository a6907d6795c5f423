package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/herdllm/herd/tensor"
)

// builder assembles GGUF bytes field by field for hostile-input tests.
type builder struct{ bytes.Buffer }

func (b *builder) u32(v uint32) *builder {
	b.Write(binary.LittleEndian.AppendUint32(nil, v))
	return b
}

func (b *builder) u64(v uint64) *builder {
	b.Write(binary.LittleEndian.AppendUint64(nil, v))
	return b
}

func (b *builder) str(s string) *builder {
	b.u64(uint64(len(s)))
	b.WriteString(s)
	return b
}

// header starts a GGUF v3 file with the given counts.
func header(nTensors, nKV uint64) *builder {
	b := &builder{}
	b.WriteString(Magic)
	return b.u32(3).u64(nTensors).u64(nKV)
}

// tensorInfo appends a tensor description.
func (b *builder) tensorInfo(name string, typ tensor.Type, offset uint64, dims ...uint64) *builder {
	b.str(name).u32(uint32(len(dims)))
	for _, d := range dims {
		b.u64(d)
	}
	return b.u32(uint32(typ)).u64(offset)
}

// padTo pads with zeros to a multiple of a and then appends n data bytes.
func (b *builder) data(a, n int) *builder {
	for b.Len()%a != 0 {
		b.WriteByte(0)
	}
	b.Write(make([]byte, n))
	return b
}

func TestHostile(t *testing.T) {
	u32kv := func(b *builder, key string, v uint32) *builder { return b.str(key).u32(uint32(TypeUint32)).u32(v) }
	cases := []struct {
		name  string
		file  []byte
		want  error
		field string
	}{
		{"empty", nil, ErrTruncated, "magic"},
		{"bad magic", []byte("GGML\x03\x00\x00\x00"), ErrMagic, "magic"},
		{"truncated header", header(0, 0).Bytes()[:12], ErrTruncated, "tensor_count"},
		{"version 1", func() []byte { b := header(0, 0).Bytes(); b[4] = 1; return b }(), ErrVersion, "version"},
		{"version 9", func() []byte { b := header(0, 0).Bytes(); b[4] = 9; return b }(), ErrVersion, "version"},
		{"big-endian", append([]byte("GGUF\x00\x00\x00\x03"), make([]byte, 16)...), ErrBigEndian, "version"},
		{"tensor count 2^60", header(1<<60, 0).Bytes(), ErrTooLarge, "tensor_count"},
		{"kv count 2^60", header(0, 1<<60).Bytes(), ErrTooLarge, "metadata_kv_count"},
		{"key length past EOF", header(0, 1).u64(1 << 40).u32(4).u64(0).Bytes(), ErrTooLarge, "metadata[0] key"},
		{"string length past EOF", header(0, 1).str("k").u32(uint32(TypeString)).u64(100).Bytes(), ErrTooLarge, `metadata[0] "k"`},
		{"array of 2^40", header(0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeUint8)).u64(1 << 40).Bytes(), ErrTooLarge, `metadata[0] "k" array length`},
		{"array of 2^40 strings", header(0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeString)).u64(1 << 40).u64(0).Bytes(), ErrTooLarge, `metadata[0] "k" array length`},
		{"string in array past EOF", header(0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeString)).u64(2).str("a").u64(1 << 50).Bytes(), ErrTooLarge, `metadata[0] "k" string length`},
		{"unknown value type", header(0, 1).str("k").u32(13).u32(0).Bytes(), ErrValueType, `metadata[0] "k" type`},
		{"unknown array element type", header(0, 1).str("k").u32(uint32(TypeArray)).u32(99).u64(0).Bytes(), ErrValueType, `metadata[0] "k" element type`},
		{"bool 2", header(0, 1).str("k").u32(uint32(TypeBool)).u32(2).Bytes()[:24+9+4+1], ErrBadValue, `metadata[0] "k"`},
		{"nested too deep", func() []byte {
			b := header(0, 1).str("k").u32(uint32(TypeArray))
			for range 20 {
				b.u32(uint32(TypeArray)).u64(1)
			}
			return b.u32(uint32(TypeUint8)).u64(0).Bytes()
		}(), ErrBadValue, `metadata[0] "k"`},
		{"duplicate key", u32kv(u32kv(header(0, 2), "k", 1), "k", 2).Bytes(), ErrDuplicate, `metadata[1] "k"`},
		{"alignment zero", u32kv(header(0, 1), AlignmentKey, 0).Bytes(), ErrAlignment, AlignmentKey},
		{"alignment not a power of two", u32kv(header(0, 1), AlignmentKey, 48).Bytes(), ErrAlignment, AlignmentKey},
		{"alignment wrong type", header(0, 1).str(AlignmentKey).u32(uint32(TypeUint64)).u64(32).Bytes(), ErrAlignment, AlignmentKey},
		{"unknown tensor type", header(1, 0).tensorInfo("w", 4, 0, 32).data(32, 128).Bytes(), ErrTensorType, `tensor[0] "w" type`},
		{"too many dims", header(1, 0).tensorInfo("w", tensor.F32, 0, 1, 1, 1, 1, 1).data(32, 4).Bytes(), ErrShape, `tensor[0] "w" n_dims`},
		{"dims overflow", header(1, 0).tensorInfo("w", tensor.F32, 0, 1<<32, 1<<32, 1<<32).data(32, 4).Bytes(), ErrShape, `tensor[0] "w" dims`},
		{"negative dim", header(1, 0).tensorInfo("w", tensor.F32, 0, 0, 1<<63).data(32, 4).Bytes(), ErrShape, `tensor[0] "w" dims`},
		{"row not whole blocks", header(1, 0).tensorInfo("w", tensor.Q4_0, 0, 33).data(32, 36).Bytes(), ErrShape, `tensor[0] "w" dims`},
		{"dims past EOF", header(1, 0).str("w").u32(4).u64(1).u64(1).Bytes(), ErrTruncated, `tensor[0] "w" dims`},
		{"misaligned offset", header(1, 0).tensorInfo("w", tensor.F32, 4, 8).data(32, 64).Bytes(), ErrAlignment, `tensor[0] "w" offset`},
		{"overlapping tensors", header(2, 0).tensorInfo("a", tensor.F32, 0, 16).tensorInfo("b", tensor.F32, 32, 16).data(32, 128).Bytes(), ErrOverlap, `tensor[1] "b" offset`},
		{"data past EOF", header(1, 0).tensorInfo("w", tensor.F32, 0, 64).data(32, 100).Bytes(), ErrDataRange, `tensor[0] "w" offset`},
		{"offset past EOF", header(1, 0).tensorInfo("w", tensor.F32, 1<<63, 1).data(32, 4).Bytes(), ErrDataRange, `tensor[0] "w" offset`},
		{"duplicate tensor", header(2, 0).tensorInfo("w", tensor.F32, 0, 8).tensorInfo("w", tensor.F32, 32, 8).data(32, 64).Bytes(), ErrDuplicate, `tensor[1] "w" name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range []string{"bytes", "ReaderAt"} {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				var err error
				if mode == "bytes" {
					_, err = parseBytes("hostile.gguf", c.file)
				} else {
					_, err = Parse("hostile.gguf", bytes.NewReader(c.file), int64(len(c.file)))
				}
				runtime.ReadMemStats(&after)
				if testing.Verbose() && mode == "bytes" {
					t.Log(err)
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("%s: got %v, want %v", mode, err, c.want)
				}
				var fe *FormatError
				if !errors.As(err, &fe) || fe.Path != "hostile.gguf" || fe.Field != c.field && !strings.HasPrefix(fe.Field, c.field) {
					t.Fatalf("%s: error %q does not name the file and field %q", mode, err, c.field)
				}
				if !strings.Contains(err.Error(), "hostile.gguf") {
					t.Fatalf("%s: message %q lacks the file name", mode, err)
				}
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
					t.Fatalf("%s: parsing %d hostile bytes allocated %d bytes", mode, len(c.file), alloc)
				}
			}
		})
	}
}

// TestEmptyTensorPastEOF: a zero-size tensor in a file that ends before its
// data section would start.
func TestEmptyTensorPastEOF(t *testing.T) {
	file := header(1, 0).tensorInfo("e", tensor.F32, 0, 0).Bytes()
	f, err := parseBytes("empty-tensor.gguf", file)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := f.Data(&f.Tensors[0]); err != nil || len(d) != 0 {
		t.Fatalf("got %d bytes, %v", len(d), err)
	}
}

// TestVersion2 reads a GGUF v2 file, which has the same layout as v3.
func TestVersion2(t *testing.T) {
	file := sampleFile(t)
	file[4] = 2
	f, err := parseBytes("v2.gguf", file)
	if err != nil || f.Version != 2 || len(f.Tensors) != len(sampleTensors()) {
		t.Fatalf("got %v", err)
	}
}

// TestLyingSize gives Parse a size far larger than the reader holds: counts
// that size would allow must still cost only what is actually read.
func TestLyingSize(t *testing.T) {
	for name, file := range map[string][]byte{
		"tensors": header(1<<40, 0).Bytes(),
		"kvs":     header(0, 1<<40).Bytes(),
		"bytes":   header(0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeUint8)).u64(1 << 40).Bytes(),
		"strings": header(0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeString)).u64(1 << 40).Bytes(),
		"arrays":  header(0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeArray)).u64(1 << 40).Bytes(),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Parse("liar.gguf", bytes.NewReader(file), 1<<50)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: got %v, want ErrTruncated", name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%s: allocated %d bytes", name, alloc)
		}
	}
}

// TestTruncatedPrefixes cuts a valid file at every length short of its last
// tensor's data and requires a clean error each time.
func TestTruncatedPrefixes(t *testing.T) {
	full := sampleFile(t)
	f, err := parseBytes("full.gguf", full)
	if err != nil {
		t.Fatal(err)
	}
	last := f.Tensors[len(f.Tensors)-1]
	size, _ := last.Size()
	end := f.DataOffset + int64(last.Offset) + size
	for n := int64(0); n < end; n++ {
		_, err := Parse("cut.gguf", bytes.NewReader(full[:n]), n)
		if _, err2 := parseBytes("cut.gguf", full[:n]); err2 == nil || err2.Error() != err.Error() {
			t.Fatalf("prefix of %d bytes: parsers disagree: %v vs %v", n, err, err2)
		}
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Path != "cut.gguf" {
			t.Fatalf("prefix of %d bytes: got %v", n, err)
		}
		if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrDataRange) {
			t.Fatalf("prefix of %d bytes: unexpected error kind %v", n, err)
		}
	}
}
