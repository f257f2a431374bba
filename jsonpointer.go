package gati

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// pointerAt returns the JSON pointer (RFC 6901) of the innermost value of
// body that contains byte offset off: "/items/2/age" for the 300 in
// {"items":[{},{},{"age":300}]}. Decoding errors say only where they are
// in bytes, and clients fix fields. It walks body with the standard
// tokenizer, which tolerates the invalid UTF-8 it is often asked about,
// and returns the pointer reached so far when the body ends early.
func pointerAt(body []byte, off int64) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var path pointerPath
	for {
		tok, err := dec.Token()
		if err != nil {
			return path.String()
		}
		d, isDelim := tok.(json.Delim)
		switch {
		case isDelim && (d == '{' || d == '['):
			if dec.InputOffset() > off { // off is the container's first byte
				return path.String()
			}
			path.push(d == '{')
			continue
		case isDelim: // '}' or ']'
			path.pop()
		case path.awaitingKey():
			path.setKey(tok.(string))
			if dec.InputOffset() > off {
				return path.String()
			}
			continue
		}
		if dec.InputOffset() > off {
			return path.String()
		}
		path.next()
	}
}

// pointerPath is the position of a JSON tokenizer as a pointer.
type pointerPath []pointerStep

type pointerStep struct {
	object bool
	keyed  bool   // in an object: the member's key is read, its value is not
	key    string // the member being read
	index  int    // in an array: the element being read
}

func (p *pointerPath) push(object bool) { *p = append(*p, pointerStep{object: object}) }
func (p *pointerPath) pop()             { *p = (*p)[:len(*p)-1] }

func (p pointerPath) awaitingKey() bool {
	return len(p) > 0 && p[len(p)-1].object && !p[len(p)-1].keyed
}

func (p pointerPath) setKey(k string) { p[len(p)-1].key, p[len(p)-1].keyed = k, true }

// next moves past the value just read.
func (p pointerPath) next() {
	if len(p) == 0 {
		return
	}
	if top := &p[len(p)-1]; top.object {
		top.keyed = false
	} else {
		top.index++
	}
}

func (p pointerPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.object && s.keyed:
			b.WriteString("/" + escapePointer(s.key))
		case !s.object:
			b.WriteString("/" + strconv.Itoa(s.index))
		}
	}
	return b.String()
}

// escapePointer escapes a reference token (RFC 6901 §3).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
