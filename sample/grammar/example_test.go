package grammar_test

import (
	"fmt"
	"math"

	"github.com/herdllm/herd/sample/grammar"
)

func ExampleFromSchema() {
	g, _ := grammar.FromSchema([]byte(`{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}`))
	fmt.Println(g.Matches([]byte(`{"ok": true}`)), g.Matches([]byte(`{"ok": 1}`)))
	// Output: true false
}

func ExampleState_MaskLogits() {
	tokens := [][]byte{[]byte("yes"), []byte("no"), []byte("maybe"), nil}
	vocab, _ := grammar.NewVocab(tokens, []int{3}) // token 3 ends generation
	g, _ := grammar.Compile(`root ::= "yes" | "no"`, "root")
	st := g.NewState()
	logits := []float32{1, 2, 3, 4}
	_ = st.MaskLogits(vocab, logits)
	fmt.Println(logits[0], logits[1], math.IsInf(float64(logits[2]), -1), math.IsInf(float64(logits[3]), -1))
	_ = st.AcceptToken(vocab, 1)
	fmt.Println(st.CanEnd(), st.Done())
	// Output:
	// 1 2 true true
	// true true
}
