package engine

// ChatTemplateSource returns the model file's own Jinja chat template
// (tokenizer.chat_template), or "" when the file has none.
func (m *Model) ChatTemplateSource() string {
	src, _ := m.file.Meta.String("tokenizer.chat_template")
	return src
}
