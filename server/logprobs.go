package server

import (
	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/tokenizer"
)

// oaTokenLogprob is one token's log-probability in OpenAI's chat shape.
type oaTokenLogprob struct {
	Token       string           `json:"token"`
	Logprob     float32          `json:"logprob"`
	Bytes       []int            `json:"bytes"`
	TopLogprobs []oaTokenLogprob `json:"top_logprobs"`
}

func tokenText(tok *tokenizer.Tokenizer, id int) (string, []int) {
	b := tok.TokenBytes(id)
	ints := make([]int, len(b))
	for i, c := range b {
		ints[i] = int(c)
	}
	return string(b), ints
}

// chatLogprobs converts the log-probabilities of generated tokens; top is
// the alternatives asked for (-1: none).
func chatLogprobs(tok *tokenizer.Tokenizer, evs []engine.TokenEvent, top int) []oaTokenLogprob {
	out := make([]oaTokenLogprob, 0, len(evs))
	for _, ev := range evs {
		text, bytes := tokenText(tok, ev.ID)
		lp := oaTokenLogprob{Token: text, Logprob: ev.LogProb, Bytes: bytes, TopLogprobs: []oaTokenLogprob{}}
		if top > 0 {
			for _, alt := range ev.TopLogProbs[:min(top, len(ev.TopLogProbs))] {
				t, b := tokenText(tok, alt.ID)
				lp.TopLogprobs = append(lp.TopLogprobs, oaTokenLogprob{Token: t, Logprob: alt.LogProb, Bytes: b})
			}
		}
		out = append(out, lp)
	}
	return out
}

// completionLogprobs converts them to the legacy completions shape.
func completionLogprobs(tok *tokenizer.Tokenizer, evs []engine.TokenEvent, top int) map[string]any {
	tokens := []string{}
	lps := []float32{}
	tops := []map[string]float32{}
	offsets := []int{}
	off := 0
	for _, ev := range evs {
		text, _ := tokenText(tok, ev.ID)
		tokens = append(tokens, text)
		lps = append(lps, ev.LogProb)
		offsets = append(offsets, off)
		off += len(text)
		alts := map[string]float32{}
		if top > 0 {
			for _, alt := range ev.TopLogProbs[:min(top, len(ev.TopLogProbs))] {
				t, _ := tokenText(tok, alt.ID)
				alts[t] = alt.LogProb
			}
		}
		tops = append(tops, alts)
	}
	return map[string]any{"tokens": tokens, "token_logprobs": lps, "top_logprobs": tops, "text_offset": offsets}
}
