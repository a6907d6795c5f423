package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
)

// scanTexts returns the vocabulary test strings, lines of the Bible and
// random strings over an alphabet rich in the cases the patterns tell apart.
func scanTexts(t *testing.T) []string {
	var texts []string
	for _, inp := range vocabFiles(t) {
		for _, c := range readVocabCases(t, inp) {
			texts = append(texts, c.text)
		}
	}
	texts = append(texts, strings.SplitAfter(kjvSample(t, 100_000), "\n")...)
	alphabet := []string{"a", "Z", "é", "日", "1", "٣", "Ⅻ", " ", "  ", "\t", "\n", "\r", "\u00a0", "\u3000",
		"'", "'s", "'LL", "'re", ".", "!?", "😀", "-", "\xff"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestScannersMatchRegex checks the hand-written scanners against the
// patterns they implement, run by regexp2.
func TestScannersMatchRegex(t *testing.T) {
	texts := scanTexts(t)
	for _, pattern := range []string{patternLlama3, patternQwen2, patternGPT2} {
		scanner := scanners[pattern]
		re := regexSplitter{regexp2.MustCompile(pattern, regexp2.None)}
		var b runeBuf
		fails := 0
		for _, text := range texts {
			if strings.ContainsRune(text, 0xFFFD) || !validForRegex(text) {
				continue
			}
			got := scanner.split(&b, text, nil, nil)
			want := re.split(&b, text, nil, nil)
			if !slices.Equal(got, want) && fails < 5 {
				fails++
				t.Errorf("%T %q: scanner cut at %v, regex at %v", scanner, text, got, want)
			}
		}
	}
}

// validForRegex leaves out invalid UTF-8, which regexp2 sees as U+FFFD
// while the scanners keep the raw bytes.
func validForRegex(s string) bool { return strings.ToValidUTF8(s, "") == s }
