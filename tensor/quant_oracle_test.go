package tensor_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tensor"
)

// oracleTypes are the formats quants.gguf holds ggml's bytes and
// dequantization for.
var oracleTypes = []tensor.Type{
	tensor.F16, tensor.BF16, tensor.Q4_0, tensor.Q4_1, tensor.Q5_0, tensor.Q5_1, tensor.Q8_0,
	tensor.Q2_K, tensor.Q3_K, tensor.Q4_K, tensor.Q5_K, tensor.Q6_K, tensor.IQ4_NL, tensor.IQ4_XS, tensor.Q8_K,
}

func openOracle(t *testing.T) *gguf.File {
	t.Helper()
	f, err := gguf.Open(testdata.Path(t, "quants", "quants.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func oracleData(t *testing.T, f *gguf.File, name string) (*gguf.TensorInfo, []byte) {
	t.Helper()
	ti, ok := f.Tensor(name)
	if !ok {
		t.Fatalf("quants.gguf has no tensor %s", name)
	}
	b, err := f.Data(ti)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ti, b
}

func f32s(b []byte) []float32 {
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}

// oracleSources returns the indices of the src.<i> tensors in f.
func oracleSources(f *gguf.File) []int {
	var idx []int
	for i := 0; ; i++ {
		if _, ok := f.Tensor(fmt.Sprintf("src.%d", i)); !ok {
			return idx
		}
		idx = append(idx, i)
	}
}

// TestDequantizeOracle checks Dequantize against ggml's to_float on ggml's
// own quantized bytes, bit for bit, for every format and source.
func TestDequantizeOracle(t *testing.T) {
	f := openOracle(t)
	srcs := oracleSources(f)
	if len(srcs) == 0 {
		t.Fatal("quants.gguf has no sources")
	}
	for _, typ := range oracleTypes {
		for _, i := range srcs {
			t.Run(fmt.Sprintf("%s/%d", typ, i), func(t *testing.T) {
				qi, q := oracleData(t, f, fmt.Sprintf("q.%s.%d", typ, i))
				if qi.Type != typ {
					t.Fatalf("q.%s.%d has type %s", typ, i, qi.Type)
				}
				_, deqBytes := oracleData(t, f, fmt.Sprintf("deq.%s.%d", typ, i))
				want := f32s(deqBytes)
				got := make([]float32, len(want))
				if err := tensor.Dequantize(typ, q, got); err != nil {
					t.Fatal(err)
				}
				bad := 0
				for k := range want {
					if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
						if bad < 5 {
							t.Errorf("element %d: got %g (%#08x), ggml %g (%#08x)", k, got[k], math.Float32bits(got[k]), want[k], math.Float32bits(want[k]))
						}
						bad++
					}
				}
				if bad > 0 {
					t.Errorf("%d of %d elements differ", bad, len(want))
				}
			})
		}
	}
}

// TestQuantizeOracle checks that Quantize gives ggml's bytes for every
// format it handles (all of oracleTypes) on every source.
func TestQuantizeOracle(t *testing.T) {
	f := openOracle(t)
	for _, typ := range oracleTypes {
		if !tensor.CanQuantize(typ) {
			t.Errorf("%s: Quantize does not handle it", typ)
			continue
		}
		for _, i := range oracleSources(f) {
			t.Run(fmt.Sprintf("%s/%d", typ, i), func(t *testing.T) {
				si, srcBytes := oracleData(t, f, fmt.Sprintf("src.%d", i))
				_, want := oracleData(t, f, fmt.Sprintf("q.%s.%d", typ, i))
				src := f32s(srcBytes)
				got := make([]byte, len(want))
				if err := tensor.Quantize(typ, src, got); err != nil {
					t.Fatal(err)
				}
				if bytes.Equal(got, want) {
					return
				}
				rowBytes := len(want) / int(si.Shape[1])
				bs := typ.TypeSize()
				bad := 0
				for k := 0; k < len(want); k += bs {
					if !bytes.Equal(got[k:k+bs], want[k:k+bs]) {
						if bad < 3 {
							t.Errorf("row %d block %d differs:\n got %x\nwant %x", k/rowBytes, k%rowBytes/bs, got[k:k+bs], want[k:k+bs])
						}
						bad++
					}
				}
				t.Errorf("%d of %d blocks differ", bad, len(want)/bs)
			})
		}
	}
}

// TestQ8_1Oracle checks Q8_1, which quants.gguf does not store, against
// ggml's Q8_0 bytes: quantize_row_q8_1_ref computes d and the quants exactly
// as quantize_row_q8_0_ref does, and adds s = d·Σq with d before its f16
// rounding.
func TestQ8_1Oracle(t *testing.T) {
	f := openOracle(t)
	for _, i := range oracleSources(f) {
		_, srcBytes := oracleData(t, f, fmt.Sprintf("src.%d", i))
		_, q80 := oracleData(t, f, fmt.Sprintf("q.Q8_0.%d", i))
		src := f32s(srcBytes)
		q81 := make([]byte, len(src)/32*36)
		if err := tensor.Quantize(tensor.Q8_1, src, q81); err != nil {
			t.Fatal(err)
		}
		for b := 0; b < len(src)/32; b++ {
			a, c := q80[34*b:34*b+34], q81[36*b:36*b+36]
			if !bytes.Equal(a[:2], c[:2]) || !bytes.Equal(a[2:], c[4:]) {
				t.Fatalf("src.%d block %d: Q8_1 %x, Q8_0 %x", i, b, c, a)
			}
			var amax float32
			for _, v := range src[32*b : 32*b+32] {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			d := amax / 127
			sum := 0
			for _, q := range c[4:] {
				sum += int(int8(q))
			}
			if s := binary.LittleEndian.Uint16(c[2:]); s != tensor.F32ToF16(float32(sum)*d) {
				t.Fatalf("src.%d block %d: s = %#04x, want f16(%d·%g)", i, b, s, sum, d)
			}
		}
	}
}
