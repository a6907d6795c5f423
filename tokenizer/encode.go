package tokenizer

import "strings"

// fragment is a piece of input text, or a special token found in it.
type fragment struct {
	text  string
	token int32 // -1 for text
}

// cSpace is the whitespace C's isspace knows, which LStrip/RStrip remove.
const cSpace = " \t\n\v\f\r"

// partition cuts text around special tokens, longest tokens first, as
// llama.cpp's tokenizer_st_partition does. User-defined tokens are always
// matched; control and unknown tokens only when parseSpecial is set.
func (t *Tokenizer) partition(text string, parseSpecial bool) []fragment {
	if text == "" {
		return nil
	}
	frags := []fragment{{text: text, token: -1}}
	for _, id := range t.specials {
		if !parseSpecial && t.v.Types[id] != TypeUserDefined {
			continue
		}
		piece := t.v.Tokens[id]
		if !strings.Contains(text, piece) {
			continue
		}
		var next []fragment
		for _, f := range frags {
			if f.token >= 0 || !strings.Contains(f.text, piece) {
				next = append(next, f)
				continue
			}
			lstrip, rstrip := t.v.LStrip[int(id)], t.v.RStrip[int(id)]
			rest := f.text
			for {
				i := strings.Index(rest, piece)
				if i < 0 {
					break
				}
				left := rest[:i]
				if lstrip {
					left = strings.TrimRight(left, cSpace)
				}
				if left != "" {
					next = append(next, fragment{text: left, token: -1})
				}
				next = append(next, fragment{token: id})
				rest = rest[i+len(piece):]
				if rstrip {
					rest = strings.TrimLeft(rest, cSpace)
				}
			}
			if rest != "" {
				next = append(next, fragment{text: rest, token: -1})
			}
		}
		frags = next
	}
	return frags
}

// Encode turns text into token ids. With addSpecial, BOS and EOS are added
// as the vocabulary asks (AddBOS, AddEOS). With parseSpecial, control
// tokens written in the text (like "<|eot_id|>") become their ids;
// otherwise they are tokenized as plain text.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int {
	s := t.sessions.Get().(*session)
	defer t.sessions.Put(s)
	out := make([]int, 0, len(text)/3+2)
	if addSpecial && t.AddBOS() {
		out = append(out, t.v.BOS)
	}
	prevSpecial := true
	for _, f := range t.partition(text, parseSpecial) {
		if f.token >= 0 {
			out = append(out, int(f.token))
			prevSpecial = true
			continue
		}
		if t.v.Kind == SPM {
			out = s.encodeSPM(f.text, t.v.AddSpacePrefix && prevSpecial, out)
		} else {
			out = s.encodeBPE(f.text, out)
		}
		prevSpecial = false
	}
	if addSpecial && t.AddEOS() {
		out = append(out, t.v.EOS)
	}
	return out
}
