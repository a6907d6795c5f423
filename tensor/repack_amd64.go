//go:build !purego

package tensor

// The assembly kernels for repacked groups (matmul_repacked_amd64.s,
// written by _asm/interleaved) need AVX-512 VNNI; without it Repack leaves
// matrices as they are.
var (
	repackQ4_0VNNI = []repackRoutine{nil,
		q4_0x16x1VNNI, q4_0x16x2VNNI, q4_0x16x3VNNI, q4_0x16x4VNNI,
		q4_0x16x5VNNI, q4_0x16x6VNNI, q4_0x16x7VNNI, q4_0x16x8VNNI}
	repackQ8_0VNNI = []repackRoutine{nil, q8_0x16x1VNNI, q8_0x16x2VNNI}
	repackQ4_KVNNI = []repackRoutine{nil,
		q4_Kx16x1VNNI, q4_Kx16x2VNNI, q4_Kx16x3VNNI, q4_Kx16x4VNNI,
		q4_Kx16x5VNNI, q4_Kx16x6VNNI, q4_Kx16x7VNNI, q4_Kx16x8VNNI}
	repackQ6_KVNNI = []repackRoutine{nil,
		q6_Kx16x1VNNI, q6_Kx16x2VNNI, q6_Kx16x3VNNI, q6_Kx16x4VNNI,
		q6_Kx16x5VNNI, q6_Kx16x6VNNI, q6_Kx16x7VNNI, q6_Kx16x8VNNI}
)

// repackKernels returns the kernels for repacked weights of type t, indexed
// by the number of activation rows they take (1..len-1), or nil.
func repackKernels(t Type) []repackRoutine {
	if !legacyVNNI {
		return nil
	}
	switch t {
	case Q4_0:
		return repackQ4_0VNNI
	case Q8_0:
		return repackQ8_0VNNI
	case Q4_K:
		return repackQ4_KVNNI
	case Q6_K:
		return repackQ6_KVNNI
	}
	return nil
}
