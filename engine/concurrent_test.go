package engine

import (
	"context"
	"slices"
	"sync"
	"testing"
)

// TestConcurrentGenerate runs generations on one model from several
// goroutines: each gets what it gets alone.
func TestConcurrentGenerate(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 2})
	prompts := []string{"Once upon a time", "The cat", "Lily and Ben", "One day"}
	alone := make([][]int, len(prompts))
	for i, p := range prompts {
		res, err := m.Generate(context.Background(), GenerateRequest{Prompt: p, MaxTokens: 20}, nil)
		if err != nil {
			t.Fatal(err)
		}
		alone[i] = res.Tokens
	}
	var wg sync.WaitGroup
	together := make([][]int, len(prompts))
	for i, p := range prompts {
		wg.Go(func() {
			res, err := m.Generate(context.Background(), GenerateRequest{Prompt: p, MaxTokens: 20}, nil)
			if err != nil {
				t.Error(err)
			}
			together[i] = res.Tokens
		})
	}
	wg.Wait()
	for i := range prompts {
		if !slices.Equal(alone[i], together[i]) {
			t.Errorf("%q: alone %v, concurrently %v", prompts[i], alone[i], together[i])
		}
	}
}
