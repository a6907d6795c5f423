package weights

import (
	"fmt"

	"github.com/herdllm/herd/tensor"
)

// fileTypeNames are llama.cpp's names for the general.file_type values
// (enum llama_ftype, without the LLAMA_FTYPE_MOSTLY_ prefix).
var fileTypeNames = map[uint64]string{
	0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 4: "Q4_1_SOME_F16", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
	10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
	16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
	22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
	28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
	38: "MXFP4_MOE",
}

// FileTypeName returns llama.cpp's name for a general.file_type value, e.g.
// "Q4_K_M".
func FileTypeName(ft uint64) string {
	if s, ok := fileTypeNames[ft]; ok {
		return s
	}
	return fmt.Sprintf("unknown(%d)", ft)
}

// fileType names f's file type from general.file_type or, as llama.cpp
// does when that key is absent, guesses it from the type most tensors have.
func fileType(f *File) string {
	if ft, ok := f.Meta.Uint("general.file_type"); ok {
		return FileTypeName(ft)
	}
	count := map[tensor.Type]int{}
	for _, t := range f.Tensors {
		count[t.Type]++
	}
	var best tensor.Type
	most := 0
	for typ, n := range count {
		if n > most || (n == most && typ < best) {
			best, most = typ, n
		}
	}
	if most == 0 {
		return ""
	}
	return best.String() + " (guessed)"
}
