package engine_test

import (
	"context"
	"fmt"
	"log"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/sample"
)

// Generate streams a greedy continuation from the built-in model.
func ExampleModel_Generate() {
	m, err := engine.Load("", engine.Options{Threads: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	fmt.Print("Once upon a time")
	res, err := m.Generate(context.Background(), engine.GenerateRequest{
		Prompt:    "Once upon a time",
		Sampling:  sample.Options{Temperature: 0}, // greedy
		MaxTokens: 30,
	}, func(ev engine.TokenEvent) error {
		fmt.Print(ev.Text)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n%d tokens, stopped by %s\n", len(res.Tokens), res.StopReason)
	// Output:
	// Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day,
	// 30 tokens, stopped by length
}
