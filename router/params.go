package router

import (
	"net/url"
	"strings"
)

// inlineParams is how many parameter values Params stores without
// allocating; further values go to an overflow slice.
const inlineParams = 8

// Params holds the wildcard values of a matched route. Values are substrings
// of the looked-up path (no copying). The zero value is empty and ready to
// use; reuse one Params per request (e.g. from a sync.Pool or embedded in a
// per-request context) so that Lookup does not allocate.
type Params struct {
	pattern string
	keys    []string // the matched route's wildcard names (shared, read-only)
	vals    [inlineParams]string
	more    []string // values beyond inlineParams
	n       int
}

// Get returns the value of the wildcard called name, or "" if the matched
// pattern has no such wildcard.
func (p *Params) Get(name string) string {
	for i, k := range p.keys {
		if k == name {
			return p.Value(i)
		}
	}
	return ""
}

// Len returns the number of wildcard values.
func (p *Params) Len() int { return p.n }

// Key returns the name of the i'th wildcard, in pattern order.
func (p *Params) Key(i int) string { return p.keys[i] }

// Value returns the value of the i'th wildcard. It panics if i is out of
// range.
func (p *Params) Value(i int) string {
	if uint(i) >= uint(p.n) {
		panic("router: Params.Value index out of range")
	}
	if i < inlineParams {
		return p.vals[i]
	}
	return p.more[i-inlineParams]
}

// Pattern returns the matched route's pattern without its method, e.g.
// "/users/{id}", or "" if the last Lookup found nothing. It is a good
// low-cardinality label for metrics.
func (p *Params) Pattern() string { return p.pattern }

// Unescape replaces each value with its percent-decoding, for a match
// made on the escaped form of a path (url.URL.RawPath): there %2F inside
// a segment is part of the value, not a separator, as in net/http's
// ServeMux. A value that is not valid percent-encoding stays as it is.
func (p *Params) Unescape() {
	for i := 0; i < p.n; i++ {
		v := p.Value(i)
		if strings.IndexByte(v, '%') < 0 {
			continue
		}
		u, err := url.PathUnescape(v)
		if err != nil {
			continue
		}
		if i < inlineParams {
			p.vals[i] = u
		} else {
			p.more[i-inlineParams] = u
		}
	}
}

// Reset empties p, keeping the overflow storage for reuse.
func (p *Params) Reset() {
	clear(p.more)
	*p = Params{more: p.more[:0]}
}

// clearMatch empties p cheaply before a Lookup. Unlike Reset it leaves old
// values in the inline array: they are unreachable through the API once n
// is 0, and will be overwritten by the next match.
func (p *Params) clearMatch() {
	p.n, p.keys, p.pattern = 0, nil, ""
	p.more = p.more[:0]
}

func (p *Params) push(v string) {
	if p.n < inlineParams {
		p.vals[p.n] = v
	} else {
		p.more = append(p.more, v)
	}
	p.n++
}

// truncate drops values beyond the first n.
func (p *Params) truncate(n int) {
	p.n = n
	p.more = p.more[:max(n-inlineParams, 0)]
}

// bind attaches the matched route's names and pattern. The values pushed
// during matching include one for an unnamed trailing-slash rest, which is
// dropped here: it is always the last one.
func (p *Params) bind(r *route) {
	p.truncate(len(r.names))
	p.keys = r.names
	p.pattern = r.pattern
}
