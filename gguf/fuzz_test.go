package gguf

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"
)

// seedHead is how much of each shared GGUF file seeds the fuzzer as it is:
// the header and the start of the metadata. Small seeds keep the fuzzer's
// minimization of new inputs quick.
const seedHead = 4 << 10

// shrink returns a small complete file like f: the same keys and tensor
// names and types, with arrays cut to a few elements and each tensor cut to
// one block of its data.
func shrink(tb testing.TB, f *File) []byte {
	tb.Helper()
	m := NewMetadata()
	for _, kv := range f.Meta.KVs() {
		if a, ok := kv.Value.(Array); ok && a.Len() > 4 {
			kv.Value = Array{Elem: a.Elem, Values: reflect.ValueOf(a.Values).Slice(0, 4).Interface()}
		}
		m.set(kv)
	}
	ws := make([]WriteTensor, len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		data, err := f.Data(t)
		if err != nil {
			tb.Fatal(err)
		}
		shape := []uint64{uint64(t.Type.BlockSize())}
		ws[i] = WriteTensor{Name: t.Name, Shape: shape, Type: t.Type, Data: data[:t.Type.TypeSize()]}
	}
	var buf bytes.Buffer
	if err := Write(&buf, m, ws); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzParse feeds arbitrary bytes to both parsers and checks that they agree,
// fail only with a *FormatError, and that whatever parses writes back to a
// file that parses and writes back identically.
func FuzzParse(f *testing.F) {
	for _, path := range testFiles(f) {
		g, err := Open(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(shrink(f, g))
		head := make([]byte, min(g.size, seedHead))
		fd, err := os.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		_, err = fd.ReadAt(head, 0)
		fd.Close()
		g.Close()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(head)
	}
	f.Add(sampleFile(f))
	f.Add(header(0, 0).Bytes())

	f.Fuzz(func(t *testing.T, data []byte) {
		a, errA := parseBytes("fuzz.gguf", data)
		b, errB := Parse("fuzz.gguf", bytes.NewReader(data), int64(len(data)))
		if (errA == nil) != (errB == nil) {
			t.Fatalf("parsers disagree: %v vs %v", errA, errB)
		}
		if errA != nil {
			var fe *FormatError
			if !errors.As(errA, &fe) || !errors.As(errB, &fe) {
				t.Fatalf("not a FormatError: %v / %v", errA, errB)
			}
			if errA.Error() != errB.Error() {
				t.Fatalf("parsers disagree: %v vs %v", errA, errB)
			}
			return
		}
		if a.Alignment > 1<<12 {
			return // valid, but writing it back pads to gigabytes
		}
		ws := make([]WriteTensor, len(a.Tensors))
		for i := range a.Tensors {
			da, err := a.Data(&a.Tensors[i])
			if err != nil {
				t.Fatal(err)
			}
			db, err := b.Data(&b.Tensors[i])
			if err != nil || !bytes.Equal(da, db) {
				t.Fatalf("tensor %d data differs: %v", i, err)
			}
			ti := a.Tensors[i]
			ws[i] = WriteTensor{Name: ti.Name, Shape: ti.Shape, Type: ti.Type, Data: da}
		}
		var once, twice bytes.Buffer
		if err := Write(&once, a.Meta, ws); errors.Is(err, ErrNameLength) {
			return // readable, but not a file herd will write
		} else if err != nil {
			t.Fatalf("writing back a parsed file: %v", err)
		}
		c, err := parseBytes("again.gguf", once.Bytes())
		if err != nil {
			t.Fatalf("parsing a written file: %v", err)
		}
		for i := range c.Tensors {
			if ws[i].Data, err = c.Data(&c.Tensors[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := Write(&twice, c.Meta, ws); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatal("second write differs from the first")
		}
	})
}
