// Package grammar constrains token sampling so that generated text matches a
// grammar: any JSON value, a JSON Schema, or a GBNF grammar as llama.cpp
// writes them.
//
// A grammar is compiled once (Compile, JSON, FromSchema) into a flat table of
// rules and recognized by a pushdown automaton over bytes, in the style of
// llama.cpp's llama_grammar: a state is a set of stacks of grammar positions
// plus any partial UTF-8 sequence. States and their byte transitions are
// interned and cached, so a state seen once costs a table lookup afterwards.
//
// Token masking walks a byte trie of the vocabulary (NewVocab, built once per
// vocabulary) together with the grammar state, so tokens that share a prefix
// share the work; masks are cached per state.
//
//	g, err := grammar.FromSchema(schemaJSON)
//	st := g.NewState()
//	st.MaskLogits(vocab, logits)     // disallowed tokens get -Inf
//	id := sample(logits)
//	err = st.AcceptToken(vocab, id)  // advance; EOG ends the match
package grammar
