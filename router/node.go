package router

import "slices"

// route is one registration. The trie is not generic: a route refers to its
// value by index into Table.vals.
type route struct {
	method  string
	pattern string
	loc     string
	names   []string
	idx     int
}

// node is a trie node. Edges are whole path segments: static children keyed
// by their literal text, at most one {param} child and at most one rest child
// (a {name...} wildcard or a trailing slash). Patterns with the same shape
// (identical after erasing wildcard names) end at the same node.
type node struct {
	keys  []string // static child labels, sorted
	first []byte   // first byte of each label (0 for ""), parallel to keys
	kids  []*node  // static children, parallel to keys
	index byteIndex
	param *node
	rest  *node
	slots [nSlots]*route // by methodIndex; slots[mAny] holds the "" route
	ext   []*route       // extension-method routes
	count int            // number of routes ending here
}

// walk returns the node for segs, creating nodes as needed.
func (n *node) walk(segs []segment) *node {
	for _, s := range segs {
		n = n.edge(s)
	}
	return n
}

func (n *node) edge(s segment) *node {
	switch s.kind {
	case segParam:
		return ensure(&n.param)
	case segRest:
		return ensure(&n.rest)
	}
	i, ok := slices.BinarySearch(n.keys, s.text)
	if !ok {
		n.keys = slices.Insert(n.keys, i, s.text)
		n.first = slices.Insert(n.first, i, firstByte(s.text))
		n.kids = slices.Insert(n.kids, i, new(node))
		n.index.build(n.first)
	}
	return n.kids[i]
}

func ensure(p **node) *node {
	if *p == nil {
		*p = new(node)
	}
	return *p
}

// place stores r at n. If a route with the same method is already there it
// is returned and n is unchanged.
func (n *node) place(r *route) (existing *route) {
	mi := methodIndex(r.method)
	if mi == mExt {
		return n.placeExt(r)
	}
	if old := n.slots[mi]; old != nil {
		return old
	}
	n.slots[mi] = r
	n.count++
	return nil
}

func (n *node) placeExt(r *route) *route {
	for _, old := range n.ext {
		if old.method == r.method {
			return old
		}
	}
	n.ext = append(n.ext, r)
	n.count++
	return nil
}

// static returns the static child labelled seg, or nil. Nodes with few
// children are scanned by first byte; larger ones jump to the first label
// with seg's first byte through their byteIndex. Both beat maps and binary
// search over strings at the sizes routes produce.
func (n *node) static(seg string) *node {
	c := firstByte(seg)
	i := 0
	if len(n.first) > linearMax {
		if i = n.index.start(c); i < 0 {
			return nil
		}
	}
	for ; i < len(n.first) && n.first[i] <= c; i++ {
		if n.first[i] == c && n.keys[i] == seg {
			return n.kids[i]
		}
	}
	return nil
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// appendMethods appends the explicit methods served at n, plus HEAD when GET
// is present. The "" route is not listed.
func (n *node) appendMethods(dst []string) []string {
	for i := mAny + 1; i < nSlots; i++ {
		if n.slots[i] != nil {
			dst = append(dst, slotNames[i])
		}
	}
	if n.slots[mGet] != nil {
		dst = append(dst, "HEAD")
	}
	for _, r := range n.ext {
		dst = append(dst, r.method)
	}
	return dst
}
