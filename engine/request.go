package engine

import (
	"time"

	"github.com/herdllm/herd/sample"
)

// GenerateRequest describes one generation.
type GenerateRequest struct {
	// Prompt is the text to continue. It is tokenized with the vocabulary's
	// BOS and with special tokens parsed. Ignored when Tokens is set.
	Prompt string
	// Tokens is the prompt as token ids, used as given.
	Tokens []int
	// Sampling chooses the sampler; the zero value is greedy.
	Sampling sample.Options
	// MaxTokens caps the generated tokens; 0 or less runs until the model
	// ends, a stop string appears or the context is full.
	MaxTokens int
	// Stop ends generation when the generated text contains one of these;
	// the stop string itself is not part of the result.
	Stop []string
	// IgnoreEOG keeps generating past the model's end-of-generation tokens.
	IgnoreEOG bool
	// Truncate drops tokens from the front of a prompt too long for the
	// context (keeping a leading BOS) instead of failing.
	Truncate bool
	// LogProbs, when positive, reports in each TokenEvent the chosen token's
	// log-probability and the LogProbs most likely alternatives.
	LogProbs int
}

// StopReason says why generation ended.
type StopReason string

// The reasons generation ends.
const (
	StopEOG       StopReason = "eog"       // the model produced an end-of-generation token
	StopLength    StopReason = "length"    // MaxTokens were generated
	StopString    StopReason = "stop"      // a stop string appeared
	StopContext   StopReason = "context"   // the context is full
	StopCancelled StopReason = "cancelled" // the context.Context was cancelled
)

// TokenEvent reports one generated token as soon as it is chosen.
type TokenEvent struct {
	// ID is the token id; -1 for the last event of a generation when it only
	// releases text held back (text that might have begun a stop string, or
	// an incomplete UTF-8 sequence).
	ID int
	// Text is the text this token completes: it may be empty (part of a
	// multi-byte character, or text held back while it could begin a stop
	// string) or hold text of earlier tokens.
	Text string
	// LogProb is the log-probability of the token under the raw logits,
	// when the request asked for LogProbs.
	LogProb float32
	// TopLogProbs are the most likely tokens at this step, best first.
	TopLogProbs []sample.TokenLogProb
}

// Result is a finished generation.
type Result struct {
	Tokens       []int      // the generated tokens (no end-of-generation token)
	Text         string     // their text, cut before any stop string
	StopReason   StopReason // why generation ended
	PromptTokens int        // prompt length in tokens (after truncation)
	CachedTokens int        // prompt tokens reused from the session's cache
	Truncated    int        // prompt tokens dropped to fit the context

	PromptDuration   time.Duration // prompt processing
	GenerateDuration time.Duration // generating Tokens
}

// PromptTokensPerSecond is the prompt processing speed (cached tokens
// excluded).
func (r Result) PromptTokensPerSecond() float64 {
	return rate(r.PromptTokens-r.CachedTokens, r.PromptDuration)
}

// TokensPerSecond is the generation speed.
func (r Result) TokensPerSecond() float64 { return rate(len(r.Tokens), r.GenerateDuration) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
