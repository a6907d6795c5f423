package train

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// TokenizerOptions configure TrainTokenizer.
type TokenizerOptions struct {
	VocabSize    int     // total tokens, specials and byte pieces included (e.g. 512 or 4096)
	CharCoverage float64 // share of the corpus's characters that get their own piece (default 0.9995)
	MaxPieceLen  int     // longest piece in characters (default 16)
}

// TrainTokenizer learns a SentencePiece-style BPE vocabulary with byte
// fallback from corpus: the text is cut into words (a leading ▁ marks a
// space), every character covering the corpus becomes a piece, and the most
// frequent adjacent pair of pieces is merged until the vocabulary is full.
// Pieces are scored by merge order, so that llama.cpp's SentencePiece
// tokenizer reproduces the segmentation. The result is deterministic.
func TrainTokenizer(corpus string, opts TokenizerOptions) (*Vocab, error) {
	if opts.VocabSize < 259+2 {
		return nil, fmt.Errorf("train: tokenizer vocabulary %d is too small (259 specials and byte pieces, plus pieces)", opts.VocabSize)
	}
	if opts.CharCoverage <= 0 || opts.CharCoverage > 1 {
		opts.CharCoverage = 0.9995
	}
	if opts.MaxPieceLen <= 0 {
		opts.MaxPieceLen = 16
	}
	if !utf8.ValidString(corpus) {
		corpus = strings.ToValidUTF8(corpus, "")
	}
	if strings.TrimSpace(corpus) == "" {
		return nil, fmt.Errorf("train: tokenizer corpus is empty")
	}
	v := &Vocab{UNKID: 0, BOSID: 1, EOSID: 2, AddBOS: true}
	add := func(tok string, score float32, typ int32) {
		v.Tokens = append(v.Tokens, tok)
		v.Scores = append(v.Scores, score)
		v.Types = append(v.Types, typ)
	}
	add("<unk>", 0, TokenUnknown)
	add("<s>", 0, TokenControl)
	add("</s>", 0, TokenControl)
	for b := 0; b < 256; b++ {
		add(fmt.Sprintf("<0x%02X>", b), 0, TokenByte)
	}

	// Word counts over the normalized corpus, one line at a time.
	counts := map[string]int{}
	for _, line := range strings.SplitAfter(corpus, "\n") {
		if line == "" {
			continue
		}
		for _, w := range splitWords(spaceMark + strings.ReplaceAll(line, " ", spaceMark)) {
			counts[w]++
		}
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Strings(words)

	// Characters by frequency, kept until they cover CharCoverage of the text.
	charFreq := map[rune]int{}
	total := 0
	for _, w := range words {
		for _, r := range w {
			charFreq[r] += counts[w]
			total += counts[w]
		}
	}
	chars := make([]rune, 0, len(charFreq))
	for r := range charFreq {
		chars = append(chars, r)
	}
	sort.Slice(chars, func(i, j int) bool {
		if charFreq[chars[i]] != charFreq[chars[j]] {
			return charFreq[chars[i]] > charFreq[chars[j]]
		}
		return chars[i] < chars[j]
	})
	room := opts.VocabSize - len(v.Tokens)
	kept, covered := 0, 0
	for kept < len(chars) && kept < room && float64(covered) < opts.CharCoverage*float64(total) {
		covered += charFreq[chars[kept]]
		kept++
	}
	chars = chars[:kept]

	// Symbols: 0..len(chars)-1 are characters, merged pieces follow.
	var pieces []string
	pieceLen := []int{}
	charID := map[rune]int32{}
	for i, r := range chars {
		charID[r] = int32(i)
		pieces = append(pieces, string(r))
		pieceLen = append(pieceLen, 1)
	}
	b := newBPE(len(words))
	for wi, w := range words {
		var syms []int32
		for _, r := range w {
			id, ok := charID[r]
			if !ok {
				id = -1 // not covered: a barrier no merge crosses
			}
			syms = append(syms, id)
		}
		b.words[wi] = bpeWord{syms: syms, freq: int64(counts[w])}
		b.addPairs(int32(wi), +1)
	}
	var merged []string
	for len(merged)+len(chars) < room {
		pair, count, ok := b.best(func(p uint64) bool {
			return pieceLen[p>>32]+pieceLen[uint32(p)] <= opts.MaxPieceLen
		})
		if !ok || count < 2 {
			break
		}
		l, r := int32(pair>>32), int32(uint32(pair))
		id := int32(len(pieces))
		pieces = append(pieces, pieces[l]+pieces[r])
		pieceLen = append(pieceLen, pieceLen[l]+pieceLen[r])
		merged = append(merged, pieces[id])
		b.merge(pair, id)
	}
	for i, p := range merged {
		add(p, -float32(i), TokenNormal)
	}
	for i, r := range chars {
		add(string(r), -float32(len(merged)+i), TokenNormal)
	}
	return v, nil
}

// bpe holds the state of merge training: words as symbol sequences, pair
// counts, the words each pair occurs in, and a max-heap of counts (entries go
// stale when counts change and are skipped).
type bpe struct {
	words  []bpeWord
	counts map[uint64]int64
	where  map[uint64][]int32
	h      pairHeap
	seen   []int
	stamp  int
}

type bpeWord struct {
	syms []int32
	freq int64
}

func newBPE(n int) *bpe {
	return &bpe{words: make([]bpeWord, n), counts: map[uint64]int64{}, where: map[uint64][]int32{}, seen: make([]int, n)}
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// addPairs adds (sign +1) or removes (sign −1) word wi's pairs from the counts.
func (b *bpe) addPairs(wi int32, sign int64) {
	w := &b.words[wi]
	for i := 0; i+1 < len(w.syms); i++ {
		if w.syms[i] < 0 || w.syms[i+1] < 0 {
			continue
		}
		k := pairKey(w.syms[i], w.syms[i+1])
		b.counts[k] += sign * w.freq
		if sign > 0 {
			b.where[k] = append(b.where[k], wi)
		}
		heap.Push(&b.h, pairCount{key: k, count: b.counts[k]})
	}
}

// best pops the most frequent pair that ok accepts (ties: smallest key).
func (b *bpe) best(ok func(uint64) bool) (uint64, int64, bool) {
	var skipped []pairCount
	defer func() {
		for _, s := range skipped {
			heap.Push(&b.h, s)
		}
	}()
	for b.h.Len() > 0 {
		top := heap.Pop(&b.h).(pairCount)
		if b.counts[top.key] != top.count || top.count <= 0 {
			continue
		}
		if !ok(top.key) {
			skipped = append(skipped, top)
			continue
		}
		return top.key, top.count, true
	}
	return 0, 0, false
}

// merge replaces every occurrence of pair with the new symbol id.
func (b *bpe) merge(pair uint64, id int32) {
	l, r := int32(pair>>32), int32(uint32(pair))
	b.stamp++
	list := b.where[pair]
	delete(b.where, pair)
	for _, wi := range list {
		if b.seen[wi] == b.stamp {
			continue
		}
		b.seen[wi] = b.stamp
		w := &b.words[wi]
		has := false
		for i := 0; i+1 < len(w.syms); i++ {
			if w.syms[i] == l && w.syms[i+1] == r {
				has = true
				break
			}
		}
		if !has {
			continue
		}
		b.addPairs(wi, -1)
		out := w.syms[:0]
		for i := 0; i < len(w.syms); i++ {
			if i+1 < len(w.syms) && w.syms[i] == l && w.syms[i+1] == r {
				out = append(out, id)
				i++
			} else {
				out = append(out, w.syms[i])
			}
		}
		w.syms = out
		b.addPairs(wi, +1)
	}
}

type pairCount struct {
	key   uint64
	count int64
}

type pairHeap []pairCount

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].key < h[j].key
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairCount)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
