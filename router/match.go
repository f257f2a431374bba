package router

// matcher carries the state of one Lookup through the recursive search.
type matcher struct {
	method string
	mi     int
	ps     *Params // may be nil
	seen   bool    // a node matched the path but had no route for the method
}

func (m *matcher) result() Result {
	if m.seen {
		return MethodNotAllowed
	}
	return NotFound
}

// find returns the most specific route under n that matches the remaining
// path s and serves m.method. s is "" at the end of the path and otherwise
// starts with '/'. At each segment it tries the static child, then the
// {param} child, then the rest child, backtracking on failure.
func (m *matcher) find(n *node, s string) *route {
	if s == "" {
		return m.serve(n)
	}
	seg, next := cut(s)
	if c := n.static(seg); c != nil {
		if r := m.find(c, next); r != nil {
			return r
		}
	}
	if n.param != nil && seg != "" {
		if r := m.findParam(n.param, seg, next); r != nil {
			return r
		}
	}
	if n.rest != nil {
		return m.findRest(n.rest, s[1:])
	}
	return nil
}

func (m *matcher) findParam(n *node, val, next string) *route {
	m.push(val)
	if r := m.find(n, next); r != nil {
		return r
	}
	m.pop()
	return nil
}

func (m *matcher) findRest(n *node, val string) *route {
	r := m.serve(n)
	if r != nil {
		m.push(val)
	}
	return r
}

func (m *matcher) push(v string) {
	if m.ps != nil {
		m.ps.push(v)
	}
}

func (m *matcher) pop() {
	if m.ps != nil {
		m.ps.truncate(m.ps.n - 1)
	}
}

// serve picks the route at n for the method: exact method, then the ""
// route, then (for HEAD) the GET route.
func (m *matcher) serve(n *node) *route {
	if n.count == 0 {
		return nil
	}
	r := n.forMethod(m.mi, m.method)
	if r == nil {
		m.seen = true
	}
	return r
}

func (n *node) forMethod(mi int, method string) *route {
	var r *route
	if mi == mExt {
		r = n.extRoute(method)
	} else {
		r = n.slots[mi]
	}
	if r == nil {
		r = n.slots[mAny]
	}
	if r == nil && mi == mHead {
		r = n.slots[mGet]
	}
	return r
}

func (n *node) extRoute(method string) *route {
	for _, r := range n.ext {
		if r.method == method {
			return r
		}
	}
	return nil
}

// visit calls fn for every node that has routes and matches s, whatever the
// method. It is the exhaustive form of find, used by Allowed.
func (n *node) visit(s string, fn func(*node)) {
	if s == "" {
		fn(n)
		return
	}
	seg, next := cut(s)
	if c := n.static(seg); c != nil {
		c.visit(next, fn)
	}
	if n.param != nil && seg != "" {
		n.param.visit(next, fn)
	}
	if n.rest != nil {
		fn(n.rest)
	}
}

// cut splits s, which starts with '/', into its first segment and the
// remainder (which is "" or starts with '/'). A plain loop beats
// strings.IndexByte on segments this short.
func cut(s string) (seg, next string) {
	for i := 1; i < len(s); i++ {
		if s[i] == '/' {
			return s[1:i], s[i:]
		}
	}
	return s[1:], ""
}
