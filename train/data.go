package train

import "math/rand/v2"

// Dataset supplies training and validation batches. A batch is batch rows
// of seq tokens each, with one target per token (the next token, or -1 where
// no loss is taken).
type Dataset interface {
	// Sample draws a training batch.
	Sample(rng *rand.Rand, batch, seq int) (tokens, targets []int)
	// Eval calls fn on a fixed sequence of batches covering up to maxTokens
	// targets (all of them when maxTokens <= 0).
	Eval(batch, seq, maxTokens int, fn func(tokens, targets []int, rows int) error) error
	// Tokens is the number of tokens in the set.
	Tokens() int
}

// Stream is plain text as one token stream (documents joined, each starting
// with BOS), cut into windows of seq+1 tokens.
type Stream struct {
	IDs []int
}

// Tokens is the stream's length.
func (s *Stream) Tokens() int { return len(s.IDs) }

// Sample draws batch windows at random offsets.
func (s *Stream) Sample(rng *rand.Rand, batch, seq int) (tokens, targets []int) {
	tokens, targets = make([]int, batch*seq), make([]int, batch*seq)
	for b := 0; b < batch; b++ {
		span := min(seq, len(s.IDs)-1)
		off := 0
		if len(s.IDs)-1 > span {
			off = rng.IntN(len(s.IDs) - span)
		}
		fillRow(tokens[b*seq:(b+1)*seq], targets[b*seq:(b+1)*seq], s.IDs[off:off+span+1], nil)
	}
	return tokens, targets
}

// Eval walks consecutive, non-overlapping windows from the start.
func (s *Stream) Eval(batch, seq, maxTokens int, fn func(tokens, targets []int, rows int) error) error {
	var rows [][]int
	done := 0
	for off := 0; off+1 < len(s.IDs) && (maxTokens <= 0 || done < maxTokens); off += seq {
		end := min(off+seq+1, len(s.IDs))
		rows = append(rows, s.IDs[off:end])
		done += end - off - 1
	}
	return evalRows(rows, nil, batch, seq, fn)
}

// fillRow writes one row: ids[:len-1] as tokens, ids[1:] as targets (or -1
// where predict is false), padding the rest with token 0 and target -1.
func fillRow(tokens, targets, ids []int, predict []bool) {
	for i := range tokens {
		if i+1 < len(ids) {
			tokens[i] = ids[i]
			targets[i] = ids[i+1]
			if predict != nil && !predict[i+1] {
				targets[i] = -1
			}
		} else {
			if i < len(ids) {
				tokens[i] = ids[i]
			} else {
				tokens[i] = 0
			}
			targets[i] = -1
		}
	}
}

func evalRows(rows [][]int, predict [][]bool, batch, seq int, fn func(tokens, targets []int, rows int) error) error {
	for i := 0; i < len(rows); i += batch {
		n := min(batch, len(rows)-i)
		tokens, targets := make([]int, n*seq), make([]int, n*seq)
		for b := 0; b < n; b++ {
			var p []bool
			if predict != nil {
				p = predict[i+b]
			}
			fillRow(tokens[b*seq:(b+1)*seq], targets[b*seq:(b+1)*seq], rows[i+b], p)
		}
		if err := fn(tokens, targets, n); err != nil {
			return err
		}
	}
	return nil
}

// Example is one training sequence of a supervised set: its tokens and,
// per token, whether the model is trained to predict it (prompt tokens are
// not, completion tokens are).
type Example struct {
	IDs     []int
	Predict []bool
}

// Examples is a supervised data set (prompt/completion pairs, or chat
// transcripts rendered by a template), one example per row, cut to seq+1
// tokens and padded.
type Examples struct {
	Items []Example
}

// Tokens counts the tokens of every example.
func (e *Examples) Tokens() int {
	n := 0
	for _, it := range e.Items {
		n += len(it.IDs)
	}
	return n
}

// Sample draws batch examples at random.
func (e *Examples) Sample(rng *rand.Rand, batch, seq int) (tokens, targets []int) {
	tokens, targets = make([]int, batch*seq), make([]int, batch*seq)
	for b := 0; b < batch; b++ {
		it := e.Items[rng.IntN(len(e.Items))]
		fillRow(tokens[b*seq:(b+1)*seq], targets[b*seq:(b+1)*seq], it.IDs, it.Predict)
	}
	return tokens, targets
}

// Eval walks the examples in order.
func (e *Examples) Eval(batch, seq, maxTokens int, fn func(tokens, targets []int, rows int) error) error {
	var rows [][]int
	var predict [][]bool
	done := 0
	for _, it := range e.Items {
		if maxTokens > 0 && done >= maxTokens {
			break
		}
		rows = append(rows, it.IDs)
		predict = append(predict, it.Predict)
		done += len(it.IDs)
	}
	return evalRows(rows, predict, batch, seq, fn)
}
