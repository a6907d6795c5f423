package weights

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/herdllm/herd/gguf"
)

// vocabKinds explains tokenizer.ggml.model values.
var vocabKinds = map[string]string{
	"llama": "SentencePiece", "gpt2": "byte-level BPE", "bert": "WordPiece", "t5": "Unigram", "rwkv": "RWKV",
}

// WriteText prints the summary for people; with tensors it also lists every
// tensor's name, type, shape and bytes.
func (s *Summary) WriteText(w io.Writer, tensors bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label string, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t%s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(tw, "%s (%s)\n", s.Path, s.Format)
	fmt.Fprintln(tw, "Model")
	row("architecture", "%s", orUnknown(s.Architecture))
	if s.Name != "" {
		row("name", "%s", s.Name)
	}
	row("parameters", "%s (%d)", humanCount(s.Parameters), s.Parameters)
	row("file type", "%s", orUnknown(s.FileType))
	row("context length", "%d", s.ContextLength)
	row("embedding length", "%d", s.EmbeddingLength)
	row("feed forward length", "%d", s.FeedForwardLength)
	row("layers", "%d", s.BlockCount)
	row("heads", "%d", s.HeadCount)
	row("KV heads", "%d", s.HeadCountKV)
	if s.RMSNormEpsilon != 0 {
		row("RMS norm epsilon", "%s", shortFloat(s.RMSNormEpsilon))
	}
	fmt.Fprintln(tw, "RoPE")
	row("freq base", "%s", shortFloat(s.Rope.FreqBase))
	row("dimension count", "%d", s.Rope.DimensionCount)
	sc := s.Rope.Scaling
	scaling := sc.Type
	if sc.Factor != 0 {
		scaling += ", factor " + shortFloat(sc.Factor)
	}
	if sc.OriginalContextLength != 0 {
		scaling += fmt.Sprintf(", original context %d", sc.OriginalContextLength)
	}
	if sc.FreqFactors {
		scaling += ", per-frequency factors (rope_freqs)"
	}
	row("scaling", "%s", scaling)
	fmt.Fprintln(tw, "Vocabulary")
	kind := orUnknown(s.VocabType)
	if k, ok := vocabKinds[s.VocabType]; ok {
		kind += " (" + k + ")"
	}
	row("kind", "%s", kind)
	row("size", "%d", s.VocabSize)
	row("BOS", "%s", tokenText(s.BOSTokenID, s.BOSToken))
	row("EOS", "%s", tokenText(s.EOSTokenID, s.EOSToken))
	row("EOT", "%s", tokenText(s.EOTTokenID, s.EOTToken))
	row("chat template", "%s", map[bool]string{true: "present", false: "none"}[s.ChatTemplate])
	fmt.Fprintln(tw, "Tensors by type")
	if len(s.TypeMix) == 0 {
		row("none", "")
	}
	for _, name := range s.sortedTypeMix() {
		tc := s.TypeMix[name]
		row(name, "%d tensors, %s", tc.Tensors, humanBytes(tc.Bytes))
	}
	if len(s.Metadata) > 0 {
		fmt.Fprintln(tw, "Metadata")
		keys := make([]string, 0, len(s.Metadata))
		for k := range s.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			row(k, "%s", metadataText(s.Metadata[k]))
		}
	}
	if tensors {
		fmt.Fprintln(tw, "Tensors")
		for _, t := range s.Tensors {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\n", t.Name, t.Type, shapeText(t.Shape), t.Bytes)
		}
	}
	return tw.Flush()
}

// orUnknown returns s, or "unknown" when it is empty.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// tokenText renders a special token as id and piece.
func tokenText(id *int64, piece string) string {
	if id == nil {
		return "none"
	}
	if piece == "" {
		return strconv.FormatInt(*id, 10)
	}
	return fmt.Sprintf("%d %s", *id, strconv.Quote(piece))
}

// metadataText renders a metadata value on one line.
func metadataText(v any) string {
	switch x := v.(type) {
	case string:
		return gguf.FormatValue(x)
	case []string, []int, []uint16, []int16, []uint32, []int32, []uint64, []int64, []int8, []bool:
		return fmt.Sprint(x)
	}
	return fmt.Sprint(v)
}

// shortFloat renders v in the fewest digits that identify it, as float32
// when it is one (GGUF stores most settings as float32).
func shortFloat(v float64) string {
	if float64(float32(v)) == v {
		return strconv.FormatFloat(v, 'g', -1, 32)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// shapeText renders a shape as "64 x 512".
func shapeText(shape []uint64) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.FormatUint(d, 10)
	}
	return strings.Join(parts, " x ")
}

// humanCount renders a count with a K/M/B suffix.
func humanCount(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.2fK", float64(n)/1e3)
	}
	return strconv.FormatUint(n, 10)
}

// humanBytes renders a byte count in binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
