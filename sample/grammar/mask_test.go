package grammar

import (
	"fmt"
	"math"
	"testing"
)

func TestMaskSmallVocab(t *testing.T) {
	tokens := [][]byte{
		nil,                      // 0: control token
		[]byte("</s>"),           // 1: end of generation (its text is never matched)
		[]byte("{"), []byte("}"), // 2, 3
		[]byte(`{"`), []byte(`"a"`), // 4, 5
		[]byte(":"), []byte(" 1"), // 6, 7
		[]byte("1"), []byte("12}"), // 8, 9
		[]byte{0xC3}, []byte{0xA9}, // 10, 11: é split in two tokens
		[]byte("é"), []byte("x"), // 12, 13
		[]byte{0xA9, '"'}, []byte(`"`), // 14, 15
		[]byte("a"), []byte("a"), // 16, 17: duplicate bytes
	}
	v, err := NewVocab(tokens, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	g := MustCompile(`root ::= "{" ( "\"" [a-zé]+ "\"" ":" " "? [0-9]+ )? "}"`, "")
	allowedIDs := func(s *State) []int {
		allowed := make([]bool, v.Size())
		if err := s.Allowed(v, allowed); err != nil {
			t.Fatal(err)
		}
		logits := make([]float32, v.Size()+3)
		if err := s.MaskLogits(v, logits); err != nil {
			t.Fatal(err)
		}
		var ids []int
		for i, ok := range allowed {
			if ok != !math.IsInf(float64(logits[i]), -1) {
				t.Fatalf("token %d: Allowed %v but logit %v", i, ok, logits[i])
			}
			if ok {
				ids = append(ids, i)
			}
		}
		for _, l := range logits[v.Size():] {
			if !math.IsInf(float64(l), -1) {
				t.Fatal("logit beyond the vocabulary not masked")
			}
		}
		if n, _ := s.AllowedCount(v); n != len(ids) {
			t.Fatalf("AllowedCount %d, want %d", n, len(ids))
		}
		return ids
	}
	s := g.NewState()
	check := func(want ...int) {
		t.Helper()
		got := allowedIDs(s)
		if len(got) != len(want) {
			t.Fatalf("allowed %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("allowed %v, want %v", got, want)
			}
		}
	}
	check(2, 4)
	if err := s.AcceptToken(v, 1); err == nil {
		t.Fatal("end of generation accepted at the start")
	}
	for _, id := range []int{4, 10} {
		if err := s.AcceptToken(v, id); err != nil {
			t.Fatal(err)
		}
	}
	check(11, 14) // only the continuation of é
	for _, id := range []int{14, 6, 8} {
		if err := s.AcceptToken(v, id); err != nil {
			t.Fatal(err)
		}
	}
	check(3, 8, 9)
	if err := s.AcceptToken(v, 3); err != nil {
		t.Fatal(err)
	}
	check(1)
	if err := s.AcceptToken(v, 1); err != nil || !s.Done() {
		t.Fatalf("end of generation: %v, Done %v", err, s.Done())
	}
	if err := s.MaskLogits(v, make([]float32, v.Size())); err == nil {
		t.Fatal("masked after the end")
	}
	if _, err := NewVocab(tokens, []int{99}); err == nil {
		t.Fatal("accepted an out-of-range end-of-generation id")
	}
}

// TestConcurrentStates drives several generations over one grammar and
// vocabulary at once.
func TestConcurrentStates(t *testing.T) {
	var tokens [][]byte
	for _, s := range []string{"{", "}", `"`, "a", "b", ":", ",", " ", "1", "[", "]", `{"`, `":`, "null"} {
		tokens = append(tokens, []byte(s))
	}
	tokens = append(tokens, nil) // end of generation
	v, err := NewVocab(tokens, []int{len(tokens) - 1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := FromSchema([]byte(`{"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"},"maxItems":3}},"required":["a"]}`))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			allowed := make([]bool, v.Size())
			st := g.NewState()
			for step := 0; !st.Done() && step < 200; step++ {
				if err := st.Allowed(v, allowed); err != nil {
					errs <- err
					return
				}
				pick := -1
				for i := range allowed {
					// Rotate the preference so the workers differ.
					j := (i + w + step) % len(allowed)
					if allowed[j] {
						pick = j
						break
					}
				}
				if pick < 0 {
					errs <- fmt.Errorf("worker %d: nothing allowed", w)
					return
				}
				if err := st.AcceptToken(v, pick); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
