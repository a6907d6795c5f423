// Package herdfile reads Herdfiles: persona definitions for herd chat in the
// style of Ollama's Modelfile.
//
//	# a comment
//	FROM ./models/llama-3.2-1b-instruct-q8_0.gguf
//	SYSTEM """You are Mario from Super Mario Bros.
//	Answer as Mario, the assistant, only."""
//	PARAMETER temperature 0.7
//	PARAMETER stop "<|eot_id|>"
//	MESSAGE user Who are you?
//	MESSAGE assistant It's-a me, Mario!
//	TEMPLATE """{% for m in messages %}...{% endfor %}"""
//	ADAPTER ./mario-lora.gguf
//
// Instructions are case-insensitive and take the rest of their line as
// their argument; an argument may instead be a Go-style "quoted string" or
// a """triple-quoted""" block that spans lines. Lines starting with # are
// comments; LICENSE is accepted and ignored, for Modelfile compatibility.
// Errors name the line they are about.
//
// Settings holds the sampler and generation settings that PARAMETER lines
// (and herd chat's /set) change.
package herdfile
