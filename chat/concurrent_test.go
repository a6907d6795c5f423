package chat

import (
	"fmt"
	"testing"
)

func TestConcurrentRender(t *testing.T) {
	tpl := loadTemplate(t, "mistralai-Mistral-Nemo-Instruct-2407.jinja")
	want, err := tpl.Render([]Message{{Role: "user", Content: "hi"}}, RenderOptions{Tools: []Tool{weatherTool}})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 20 {
				got, err := tpl.Render([]Message{{Role: "user", Content: "hi"}}, RenderOptions{Tools: []Tool{weatherTool}})
				if err != nil || got != want {
					errs <- fmt.Errorf("got %q, %v", got, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
