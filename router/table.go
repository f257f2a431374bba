package router

import (
	"cmp"
	"slices"
	"strings"
)

// Result classifies the outcome of a Lookup.
type Result uint8

const (
	// NotFound: no pattern matches the path, for any method.
	NotFound Result = iota
	// Found: a route matched; its value is returned.
	Found
	// MethodNotAllowed: some pattern matches the path, but none serves the
	// method. Allowed lists the methods that would.
	MethodNotAllowed
)

func (r Result) String() string {
	switch r {
	case Found:
		return "Found"
	case MethodNotAllowed:
		return "MethodNotAllowed"
	}
	return "NotFound"
}

// Table maps (method, path pattern) pairs to values of type H.
//
// The zero value is an empty table ready to use. Add must not be called
// concurrently with anything else; once all routes are added, Lookup,
// Allowed and Routes may be called from many goroutines at once.
type Table[H any] struct {
	root   node
	routes []*route
	vals   []H
	// exact maps the path of every node a fully static pattern ends at
	// to that node: Lookup tries it before walking the trie. lens has bit
	// n set when a key is n bytes long (bit 63: 63 or more), so most
	// paths of wildcard routes skip the map.
	exact map[string]*node
	lens  uint64
}

// Entry describes one registered route.
type Entry[H any] struct {
	Method  string // "" means any method
	Pattern string
	Loc     string
	Value   H
}

// Add registers h for method and pattern. method is an HTTP method token
// ("GET", "POST", ...) or "" for any method; pattern uses ServeMux path
// syntax (see the package documentation). loc is the registration's source
// location, used in errors and by Routes.
//
// Add returns a *PatternError for bad syntax and a *ConflictError if a route
// with the same method and the same pattern shape already exists.
func (t *Table[H]) Add(method, pattern string, h H, loc string) error {
	p, perr := parse(method, pattern)
	if perr != nil {
		perr.Loc = loc
		return perr
	}
	r := &route{method: method, pattern: pattern, loc: loc, names: p.names, idx: len(t.vals)}
	n := t.root.walk(p.segs)
	if old := n.place(r); old != nil {
		return &ConflictError{Method: method, Pattern: pattern, Loc: loc, Existing: old.pattern, ExistingLoc: old.loc}
	}
	if path, ok := staticPath(p.segs); ok {
		if t.exact == nil {
			t.exact = make(map[string]*node)
		}
		t.exact[path] = n
		t.lens |= lenBit(path)
	}
	t.routes = append(t.routes, r)
	t.vals = append(t.vals, h)
	return nil
}

// Lookup finds the route for method and path (normally r.Method and
// r.URL.Path). On Found it returns the route's value and, if ps is not nil,
// fills ps with the wildcard values and the matched pattern. ps is reset in
// every case. A method of "" is treated as "GET".
//
// Lookup does not allocate unless the route has more than eight wildcards.
func (t *Table[H]) Lookup(method, path string, ps *Params) (h H, res Result) {
	if ps != nil {
		ps.clearMatch()
	}
	if method == "" {
		method = "GET"
	}
	m := matcher{method: method, mi: methodIndex(method), ps: ps}
	// A static route's node is where the walk's static-first descent
	// ends for its path, so a route found there is the walk's answer;
	// otherwise the walk decides (wildcards, 405).
	var r *route
	if t.lens&lenBit(path) != 0 {
		if n := t.exact[path]; n != nil {
			r = m.serve(n)
		}
	}
	if r == nil {
		r = t.find(&m, path)
	}
	if r == nil {
		return h, m.result()
	}
	if ps != nil {
		ps.bind(r)
	}
	return t.vals[r.idx], Found
}

func lenBit(path string) uint64 { return 1 << min(len(path), 63) }

// staticPath returns the path a pattern of only static segments matches.
func staticPath(segs []segment) (string, bool) {
	var b strings.Builder
	for _, s := range segs {
		if s.kind != segStatic {
			return "", false
		}
		b.WriteByte('/')
		b.WriteString(s.text)
	}
	return b.String(), len(segs) > 0
}

func (t *Table[H]) find(m *matcher, path string) *route {
	if path == "" || path[0] != '/' {
		return nil
	}
	return m.find(&t.root, path)
}

// Allowed returns the sorted methods for which Lookup would find a route
// for path, for use in a 405 response's Allow header. HEAD is included when
// GET is. Routes registered with the empty method match every method and are
// not listed.
func (t *Table[H]) Allowed(path string) []string {
	if path == "" || path[0] != '/' {
		return nil
	}
	var ms []string
	t.root.visit(path, func(n *node) { ms = n.appendMethods(ms) })
	slices.Sort(ms)
	return slices.Compact(ms)
}

// Routes returns every route, sorted by pattern and then method.
func (t *Table[H]) Routes() []Entry[H] {
	es := make([]Entry[H], len(t.routes))
	for i, r := range t.routes {
		es[i] = Entry[H]{Method: r.method, Pattern: r.pattern, Loc: r.loc, Value: t.vals[r.idx]}
	}
	slices.SortFunc(es, func(a, b Entry[H]) int {
		return cmp.Or(cmp.Compare(a.Pattern, b.Pattern), cmp.Compare(a.Method, b.Method))
	})
	return es
}

// Len returns the number of routes.
func (t *Table[H]) Len() int { return len(t.routes) }
