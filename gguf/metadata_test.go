package gguf

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/tensor"
)

func TestSampleRoundTrip(t *testing.T) {
	file := sampleFile(t)
	f, err := Parse("sample.gguf", bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	want := sampleMeta()
	if !reflect.DeepEqual(f.Meta.KVs(), want.KVs()) {
		t.Fatalf("metadata differs:\n got %v\nwant %v", f.Meta.KVs(), want.KVs())
	}
	if f.Version != 3 || f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Fatalf("version %d alignment %d data offset %d", f.Version, f.Alignment, f.DataOffset)
	}
	for i, w := range sampleTensors() {
		ti, ok := f.Tensor(w.Name)
		if !ok || ti != &f.Tensors[i] || ti.Type != w.Type || !slices.Equal(ti.Shape, w.Shape) || ti.Offset%64 != 0 {
			t.Fatalf("tensor %q: got %+v", w.Name, ti)
		}
		data, err := f.Data(ti)
		if err != nil || !bytes.Equal(data, w.Data) {
			t.Fatalf("tensor %q data: %v", w.Name, err)
		}
	}
	if _, ok := f.Tensor("missing"); ok {
		t.Fatal("found a missing tensor")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Data(&f.Tensors[0]); err == nil {
		t.Fatal("Data after Close succeeded")
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sample.gguf")
	if err := WriteFile(path, sampleMeta(), sampleTensors()); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Data(&f.Tensors[1])
	if err != nil || !bytes.Equal(d, sampleTensors()[1].Data) {
		t.Fatalf("data: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal("second Close:", err)
	}

	empty := filepath.Join(dir, "empty.gguf")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Open(empty); err == nil {
		t.Fatal("opened an empty file")
	}
	bad := filepath.Join(dir, "bad.gguf")
	os.WriteFile(bad, header(1<<60, 0).Bytes(), 0o644)
	if _, err := Open(bad); err == nil {
		t.Fatal("opened a hostile file")
	}
	if _, err := Open(filepath.Join(dir, "absent.gguf")); err == nil {
		t.Fatal("opened a missing file")
	}
}

func TestMetadataAccessors(t *testing.T) {
	m := sampleMeta()
	if s, ok := m.String("str"); !ok || s != "héllo" {
		t.Fatal("String", s, ok)
	}
	if _, ok := m.String("u8"); ok {
		t.Fatal("String of a number")
	}
	if u, ok := m.Uint("u32"); !ok || u != 4000000000 {
		t.Fatal("Uint u32", u, ok)
	}
	if u, ok := m.Uint("u64"); !ok || u != math.MaxUint64 {
		t.Fatal("Uint u64", u, ok)
	}
	if _, ok := m.Uint("i8"); ok {
		t.Fatal("Uint of a negative")
	}
	if i, ok := m.Int("i16"); !ok || i != -30000 {
		t.Fatal("Int", i, ok)
	}
	if _, ok := m.Int("u64"); ok {
		t.Fatal("Int of MaxUint64")
	}
	if _, ok := m.Int("f32"); ok {
		t.Fatal("Int of a float")
	}
	if x, ok := m.Float("f32"); !ok || x != 1.5 {
		t.Fatal("Float f32", x, ok)
	}
	if x, ok := m.Float("u8"); !ok || x != 200 {
		t.Fatal("Float u8", x, ok)
	}
	if b, ok := m.Bool("bool"); !ok || !b {
		t.Fatal("Bool", b, ok)
	}
	if s, ok := m.Strings("a.str"); !ok || !slices.Equal(s, []string{"a", "", "ccc"}) {
		t.Fatal("Strings", s, ok)
	}
	if f, ok := m.Float32s("a.f64"); !ok || !slices.Equal(f, []float32{2.25}) {
		t.Fatal("Float32s", f, ok)
	}
	if v, ok := m.Int32s("a.u16"); !ok || !slices.Equal(v, []int32{1, 65535}) {
		t.Fatal("Int32s", v, ok)
	}
	if _, ok := m.Int32s("a.f32"); ok {
		t.Fatal("Int32s of floats")
	}
	if _, ok := m.Strings("missing"); ok {
		t.Fatal("Strings of a missing key")
	}

	// Set infers types, replaces in place and Delete keeps order.
	n := NewMetadata()
	n.Set("a", 5)
	n.Set("b", -5)
	n.Set("c", []int{1, -2})
	n.Set("d", int64(1<<40))
	n.Set("a", "x")
	n.Set("e", KV{Type: TypeUint16, Value: uint16(3)})
	n.Delete("b")
	n.Delete("missing")
	var got []string
	for _, kv := range n.KVs() {
		got = append(got, kv.Key+":"+kv.Type.String())
	}
	if want := []string{"a:string", "c:array", "d:int64", "e:uint16"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if kv, _ := n.Get("c"); kv.Value.(Array).Elem != TypeInt32 {
		t.Fatal("[]int is not an int32 array")
	}
	if n.Len() != 4 {
		t.Fatal("Len", n.Len())
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("Set of an unsupported type did not panic")
			}
		}()
		n.Set("bad", struct{}{})
	}()
}

func TestFormat(t *testing.T) {
	long := make([]string, 512)
	for _, c := range []struct {
		kv   KV
		want string
	}{
		{KV{"n", TypeUint32, uint32(7)}, "n = 7"},
		{KV{"f", TypeFloat32, float32(0.1)}, "f = 0.1"},
		{KV{"s", TypeString, "hi\n"}, `s = "hi\n"`},
		{KV{"b", TypeBool, true}, "b = true"},
		{KV{"l", TypeString, strings.Repeat("é", 50)}, `l = "` + strings.Repeat("é", 40) + `"…`},
		{KV{"t", TypeArray, Array{TypeString, long}}, "t = [512 strings]"},
		{KV{"x", TypeArray, Array{TypeFloat32, make([]float32, 9)}}, "x = [9 float32]"},
		{KV{"y", TypeArray, Array{TypeInt32, []int32{1, -2}}}, "y = [1, -2]"},
		{KV{"z", TypeArray, Array{TypeString, []string{"a"}}}, `z = ["a"]`},
	} {
		if got := c.kv.String(); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
	if TypeFloat64.String() != "float64" || ValueType(99).String() != "type(99)" {
		t.Error("ValueType.String")
	}
}

func TestWriteErrors(t *testing.T) {
	ok := WriteTensor{Name: "w", Shape: []uint64{4}, Type: tensor.F32, Data: make([]byte, 16)}
	badAlign := NewMetadata()
	badAlign.Set(AlignmentKey, uint64(32))
	badKV := NewMetadata()
	badKV.set(KV{Key: "k", Type: TypeUint32, Value: "not a number"})
	for name, c := range map[string]struct {
		meta    *Metadata
		tensors []WriteTensor
	}{
		"short data":     {nil, []WriteTensor{{Name: "w", Shape: []uint64{4}, Type: tensor.F32, Data: make([]byte, 15)}}},
		"duplicate":      {nil, []WriteTensor{ok, ok}},
		"too many dims":  {nil, []WriteTensor{{Name: "w", Shape: []uint64{1, 1, 1, 1, 1}, Type: tensor.F32, Data: make([]byte, 4)}}},
		"unknown type":   {nil, []WriteTensor{{Name: "w", Shape: []uint64{1}, Type: 5, Data: make([]byte, 4)}}},
		"alignment type": {badAlign, nil},
		"data and fill":  {nil, []WriteTensor{{Name: "w", Shape: []uint64{1}, Type: tensor.F32, Data: make([]byte, 4), Fill: func([]byte) error { return nil }}}},
		"fill fails":     {nil, []WriteTensor{{Name: "w", Shape: []uint64{1}, Type: tensor.F32, Fill: func([]byte) error { return io.ErrShortWrite }}}},
		"long name":      {nil, []WriteTensor{{Name: strings.Repeat("x", MaxNameLen), Shape: []uint64{1}, Type: tensor.F32, Data: make([]byte, 4)}}},
		"value type":     {badKV, nil},
	} {
		if err := Write(&bytes.Buffer{}, c.meta, c.tensors); err == nil {
			t.Errorf("%s: Write succeeded", name)
		}
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir"), nil, nil); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}

// TestWriteFill writes tensors produced by Fill and requires the same file
// as from Data.
func TestWriteFill(t *testing.T) {
	want := sampleFile(t)
	ts := sampleTensors()
	for i := range ts {
		data := ts[i].Data
		ts[i].Data = nil
		ts[i].Fill = func(dst []byte) error {
			if len(dst) != len(data) {
				return fmt.Errorf("got %d bytes, want %d", len(dst), len(data))
			}
			copy(dst, data)
			return nil
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, sampleMeta(), ts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatal("Fill gave a different file than Data")
	}
}
