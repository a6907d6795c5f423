package sample

import "strings"

// FindStop looks for the earliest of stops in text. It returns the byte
// offset where the match starts (-1 when none matches) and, when none
// matches, how many bytes at the end of text could still begin a stop string
// once more text arrives (hold those back before showing them). Empty stop
// strings are ignored.
func FindStop(text string, stops []string) (at, hold int) {
	at = -1
	for _, s := range stops {
		if s == "" {
			continue
		}
		if i := strings.Index(text, s); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at >= 0 {
		return at, 0
	}
	for _, s := range stops {
		for n := min(len(s)-1, len(text)); n > hold; n-- {
			if strings.HasSuffix(text, s[:n]) {
				hold = n
				break
			}
		}
	}
	return -1, hold
}
