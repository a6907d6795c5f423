package gguf

import (
	"bytes"
	"math"
	"testing"

	"github.com/herdllm/herd/tensor"
)

// sampleMeta returns metadata holding a value of every GGUF type.
func sampleMeta() *Metadata {
	m := NewMetadata()
	m.Set("general.architecture", "llama")
	m.Set("u8", uint8(200))
	m.Set("i8", int8(-100))
	m.Set("u16", uint16(60000))
	m.Set("i16", int16(-30000))
	m.Set("u32", uint32(4000000000))
	m.Set("i32", int32(-2000000000))
	m.Set("f32", float32(1.5))
	m.Set("bool", true)
	m.Set("str", "héllo")
	m.Set("empty", "")
	m.Set("u64", uint64(math.MaxUint64))
	m.Set("i64", int64(math.MinInt64))
	m.Set("f64", math.Pi)
	m.Set("a.u8", []uint8{1, 2, 3})
	m.Set("a.i8", []int8{-1, 2})
	m.Set("a.u16", []uint16{1, 65535})
	m.Set("a.i16", []int16{-1, 2})
	m.Set("a.u32", []uint32{7})
	m.Set("a.i32", []int32{-7, 8})
	m.Set("a.f32", []float32{0.5, float32(math.Inf(-1))})
	m.Set("a.bool", []bool{true, false})
	m.Set("a.str", []string{"a", "", "ccc"})
	m.Set("a.u64", []uint64{1 << 63})
	m.Set("a.i64", []int64{-1})
	m.Set("a.f64", []float64{2.25})
	m.Set("a.empty", []string{})
	m.Set("a.nested", Array{Elem: TypeArray, Values: []Array{
		{Elem: TypeString, Values: []string{"x", "y"}},
		{Elem: TypeInt32, Values: []int32{1}},
	}})
	m.Set(AlignmentKey, uint32(64))
	return m
}

// sampleTensors returns a few small tensors of different types and shapes.
func sampleTensors() []WriteTensor {
	mk := func(name string, typ tensor.Type, shape ...uint64) WriteTensor {
		n, _ := typ.Bytes(shape)
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*7 + len(name))
		}
		return WriteTensor{Name: name, Shape: shape, Type: typ, Data: data}
	}
	return []WriteTensor{
		mk("a", tensor.F32, 3),
		mk("b", tensor.Q4_0, 64, 2),
		mk("c", tensor.F16, 5, 3, 2, 1),
		mk("d", tensor.Q8_0, 32),
	}
}

// sampleFile returns the bytes of a small file with every value type.
func sampleFile(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, sampleMeta(), sampleTensors()); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
