// Package chat turns conversations into prompts and model output back into
// tool calls.
//
// A Template renders messages with the model's own Jinja chat template
// (tokenizer.chat_template) or, when a model has none, with a built-in
// Llama 2, Llama 3 or ChatML format chosen from its vocabulary. Rendering
// can return Segments that tell template text (where special tokens such
// as <|eot_id|> are meant) from message content (where they are plain
// text), so a user cannot end a turn by typing a special token; Encode
// tokenizes them that way.
//
// ParseToolCalls reads the tool calls of Llama 3.1/3.2/3.3 models: JSON
// objects (optionally after <|python_tag|>, several separated by ";") and
// the pythonic list form [f(a=1), g(b="x")].
package chat
