package engine

import "fmt"

// promptTokens returns req's prompt as token ids (Tokens as given, else
// Prompt encoded with BOS and special tokens parsed), checked by
// checkTokens.
func (m *Model) promptTokens(req GenerateRequest) ([]int, error) {
	prompt := req.Tokens
	if prompt == nil {
		prompt = m.tok.Encode(req.Prompt, true, true)
	}
	if err := m.checkTokens(prompt); err != nil {
		return nil, fmt.Errorf("engine: prompt %w", err)
	}
	return prompt, nil
}

// checkTokens reports an empty input or an id outside the vocabulary.
func (m *Model) checkTokens(ids []int) error {
	if len(ids) == 0 {
		return fmt.Errorf("is empty")
	}
	vocab := m.net.Config().VocabSize
	for i, id := range ids {
		if id < 0 || id >= vocab {
			return fmt.Errorf("token %d: id %d outside the vocabulary of %d", i, id, vocab)
		}
	}
	return nil
}
