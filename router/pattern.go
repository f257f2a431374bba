package router

import (
	"fmt"
	"strings"
	"unicode"
)

type segKind uint8

const (
	segStatic segKind = iota // literal text; "" for an empty segment or {$}
	segParam                 // {name}: one non-empty segment
	segRest                  // {name...} or a trailing slash: the rest of the path
)

type segment struct {
	kind segKind
	text string // literal for segStatic, name for wildcards ("" for a trailing slash)
}

// parsed is a syntactically valid pattern.
type parsed struct {
	segs  []segment
	names []string // wildcard names in order; an unnamed trailing rest is omitted
}

// patternParser walks a pattern one segment at a time.
type patternParser struct {
	disp string // display form, "METHOD /path"
	off  int    // offset in disp of the segment being parsed
	out  parsed
}

// parse checks method and pattern and splits the pattern into segments.
func parse(method, pattern string) (parsed, *PatternError) {
	p := &patternParser{disp: display(method, pattern)}
	if i := badMethodByte(method); i >= 0 {
		return parsed{}, p.fail(i, fmt.Sprintf("invalid method %q", method))
	}
	p.off = len(p.disp) - len(pattern)
	if !strings.HasPrefix(pattern, "/") {
		return parsed{}, p.fail(0, `missing leading "/"`)
	}
	for rest := pattern[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		p.off++ // skip the '/'
		if err := p.segment(seg, !more); err != nil {
			return parsed{}, err
		}
		if !more {
			return p.out, nil
		}
		p.off, rest = p.off+len(seg), tail
	}
}

func (p *patternParser) fail(rel int, msg string) *PatternError {
	return &PatternError{Pattern: p.disp, Offset: p.off + rel, Msg: msg}
}

func (p *patternParser) add(kind segKind, text string) {
	p.out.segs = append(p.out.segs, segment{kind, text})
	if kind != segStatic && text != "" {
		p.out.names = append(p.out.names, text)
	}
}

// segment parses one segment; last reports whether it ends the pattern.
func (p *patternParser) segment(seg string, last bool) *PatternError {
	open := strings.IndexByte(seg, '{')
	switch {
	case seg == "" && last:
		p.add(segRest, "") // trailing slash: prefix match
	case open < 0:
		return p.literal(seg)
	case open > 0:
		return p.fail(open, partialMsg)
	default:
		return p.wildcard(seg, last)
	}
	return nil
}

func (p *patternParser) literal(seg string) *PatternError {
	if i := strings.IndexByte(seg, '}'); i >= 0 {
		return p.fail(i, `unexpected "}"`)
	}
	p.add(segStatic, seg)
	return nil
}

const partialMsg = "partial wildcard segment (a wildcard must be a whole segment)"

// wildcard parses a segment starting with '{'.
func (p *patternParser) wildcard(seg string, last bool) *PatternError {
	end := strings.IndexByte(seg, '}')
	switch {
	case end < 0:
		return p.fail(0, `unclosed "{"`)
	case end != len(seg)-1:
		return p.fail(end+1, partialMsg)
	case seg == "{$}":
		return p.exactEnd(last)
	}
	return p.named(seg, last)
}

// named parses "{name}" or "{name...}".
func (p *patternParser) named(seg string, last bool) *PatternError {
	name, multi := strings.CutSuffix(seg[1:len(seg)-1], "...")
	if multi && !last {
		return p.fail(0, fmt.Sprintf("%q must be the last segment", seg))
	}
	if err := p.checkName(name); err != nil {
		return err
	}
	kind := segParam
	if multi {
		kind = segRest
	}
	p.add(kind, name)
	return nil
}

func (p *patternParser) exactEnd(last bool) *PatternError {
	if !last {
		return p.fail(0, `"{$}" must be the last segment`)
	}
	p.add(segStatic, "") // "/x/{$}" matches "/x/" only: an empty final segment
	return nil
}

func (p *patternParser) checkName(name string) *PatternError {
	switch {
	case name == "":
		return p.fail(1, "empty wildcard name")
	case !isIdent(name):
		return p.fail(1, fmt.Sprintf("invalid wildcard name %q (must be a Go identifier)", name))
	}
	for _, n := range p.out.names {
		if n == name {
			return p.fail(1, fmt.Sprintf("duplicate wildcard name %q", name))
		}
	}
	return nil
}

// isIdent reports whether s is a Go identifier (the rule ServeMux uses).
func isIdent(s string) bool {
	for i, c := range s {
		if !unicode.IsLetter(c) && c != '_' && (i == 0 || !unicode.IsDigit(c)) {
			return false
		}
	}
	return s != ""
}
