package gguf

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// seedHead is how much of each shared GGUF file seeds the fuzzer: the
// header, the start of the metadata, and for small files everything.
const seedHead = 64 << 10

// FuzzParse feeds arbitrary bytes to both parsers and checks that they agree,
// fail only with a *FormatError, and that whatever parses writes back to a
// file that parses and writes back identically.
func FuzzParse(f *testing.F) {
	for _, path := range testFiles(f) {
		fd, err := os.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		head, err := io.ReadAll(io.LimitReader(fd, seedHead))
		fd.Close()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(head)
	}
	small, err := os.ReadFile(filepath.Join(filepath.Dir(testFiles(f)[0]), "..", "stories260K", "stories260K-q4_0.gguf"))
	if err == nil {
		f.Add(small)
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
