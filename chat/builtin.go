package chat

import (
	"fmt"
	"sync"
)

// Built-in templates for models that carry no chat template.
var builtinSources = map[string]string{
	// Llama 2 chat: [INST] turns, the system prompt in <<SYS>> inside the
	// first user turn, BOS before and EOS after every exchange.
	"llama2": `{%- if messages and messages[0]['role'] == 'system' -%}
{%- set system_message = messages[0]['content'] | trim -%}
{%- set loop_messages = messages[1:] -%}
{%- else -%}
{%- set system_message = '' -%}
{%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
{%- endif -%}
{%- if message['role'] == 'user' -%}
{%- if loop.first and system_message -%}
{{- bos_token + '[INST] <<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] | trim + ' [/INST]' -}}
{%- else -%}
{{- bos_token + '[INST] ' + message['content'] | trim + ' [/INST]' -}}
{%- endif -%}
{%- elif message['role'] == 'assistant' -%}
{{- ' ' + message['content'] | trim + ' ' + eos_token -}}
{%- endif -%}
{%- endfor -%}`,

	// Llama 3.x header format; tools and tool turns as Llama 3.1 lays
	// them out (JSON tool definitions in the first user turn, results in
	// ipython turns).
	"llama3": `{{- bos_token -}}
{%- if not tools is defined -%}{%- set tools = none -%}{%- endif -%}
{%- if messages and messages[0]['role'] == 'system' -%}
{%- set system_message = messages[0]['content'] | trim -%}
{%- set messages = messages[1:] -%}
{%- else -%}
{%- set system_message = '' -%}
{%- endif -%}
{%- if system_message or tools is not none -%}
{{- '<|start_header_id|>system<|end_header_id|>\n\n' -}}
{%- if tools is not none -%}{{- 'Environment: ipython\n\n' -}}{%- endif -%}
{{- system_message + '<|eot_id|>' -}}
{%- endif -%}
{%- if tools is not none and messages -%}
{{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
{{- 'Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n' -}}
{{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n' -}}
{%- for t in tools -%}{{- t | tojson(indent=4) + '\n\n' -}}{%- endfor -%}
{{- messages[0]['content'] | trim + '<|eot_id|>' -}}
{%- set messages = messages[1:] -%}
{%- endif -%}
{%- for message in messages -%}
{%- if message['role'] == 'tool' or message['role'] == 'ipython' -%}
{{- '<|start_header_id|>ipython<|end_header_id|>\n\n' -}}
{%- if message['content'] is string -%}{{- message['content'] -}}{%- else -%}{{- message['content'] | tojson -}}{%- endif -%}
{{- '<|eot_id|>' -}}
{%- elif 'tool_calls' in message -%}
{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
{%- for call in message['tool_calls'] -%}
{%- if not loop.first -%}{{- '; ' -}}{%- endif -%}
{{- '{"name": "' + call['function']['name'] + '", "parameters": ' + call['function']['arguments'] | tojson + '}' -}}
{%- endfor -%}
{{- '<|eot_id|>' -}}
{%- else -%}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}{%- endif -%}`,

	// ChatML: <|im_start|>role\ncontent<|im_end|>\n.
	"chatml": `{%- for message in messages -%}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}`,
}

var (
	builtinOnce      sync.Once
	builtinTemplates map[string]*Template
)

// Builtin returns a built-in template: "llama2", "llama3" or "chatml".
func Builtin(name string) (*Template, error) {
	builtinOnce.Do(func() {
		builtinTemplates = map[string]*Template{}
		for n, src := range builtinSources {
			t, err := New(n, src)
			if err != nil {
				panic(err) // the sources above are fixed and tested
			}
			builtinTemplates[n] = t
		}
	})
	t, ok := builtinTemplates[name]
	if !ok {
		return nil, fmt.Errorf("chat: no built-in template %q", name)
	}
	return t, nil
}

// FallbackName picks the built-in format a vocabulary was made for:
// "llama3" when it has <|start_header_id|>, "chatml" with <|im_start|>,
// otherwise "llama2". hasPiece reports whether a token text exists.
func FallbackName(hasPiece func(string) bool) string {
	switch {
	case hasPiece("<|start_header_id|>") && hasPiece("<|end_header_id|>"):
		return "llama3"
	case hasPiece("<|im_start|>") && hasPiece("<|im_end|>"):
		return "chatml"
	}
	return "llama2"
}

// ForModel returns the model's own template when chatTemplate (the
// tokenizer.chat_template metadata) is not empty, and otherwise the
// built-in one that FallbackName picks for its vocabulary.
func ForModel(chatTemplate string, hasPiece func(string) bool) (*Template, error) {
	if chatTemplate != "" {
		return New("tokenizer.chat_template", chatTemplate)
	}
	return Builtin(FallbackName(hasPiece))
}
