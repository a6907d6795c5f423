// Common parts of the assembly kernels for K-quant weights against Q8_K
// activations. They follow the order of ggml's AVX2
// ggml_vec_dot_<type>_q8_K: per super-block, 32-bit integer sums in eight
// lanes (lane l: elements 4l..4l+3 of every 32-element vector) are
// converted to float32 and fused into eight float32 accumulators with the
// scale d·y.d; hsum_float_8 adds the lanes at the end. Each super-block of
// weights is decoded once into registers and used for every activation row.
//
// Q8_K block: d float32 at 0, 256 int8 quants at 4, 16 int16 group sums at 260.

// Frame layout of the AVX2 kernels (offsets from the hardware SP):
//   0..255    eight 16-bit scale vectors, one per 32-element vector
//   256..511  eight float32 lane accumulators, one per activation row
//   512..639  the min accumulators of Q4_K (four float32 per row) and Q5_K (one)
//   640..671  scratch for unpacking scales

// KQ_HSUM8 leaves in X9 the sum of the eight lanes at (R10), as
// hsum_float_8: ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)). Clobbers X8, X10.
#define KQ_HSUM8 \
	VMOVUPS      (R10), Y8; \
	VEXTRACTF128 $1, Y8, X9; \
	VADDPS       X8, X9, X9; \
	VMOVHLPS     X9, X9, X10; \
	VADDPS       X10, X9, X9; \
	VMOVSHDUP    X9, X10; \
	VADDSS       X10, X9, X9

// KQ_DOT multiplies weight vector Yw with the activation quants at
// off(SI) and the scale vector at soff(SP), leaving eight int32 lane sums
// in Yd.
#define KQ_DOT(off, Yw, soff, Yd) \
	VPMADDUBSW off(SI), Yw, Yd; \
	VPMADDWD   soff(SP), Yd, Yd
