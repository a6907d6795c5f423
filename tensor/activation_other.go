//go:build !amd64 || purego

package tensor

// actQ8_0SumsAccel converts activations straight to the repacked Q4_0
// kernels' layout where an assembly quantizer does; here none does.
var actQ8_0SumsAccel func(src []float32, dst []byte)
