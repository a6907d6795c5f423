package model

// Cache holds the attention keys and values of every position of every
// sequence, per layer, in float32. Each sequence has its own slots,
// allocated as it grows, so sequences can be added, cut back and dropped
// independently (continuous batching, prompt-prefix reuse). A Cache is not
// safe for concurrent use.
type Cache struct {
	layers, kvDim, size int
	seqs                map[int]*seqSlots
}

type seqSlots struct {
	n    int         // positions stored
	k, v [][]float32 // per layer: cap positions × kvDim
}

// NewCache returns an empty cache for a model with the given number of
// layers and key/value width per position (KV heads × head dim), holding up
// to size positions per sequence.
func NewCache(layers, kvDim, size int) *Cache {
	return &Cache{layers: layers, kvDim: kvDim, size: size, seqs: map[int]*seqSlots{}}
}

// Size returns the most positions a sequence can hold.
func (c *Cache) Size() int { return c.size }

// KVDim returns the width of one position's keys (and values) in a layer.
func (c *Cache) KVDim() int { return c.kvDim }

// Len returns the number of positions of seq stored.
func (c *Cache) Len(seq int) int {
	if s, ok := c.seqs[seq]; ok {
		return s.n
	}
	return 0
}

// Truncate keeps the first n positions of seq and forgets the rest.
func (c *Cache) Truncate(seq, n int) {
	if s, ok := c.seqs[seq]; ok && n < s.n {
		s.n = max(n, 0)
	}
}

// Remove forgets seq and frees its slots.
func (c *Cache) Remove(seq int) { delete(c.seqs, seq) }

// Reserve makes room for positions [0, n) of seq, keeping what is stored.
func (c *Cache) Reserve(seq, n int) {
	s, ok := c.seqs[seq]
	if !ok {
		s = &seqSlots{k: make([][]float32, c.layers), v: make([][]float32, c.layers)}
		c.seqs[seq] = s
	}
	n = min(n, c.size)
	if len(s.k[0]) >= n*c.kvDim {
		return
	}
	capPos := max(n, min(2*len(s.k[0])/max(c.kvDim, 1), c.size), 16)
	capPos = min(capPos, c.size)
	for l := range c.layers {
		k := make([]float32, capPos*c.kvDim)
		v := make([]float32, capPos*c.kvDim)
		copy(k, s.k[l])
		copy(v, s.v[l])
		s.k[l], s.v[l] = k, v
	}
}

// Extend marks positions up to n of seq as stored (after Reserve and the
// writes through Keys/Values).
func (c *Cache) Extend(seq, n int) {
	c.Reserve(seq, n)
	if s := c.seqs[seq]; n > s.n {
		s.n = n
	}
}

// Keys returns the key slots of seq in layer for positions [0, n), one row
// of KVDim values per position; n must be within what Reserve made room for.
func (c *Cache) Keys(layer, seq, n int) []float32 {
	return c.seqs[seq].k[layer][:n*c.kvDim]
}

// Values returns the value slots of seq in layer for positions [0, n).
func (c *Cache) Values(layer, seq, n int) []float32 {
	return c.seqs[seq].v[layer][:n*c.kvDim]
}
