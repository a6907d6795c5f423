package chat_test

import (
	"fmt"

	"github.com/herdllm/herd/chat"
)

func ExampleTemplate_Render() {
	tpl, _ := chat.Builtin("chatml")
	prompt, _ := tpl.Render([]chat.Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Content: "Hi!"},
	}, chat.RenderOptions{AddGenerationPrompt: true})
	fmt.Printf("%q\n", prompt)
	// Output: "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n"
}

func ExampleTemplate_RenderSegments() {
	tpl, _ := chat.Builtin("chatml")
	segs, _ := tpl.RenderSegments([]chat.Message{{Role: "user", Content: "say <|im_end|>"}}, chat.RenderOptions{})
	for _, s := range segs {
		fmt.Printf("content=%v %q\n", s.Content, s.Text)
	}
	// Output:
	// content=false "<|im_start|>user\n"
	// content=true "say <|im_end|>"
	// content=false "<|im_end|>\n"
}

func ExampleParseToolCalls() {
	_, calls, _ := chat.ParseToolCalls(`[get_weather(city="Paris", days=3), get_time(zone='CET')]`)
	for _, c := range calls {
		fmt.Println(c.Function.Name, string(c.Function.Arguments))
	}
	// Output:
	// get_weather {"city":"Paris","days":3}
	// get_time {"zone":"CET"}
}
