package tokenizer

import (
	"fmt"
	"strings"

	"github.com/herdllm/herd/gguf"
)

// GGUF metadata keys of the tokenizer.
const (
	keyModel          = "tokenizer.ggml.model"
	keyPre            = "tokenizer.ggml.pre"
	keyTokens         = "tokenizer.ggml.tokens"
	keyScores         = "tokenizer.ggml.scores"
	keyTypes          = "tokenizer.ggml.token_type"
	keyMerges         = "tokenizer.ggml.merges"
	keyBOS            = "tokenizer.ggml.bos_token_id"
	keyEOS            = "tokenizer.ggml.eos_token_id"
	keyUNK            = "tokenizer.ggml.unknown_token_id"
	keyPAD            = "tokenizer.ggml.padding_token_id"
	keyEOT            = "tokenizer.ggml.eot_token_id"
	keyEOM            = "tokenizer.ggml.eom_token_id"
	keyAddBOS         = "tokenizer.ggml.add_bos_token"
	keyAddEOS         = "tokenizer.ggml.add_eos_token"
	keyAddSpacePrefix = "tokenizer.ggml.add_space_prefix"
)

// FromGGUF builds a Tokenizer from the tokenizer.ggml.* keys of GGUF
// metadata, with llama.cpp's defaults for keys that are absent.
func FromGGUF(meta *gguf.Metadata) (*Tokenizer, error) {
	model, ok := meta.String(keyModel)
	if !ok {
		return nil, fmt.Errorf("tokenizer: gguf: no %s", keyModel)
	}
	var v Vocab
	switch model {
	case "llama":
		v = Vocab{Kind: SPM, BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1, EOM: -1, AddBOS: true, AddSpacePrefix: true}
	case "gpt2":
		v = Vocab{Kind: BPE, BOS: 11, EOS: 11, UNK: -1, PAD: -1, EOT: -1, EOM: -1}
	default:
		return nil, fmt.Errorf("tokenizer: gguf: %s %q is not supported (want \"llama\" or \"gpt2\")", keyModel, model)
	}
	if v.Tokens, ok = meta.Strings(keyTokens); !ok {
		return nil, fmt.Errorf("tokenizer: gguf: no %s", keyTokens)
	}
	if _, present := meta.Get(keyScores); present {
		if v.Scores, ok = meta.Float32s(keyScores); !ok {
			return nil, fmt.Errorf("tokenizer: gguf: %s is not a float array", keyScores)
		}
	}
	if _, present := meta.Get(keyTypes); present {
		types, ok := meta.Int32s(keyTypes)
		if !ok {
			return nil, fmt.Errorf("tokenizer: gguf: %s is not an integer array", keyTypes)
		}
		v.Types = make([]TokenType, len(types))
		for i, ty := range types {
			v.Types[i] = TokenType(ty)
		}
	}
	if v.Kind == BPE {
		if v.Merges, ok = meta.Strings(keyMerges); !ok {
			return nil, fmt.Errorf("tokenizer: gguf: no %s", keyMerges)
		}
		v.Pre, _ = meta.String(keyPre)
		if v.Pre == "" {
			v.Pre = "default"
		}
		v.AddBOS = preTokenizers[v.Pre].addBOS
	}
	for key, p := range map[string]*int{keyBOS: &v.BOS, keyEOS: &v.EOS, keyUNK: &v.UNK, keyPAD: &v.PAD, keyEOT: &v.EOT, keyEOM: &v.EOM} {
		if _, present := meta.Get(key); !present {
			continue
		}
		if id, ok := meta.Uint(key); ok && id < uint64(len(v.Tokens)) {
			*p = int(id)
		} else {
			*p = -1
		}
	}
	for key, p := range map[string]*bool{keyAddBOS: &v.AddBOS, keyAddEOS: &v.AddEOS, keyAddSpacePrefix: &v.AddSpacePrefix} {
		if b, ok := meta.Bool(key); ok {
			*p = b
		}
	}
	name, _ := meta.String("general.name")
	setStripFlags(&v, strings.ToLower(name))
	t, err := New(v)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: gguf: %w", err)
	}
	return t, nil
}

// setStripFlags applies the whitespace-stripping flags that GGUF does not
// store but llama.cpp sets by model name: Phi-3's special tokens swallow
// the whitespace after them, Jina v2's <mask> the whitespace before it.
func setStripFlags(v *Vocab, name string) {
	id := func(piece string) int {
		for i := len(v.Tokens) - 1; i >= 0; i-- {
			if v.Tokens[i] == piece {
				return i
			}
		}
		return -1
	}
	switch {
	case strings.Contains(v.Pre, "jina-v2-"):
		if i := id("<mask>"); i >= 0 {
			v.LStrip = map[int]bool{i: true}
		}
	case strings.Contains(name, "phi-3") || strings.Contains(name, "phi3"):
		v.RStrip = map[int]bool{}
		for i, ty := range v.Types {
			if ty == TypeControl || ty == TypeUserDefined || ty == TypeUnknown {
				v.RStrip[i] = true
			}
		}
		if i := id("</s>"); i >= 0 {
			v.RStrip[i] = true
		}
		for _, p := range []string{"<unk>", "<s>", "<|endoftext|>"} {
			delete(v.RStrip, id(p))
		}
	}
}

// WriteGGUF stores the vocabulary in GGUF metadata as tokenizer.ggml.* keys,
// so that a converted model carries its tokenizer.
func (t *Tokenizer) WriteGGUF(meta *gguf.Metadata) {
	v := t.v
	meta.Set(keyModel, v.Kind.String())
	if v.Kind == BPE {
		meta.Set(keyPre, v.Pre)
	} else {
		meta.Set(keyPre, "default")
	}
	meta.Set(keyTokens, append([]string(nil), v.Tokens...))
	if v.Scores != nil {
		meta.Set(keyScores, append([]float32(nil), v.Scores...))
	}
	types := make([]int32, len(v.Types))
	for i, ty := range v.Types {
		types[i] = int32(ty)
	}
	meta.Set(keyTypes, types)
	if v.Kind == BPE {
		meta.Set(keyMerges, append([]string(nil), v.Merges...))
	}
	for _, kv := range []struct {
		key string
		id  int
	}{{keyBOS, v.BOS}, {keyEOS, v.EOS}, {keyUNK, v.UNK}, {keyPAD, v.PAD}, {keyEOT, v.EOT}, {keyEOM, v.EOM}} {
		if kv.id >= 0 {
			meta.Set(kv.key, uint32(kv.id))
		} else {
			meta.Delete(kv.key)
		}
	}
	meta.Set(keyAddBOS, v.AddBOS)
	meta.Set(keyAddEOS, v.AddEOS)
	if v.Kind == SPM {
		meta.Set(keyAddSpacePrefix, v.AddSpacePrefix)
	}
}
