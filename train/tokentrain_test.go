package train

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/herdllm/herd/internal/testdata"
)

const tinyCorpus = `Once upon a time there was a little robot. The robot liked the sun.
The little robot said: "Hello, sun!" Then the robot went home, happy — très heureux.
Once upon a time there was a cat. The cat liked the robot.
`

func TestTrainTokenizerSmall(t *testing.T) {
	v, err := TrainTokenizer(strings.Repeat(tinyCorpus, 3), TokenizerOptions{VocabSize: 360})
	if err != nil {
		t.Fatal(err)
	}
	if v.Size() != 360 {
		t.Fatalf("vocabulary of %d tokens, want 360", v.Size())
	}
	if v.Tokens[0] != "<unk>" || v.Tokens[1] != "<s>" || v.Tokens[2] != "</s>" || v.Tokens[3] != "<0x00>" || v.Tokens[258] != "<0xFF>" {
		t.Fatalf("special and byte pieces out of place: %q", v.Tokens[:5])
	}
	for i := 0; i < len(v.Tokens); i++ {
		for j := i + 1; j < len(v.Tokens); j++ {
			if v.Tokens[i] == v.Tokens[j] {
				t.Fatalf("token %q twice", v.Tokens[i])
			}
		}
		if i > 259 && v.Types[i] == TokenNormal && v.Scores[i] > v.Scores[i-1] {
			t.Fatalf("scores rise at %d", i)
		}
	}
	ids := v.Encode("The robot liked the sun.", true, false)
	if ids[0] != v.BOS() {
		t.Fatalf("no BOS: %v", ids)
	}
	if len(ids) > 8 {
		t.Errorf("frequent text took %d tokens: %v", len(ids), ids)
	}
	for _, s := range []string{"The robot liked the sun.", "  two  spaces\nand lines\n\n", "zebra ünïcödé 日本 ✓", ""} {
		if got := v.Decode(v.Encode(s, true, false)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
	has := map[string]bool{}
	for _, tok := range v.Tokens {
		has[tok] = true
	}
	if !has["▁robot"] || !has["▁the"] {
		t.Errorf("frequent words ▁robot/▁the not merged into pieces")
	}
	again, _ := TrainTokenizer(strings.Repeat(tinyCorpus, 3), TokenizerOptions{VocabSize: 360})
	if strings.Join(again.Tokens, "|") != strings.Join(v.Tokens, "|") {
		t.Error("training twice gave different vocabularies")
	}
}

func TestTrainTokenizerKJV(t *testing.T) {
	data, err := os.ReadFile(testdata.Path(t, "corpora", "kjv.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data[:1<<20])
	v, err := TrainTokenizer(text, TokenizerOptions{VocabSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if v.Size() != 4096 {
		t.Fatalf("vocabulary of %d tokens, want 4096", v.Size())
	}
	sample := text[len(text)/2 : len(text)/2+2000]
	ids := v.Encode(sample, false, false)
	if got := v.Decode(ids); got != sample {
		t.Fatalf("round trip differs")
	}
	if r := float64(len(sample)) / float64(len(ids)); r < 3 {
		t.Errorf("%.2f bytes per token, want at least 3 for a 4096 vocabulary on its own corpus", r)
	} else {
		t.Logf("%.2f bytes per token", r)
	}
}

func FuzzVocabRoundTrip(f *testing.F) {
	v, err := TrainTokenizer(strings.Repeat(tinyCorpus, 3), TokenizerOptions{VocabSize: 360})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", " ", "robot", "\n\n x", "\xff\xfe", "日本 ✓ robots"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.HasPrefix(s, " ") {
			return // Decode drops one leading space and cannot restore invalid UTF-8
		}
		if got := v.Decode(v.Encode(s, true, false)); got != s {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	})
}
