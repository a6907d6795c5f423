// Package builtin embeds herd's default model, so that herd runs on a fresh
// checkout with no download: stories260K, a 260K-parameter Llama trained on
// TinyStories, as a llama2.c checkpoint with its 512-token SentencePiece
// vocabulary (llama2.c tokenizer export). See LICENSE-llama2.c.txt beside this
// file for their licence.
package builtin

import _ "embed"

// Name is the built-in model's name.
const Name = "stories260K"

// Checkpoint is the model as a llama2.c checkpoint (stories260K.bin).
//
//go:embed stories260K.bin
var Checkpoint []byte

// Tokenizer is the model's vocabulary as a llama2.c tokenizer export
// (tok512.bin).
//
//go:embed tok512.bin
var Tokenizer []byte
