package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// ParseLlama2C reads a llama2.c tokenizer.bin: an int32 maximum piece
// length, then for each token a float32 score, an int32 length and the
// piece's bytes, to the end of the file. llama2.c writes "▁" as a space and
// BOS/EOS as "\n<s>\n"/"\n</s>\n"; both are undone here, and token types
// are inferred (byte pieces, <unk>, BOS, EOS).
func ParseLlama2C(data []byte) (Vocab, error) {
	v := Vocab{Kind: SPM, BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1, EOM: -1, AddBOS: true, AddSpacePrefix: true}
	if len(data) < 4 {
		return v, errors.New("too short for a header")
	}
	maxLen := int32(binary.LittleEndian.Uint32(data))
	if maxLen <= 0 {
		return v, fmt.Errorf("max_token_length %d", maxLen)
	}
	off := 4
	for off < len(data) {
		if len(data)-off < 8 {
			return v, fmt.Errorf("token %d: truncated header at byte %d", len(v.Tokens), off)
		}
		score := math.Float32frombits(binary.LittleEndian.Uint32(data[off:]))
		n := int32(binary.LittleEndian.Uint32(data[off+4:]))
		off += 8
		if n < 0 || int(n) > len(data)-off {
			return v, fmt.Errorf("token %d: length %d past end of file", len(v.Tokens), n)
		}
		piece := string(data[off : off+int(n)])
		off += int(n)
		v.Tokens = append(v.Tokens, piece)
		v.Scores = append(v.Scores, score)
	}
	v.Types = make([]TokenType, len(v.Tokens))
	for i, p := range v.Tokens {
		switch {
		case p == "\n<s>\n" || p == "<s>":
			v.Tokens[i], v.Types[i] = "<s>", TypeControl
			v.BOS = i
		case p == "\n</s>\n" || p == "</s>":
			v.Tokens[i], v.Types[i] = "</s>", TypeControl
			v.EOS = i
		case p == "<unk>":
			v.Types[i] = TypeUnknown
			v.UNK = i
		default:
			if _, ok := parseByteToken(p); ok {
				v.Types[i] = TypeByte
			} else {
				v.Tokens[i] = strings.ReplaceAll(p, " ", spmSpace)
				v.Types[i] = TypeNormal
			}
		}
	}
	if len(v.Tokens) == 0 {
		return v, errors.New("no tokens")
	}
	return v, nil
}
