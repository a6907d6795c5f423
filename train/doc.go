// Package train trains Llama-family models in float32 on the CPU: a forward
// pass that keeps the activations the backward pass needs, hand-written
// gradients for every op of the Llama block, AdamW with warm-up and cosine
// decay, from-scratch pre-training with a SentencePiece-style BPE tokenizer
// trainer, and LoRA fine-tuning on a frozen (possibly quantized) base model.
// Results are written as GGUF files in llama.cpp's layout.
package train
