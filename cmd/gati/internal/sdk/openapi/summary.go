package openapi

import (
	"strings"
	"unicode"
)

// splitDoc splits a doc comment into its first sentence, on one line, and
// the rest: an operation's summary and description. The first sentence
// ends as go/doc's synopsis does: at the first paragraph break, or at a
// period followed by white space that does not follow a single capital
// letter (an initial).
func splitDoc(doc string) (summary, rest string) {
	doc = strings.TrimSpace(strings.ReplaceAll(doc, "\r\n", "\n"))
	end := sentenceEnd(doc)
	return strings.Join(strings.Fields(doc[:end]), " "), strings.TrimSpace(doc[end:])
}

// sentenceEnd returns the index just past the first sentence of s.
func sentenceEnd(s string) int {
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	var ppp, pp, p rune
	for i, r := range s {
		if unicode.IsSpace(r) && p == '.' && (!unicode.IsUpper(pp) || unicode.IsUpper(ppp)) {
			return i
		}
		ppp, pp, p = pp, p, r
	}
	return len(s)
}
