package tokenizer

import "testing"

// benchmarkEncode measures encode throughput on the whole King James Bible
// (4.3 MB). The word cache is warm after the first iteration, as it is in a
// long-running process.
func benchmarkEncode(b *testing.B, elem ...string) {
	tok := load(b, elem...)
	text := kjvSample(b, 1<<30)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		tok.Encode(text, true, false)
	}
}

// BenchmarkEncodeSPM: Llama 2 SentencePiece vocabulary.
func BenchmarkEncodeSPM(b *testing.B) { benchmarkEncode(b, "vocab", "ggml-vocab-llama-spm.gguf") }

// BenchmarkEncodeBPE: Llama 3 byte-level BPE vocabulary.
func BenchmarkEncodeBPE(b *testing.B) { benchmarkEncode(b, "vocab", "ggml-vocab-llama-bpe.gguf") }

// BenchmarkEncodeGPT2: GPT-2 byte-level BPE vocabulary.
func BenchmarkEncodeGPT2(b *testing.B) { benchmarkEncode(b, "vocab", "ggml-vocab-gpt-2.gguf") }

// BenchmarkDecodeBPE measures decoding the Bible back to text.
func BenchmarkDecodeBPE(b *testing.B) {
	tok := load(b, "vocab", "ggml-vocab-llama-bpe.gguf")
	text := kjvSample(b, 1<<30)
	ids := tok.Encode(text, false, false)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		tok.Decode(ids)
	}
}

// benchmarkEncodeCold is benchmarkEncode with an empty word cache on every
// iteration: the speed of a first encode.
func benchmarkEncodeCold(b *testing.B, elem ...string) {
	tok := load(b, elem...)
	text := kjvSample(b, 1<<30)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		tok.sessions.Put(newSession(tok))
		tok.Encode(text, true, false)
	}
}

// BenchmarkEncodeSPMCold: Llama 2 vocabulary, empty cache.
func BenchmarkEncodeSPMCold(b *testing.B) {
	benchmarkEncodeCold(b, "vocab", "ggml-vocab-llama-spm.gguf")
}

// BenchmarkEncodeBPECold: Llama 3 vocabulary, empty cache.
func BenchmarkEncodeBPECold(b *testing.B) {
	benchmarkEncodeCold(b, "vocab", "ggml-vocab-llama-bpe.gguf")
}
