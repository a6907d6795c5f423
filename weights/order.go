package weights

import (
	"sort"
	"strconv"
	"strings"
)

// tensorRoles orders a block's tensors as llama.cpp's converters write them.
var tensorRoles = map[string]int{
	"attn_q.weight": 0, "attn_k.weight": 1, "attn_v.weight": 2, "attn_output.weight": 3,
	"attn_norm.weight": 4, "ffn_gate.weight": 5, "ffn_down.weight": 6, "ffn_up.weight": 7,
	"ffn_norm.weight": 8,
}

// globalTensors orders the tensors outside the blocks.
var globalTensors = map[string]int{
	"token_embd.weight": 0, "output_norm.weight": 1, "output.weight": 2, "rope_freqs.weight": 3,
}

// tensorKey places a tensor in llama.cpp's file order: the global tensors,
// then each block's in turn. Unknown names sort last, by name.
func tensorKey(name string) (group, block, role int) {
	if r, ok := globalTensors[name]; ok {
		return 0, 0, r
	}
	if rest, ok := strings.CutPrefix(name, "blk."); ok {
		if num, role, ok := strings.Cut(rest, "."); ok {
			if n, err := strconv.Atoi(num); err == nil {
				r, ok := tensorRoles[role]
				if !ok {
					r = len(tensorRoles)
				}
				return 1, n, r
			}
		}
	}
	return 2, 0, 0
}

// sortTensors puts ts in llama.cpp's file order, stably.
func sortTensors(ts []*Tensor) {
	sort.SliceStable(ts, func(i, j int) bool {
		gi, bi, ri := tensorKey(ts[i].Name)
		gj, bj, rj := tensorKey(ts[j].Name)
		if gi != gj {
			return gi < gj
		}
		if bi != bj {
			return bi < bj
		}
		if ri != rj {
			return ri < rj
		}
		return ts[i].Name < ts[j].Name
	})
}
