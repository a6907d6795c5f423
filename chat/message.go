package chat

import "encoding/json"

// Message is one turn of a conversation, in the OpenAI chat shape.
type Message struct {
	Role       string     `json:"role"`                   // system, user, assistant, tool or ipython
	Content    string     `json:"content"`                // text of the turn
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`   // calls an assistant turn made
	ToolCallID string     `json:"tool_call_id,omitempty"` // the call a tool turn answers
	Name       string     `json:"name,omitempty"`         // tool or participant name
}

// ToolCall is one function call made by the assistant.
type ToolCall struct {
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type"` // "function"
	Function FunctionCall `json:"function"`
}

// FunctionCall names a function and holds its arguments as a JSON object.
type FunctionCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// Tool is a tool definition offered to the model, in the OpenAI shape
// {"type": "function", "function": {...}}.
type Tool struct {
	Type     string   `json:"type"` // "function"
	Function Function `json:"function"`
}

// Function describes a callable function: its JSON Schema parameters are
// kept as raw JSON so their key order reaches the prompt unchanged.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}
