package chat

import (
	"fmt"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Template is a compiled chat template. It is safe for concurrent use.
type Template struct {
	name   string
	source string
	tpl    *exec.Template
}

// RenderOptions are the variables a chat template sees besides messages.
type RenderOptions struct {
	Tools               []Tool    // tool definitions ("tools"); none when empty
	AddGenerationPrompt bool      // open an assistant turn at the end
	BOS, EOS            string    // bos_token and eos_token texts
	Now                 time.Time // clock for strftime_now; zero means time.Now()
	// Vars sets further template variables, such as "tools_in_user_message"
	// (bool), "date_string" (string), "builtin_tools" ([]string) or
	// "custom_tools" ([]Tool).
	Vars map[string]any
}

// New compiles a Jinja chat template; name is used in error messages.
func New(name, source string) (t *Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chat: template %s: parse: %v", name, r)
		}
	}()
	tpl, err := parseJinja(source)
	if err != nil {
		return nil, fmt.Errorf("chat: template %s: %w", name, err)
	}
	return &Template{name: name, source: source, tpl: tpl}, nil
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// Source returns the template's Jinja source.
func (t *Template) Source() string { return t.source }

// Render renders messages into a prompt.
func (t *Template) Render(messages []Message, opts RenderOptions) (string, error) {
	return t.render(messages, opts, func(i int) string { return messages[i].Content })
}

// ErrTemplateException is wrapped by render errors the template itself
// raised with raise_exception (for example unsupported message orders).
var ErrTemplateException = errRaised

func (t *Template) render(messages []Message, opts RenderOptions, contentOf func(int) string) (out string, err error) {
	vb := &valueBuilder{}
	defer vb.release()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chat: template %s: render: %v", t.name, r)
		}
	}()
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	vars := map[string]any{
		"messages":              vb.messages(messages, contentOf),
		"add_generation_prompt": opts.AddGenerationPrompt,
		"bos_token":             opts.BOS,
		"eos_token":             opts.EOS,
		"raise_exception":       raiseException,
		"strftime_now":          strftimeNow(now),
	}
	if len(opts.Tools) > 0 {
		tools, err := vb.tools(opts.Tools)
		if err != nil {
			return "", err
		}
		vars["tools"] = tools
	}
	for k, v := range opts.Vars {
		if tools, ok := v.([]Tool); ok {
			conv, err := vb.tools(tools)
			if err != nil {
				return "", err
			}
			v = conv
		}
		vars[k] = v
	}
	out, err = t.tpl.ExecuteToString(exec.NewContext(vars))
	if err != nil {
		// gonja flattens wrapped errors into text: recover the template's
		// own message.
		if _, msg, ok := strings.Cut(err.Error(), errRaised.Error()+": "); ok {
			return "", fmt.Errorf("chat: template %s: %w: %s", t.name, errRaised, msg)
		}
		return "", fmt.Errorf("chat: template %s: render: %w", t.name, err)
	}
	return out, nil
}
