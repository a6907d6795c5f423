// Package tokenizer turns text into token ids and back for Llama-family
// models, matching llama.cpp's tokenizers bit for bit.
//
// Two algorithms are implemented:
//
//   - SentencePiece-style BPE ("llama" in GGUF: Llama 1/2, TinyLlama,
//     Mistral, Phi-3): symbols are UTF-8 characters merged pairwise by the
//     highest vocabulary score, spaces become "▁", characters missing from
//     the vocabulary fall back to byte tokens <0x00>…<0xFF>.
//   - Byte-level BPE ("gpt2" in GGUF: Llama 3, GPT-2, Qwen2 …): the text is
//     first split into words by a pre-tokenizer chosen by
//     tokenizer.ggml.pre, then each word's bytes are merged by merge rank.
//
// Vocabularies load from GGUF metadata, a SentencePiece tokenizer.model, a
// llama2.c tokenizer.bin or a Hugging Face tokenizer.json (see Load).
// A Tokenizer is safe for concurrent use.
package tokenizer
