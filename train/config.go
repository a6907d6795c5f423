package train

import "fmt"

// Config is the shape of a Llama model.
type Config struct {
	Dim        int     // embedding width (llama.embedding_length)
	Layers     int     // transformer blocks (llama.block_count)
	Heads      int     // query heads (llama.attention.head_count)
	KVHeads    int     // key/value heads (llama.attention.head_count_kv)
	Hidden     int     // feed-forward width (llama.feed_forward_length)
	Vocab      int     // vocabulary size
	Context    int     // longest sequence the model is meant for (llama.context_length)
	RopeBase   float32 // RoPE frequency base (llama.rope.freq_base)
	NormEps    float32 // RMSNorm epsilon (llama.attention.layer_norm_rms_epsilon)
	TiedOutput bool    // the output head reuses token_embd.weight
}

// HeadDim is the width of one attention head.
func (c Config) HeadDim() int { return c.Dim / c.Heads }

// KVDim is the width of the key and value projections.
func (c Config) KVDim() int { return c.KVHeads * c.HeadDim() }

// Validate reports a shape the model cannot be built with.
func (c Config) Validate() error {
	switch {
	case c.Dim <= 0 || c.Layers <= 0 || c.Heads <= 0 || c.KVHeads <= 0 || c.Hidden <= 0 || c.Vocab <= 0:
		return fmt.Errorf("train: config %+v: sizes must be positive", c)
	case c.Dim%c.Heads != 0:
		return fmt.Errorf("train: config: dim %d is not a multiple of %d heads", c.Dim, c.Heads)
	case c.Heads%c.KVHeads != 0:
		return fmt.Errorf("train: config: %d heads are not a multiple of %d kv heads", c.Heads, c.KVHeads)
	case c.HeadDim()%2 != 0:
		return fmt.Errorf("train: config: head width %d is odd (RoPE rotates pairs)", c.HeadDim())
	}
	return nil
}

// Shape returns a named model shape: "stories260k" (dim 64, 5 layers, 8
// heads, 4 kv heads, hidden 172) or "15m" (llama2.c's stories15M: dim 288,
// 6 layers, 6 heads, hidden 768). vocab sets the vocabulary size.
func Shape(name string, vocab int) (Config, error) {
	c := Config{Vocab: vocab, RopeBase: 10000, NormEps: 1e-5, TiedOutput: true}
	switch name {
	case "stories260k", "260k":
		c.Dim, c.Layers, c.Heads, c.KVHeads, c.Hidden, c.Context = 64, 5, 8, 4, 172, 512
	case "15m", "stories15m":
		c.Dim, c.Layers, c.Heads, c.KVHeads, c.Hidden, c.Context = 288, 6, 6, 6, 768, 256
	default:
		return Config{}, fmt.Errorf("train: unknown shape %q (want stories260k or 15m)", name)
	}
	return c, nil
}
