// Package llama implements the Llama transformer (Touvron et al., 2023, and
// its Llama 2 / 3 / 3.1 refinements) and registers it with package model as
// the "llama" architecture.
//
// For each token, the forward pass reads like the paper:
//
//	x = token_embd[id]                               (a dequantized row)
//	for each block:
//	    h = RMSNorm(x) · attn_norm
//	    q, k, v = h·Wq, h·Wk, h·Wv                   (one matrix product per batch)
//	    q, k = RoPE(q, pos), RoPE(k, pos)            (adjacent pairs, as llama.cpp)
//	    cache[seq][pos] = k, v
//	    a = softmax(q·Kᵀ/√d)·V per head              (query heads share KV heads: GQA)
//	    x = x + a·Wo
//	    h = RMSNorm(x) · ffn_norm
//	    x = x + (SiLU(h·Wgate) ⊙ h·Wup)·Wdown        (SwiGLU)
//	logits = (RMSNorm(x) · output_norm)·Wout         (Wout = token_embd when tied)
//
// Hyperparameters come from the llama.* metadata keys. RoPE rotates pair i
// of position p by p·base^(−2i/d), divided by rope_freqs[i] when the model
// has Llama 3.1's frequency table (or llama3 rope.scaling keys) and scaled by
// a linear rope scaling factor. Weights stay in their file types: every
// product goes through tensor.MatMul on the stored blocks, which converts the
// activations as ggml does.
package llama
