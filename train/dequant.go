package train

import "github.com/herdllm/herd/tensor"

// dequantize converts one row of a frozen matrix to float32.
func dequantize(t tensor.Type, src []byte, dst []float32) error {
	return tensor.Dequantize(t, src, dst)
}
