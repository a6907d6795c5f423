package gguf

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// testFiles returns every GGUF file in the shared test data.
func testFiles(tb testing.TB) []string {
	tb.Helper()
	root := testdata.Path(tb)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".gguf") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatalf("no .gguf files under %s", root)
	}
	return files
}

// rewrite writes f back out with the same metadata and tensors.
func rewrite(t *testing.T, f *File) []byte {
	t.Helper()
	ws := make([]WriteTensor, len(f.Tensors))
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		data, err := f.Data(ti)
		if err != nil {
			t.Fatal(err)
		}
		ws[i] = WriteTensor{Name: ti.Name, Shape: ti.Shape, Type: ti.Type, Data: data}
	}
	var buf bytes.Buffer
	if err := Write(&buf, f.Meta, ws); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTrip reads every shared GGUF file, writes it back and requires
// the result to be byte-identical to the original.
func TestRoundTrip(t *testing.T) {
	for _, path := range testFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := rewrite(t, f)
			if !bytes.Equal(got, orig) {
				n := 0
				for n < len(got) && n < len(orig) && got[n] == orig[n] {
					n++
				}
				t.Fatalf("rewritten file differs: %d bytes vs %d, first difference at %d", len(got), len(orig), n)
			}
			// The ReaderAt path must agree with the memory-mapped one.
			g, err := Parse(path, bytes.NewReader(orig), int64(len(orig)))
			if err != nil {
				t.Fatal(err)
			}
			if got2 := rewrite(t, g); !bytes.Equal(got2, orig) {
				t.Fatal("rewrite of the ReaderAt parse differs")
			}
		})
	}
}
