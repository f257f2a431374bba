package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati/timescape"
)

// Severity is how much a change matters to existing clients, and which
// part of the semver it bumps.
type Severity int

// The severities, in increasing order. None is the severity of a report
// without changes.
const (
	None     Severity = iota // no change
	Patch                    // no effect on clients: docs, examples, stricter responses
	Minor                    // new, backward-compatible surface
	Breaking                 // existing clients may fail
)

var severityNames = [...]string{"none", "patch", "minor", "breaking"}

// String returns "none", "patch", "minor" or "breaking".
func (s Severity) String() string {
	if s >= None && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) {
	if s < None || int(s) >= len(severityNames) {
		return nil, fmt.Errorf("diff: unknown %v", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a name that [ParseSeverity] accepts.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// ParseSeverity reads "none", "patch", "minor" or "breaking", for flags
// such as --fail-on.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return None, fmt.Errorf("diff: unknown severity %q (want patch, minor or breaking)", name)
}

// Change is one difference between two snapshots, found by one rule.
type Change struct {
	// Rule is the rule's stable ID, such as "response-field-removed"; the
	// package documentation lists them.
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Route is "METHOD /path", as in "GET /users/{id}".
	Route string `json:"route"`
	// Pointer is a JSON pointer into the route: "/request/...",
	// "/response/..." or "/params/<in>/<name>/..." follow the schema's
	// keywords (properties, items, additionalProperties, anyOf) with $refs
	// resolved; "/status" and "/content_type" name those fields; "" is the
	// route itself.
	Pointer string `json:"pointer"`
	// Message describes the change in a sentence.
	Message string `json:"message"`
}

// Report is the result of comparing two snapshots.
type Report struct {
	From string `json:"from"` // the older snapshot's ID
	To   string `json:"to"`   // the newer snapshot's ID
	// Changes are sorted by severity (breaking first), route, pointer.
	Changes []Change `json:"changes"`
	// Severity is the highest severity of the changes; None without any.
	Severity Severity `json:"severity"`
	// Next is the semver the newer version should have at least, given
	// the older one's: the major, minor or patch number incremented after
	// breaking, minor or patch changes, or the same semver without
	// changes. It is "" when the older semver is not MAJOR.MINOR.PATCH.
	Next string `json:"next"`
}

// Fails reports whether the report has a change of at least the
// threshold's severity, as for "gati diff --fail-on breaking".
func (r Report) Fails(threshold Severity) bool {
	return len(r.Changes) > 0 && r.Severity >= max(threshold, Patch)
}

// Compare reports how the API changed from one snapshot to the next. A nil
// snapshot is one without routes. Routes are matched by method and path.
func Compare(from, to *timescape.Snapshot) Report {
	if from == nil {
		from = &timescape.Snapshot{}
	}
	if to == nil {
		to = &timescape.Snapshot{}
	}
	r := Report{From: from.ID, To: to.ID, Changes: []Change{}}
	c := &collector{changes: &r.Changes}
	index := func(s *timescape.Snapshot) map[string]*timescape.RouteSchema {
		m := make(map[string]*timescape.RouteSchema, len(s.Routes))
		for i := range s.Routes {
			m[s.Routes[i].Key()] = &s.Routes[i]
		}
		return m
	}
	olds, news := index(from), index(to)
	for i := range from.Routes {
		a := &from.Routes[i]
		b, ok := news[a.Key()]
		if !ok {
			c.add(ruleRouteRemoved, a.Key(), "", "The route %s was removed.", a.Key())
			continue
		}
		compareRoute(c, a, b)
	}
	for i := range to.Routes {
		if b := &to.Routes[i]; olds[b.Key()] == nil {
			c.add(ruleRouteAdded, b.Key(), "", "The route %s was added.", b.Key())
		}
	}
	slices.SortFunc(r.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), strings.Compare(a.Route, b.Route),
			strings.Compare(a.Pointer, b.Pointer), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
	r.Changes = slices.Compact(r.Changes)
	for _, ch := range r.Changes {
		r.Severity = max(r.Severity, ch.Severity)
	}
	r.Next = next(from.Semver, r.Severity)
	return r
}

// next proposes the semver that follows v after changes of severity s.
func next(v string, s Severity) string {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return ""
	}
	var n [3]uint64
	for i, p := range parts {
		x, err := strconv.ParseUint(p, 10, 63)
		if err != nil || (len(p) > 1 && p[0] == '0') || p[0] == '+' {
			return ""
		}
		n[i] = x
	}
	switch s {
	case Breaking:
		n = [3]uint64{n[0] + 1, 0, 0}
	case Minor:
		n = [3]uint64{n[0], n[1] + 1, 0}
	case Patch:
		n[2]++
	}
	return fmt.Sprintf("%d.%d.%d", n[0], n[1], n[2])
}

// collector gathers changes.
type collector struct{ changes *[]Change }

func (c *collector) add(rule, route, pointer, format string, args ...any) {
	sev, ok := severities[rule]
	if !ok {
		panic("diff: unknown rule " + rule)
	}
	*c.changes = append(*c.changes, Change{
		Rule: rule, Severity: sev, Route: route, Pointer: pointer,
		Message: fmt.Sprintf(format, args...),
	})
}

func compareRoute(c *collector, a, b *timescape.RouteSchema) {
	route := a.Key()
	if a.Status != b.Status {
		c.add(ruleStatusChanged, route, "/status", "The success status changed from %d to %d.", a.Status, b.Status)
	}
	if ca, cb := mediaType(a.ContentType), mediaType(b.ContentType); ca != cb {
		c.add(ruleContentTypeChanged, route, "/content_type", "The response content type changed from %s to %s.", orNone(ca), orNone(cb))
	}
	compareParams(c, route, a, b)
	switch {
	case a.Request == nil && b.Request != nil:
		c.add(ruleRequestBodyAdded, route, "/request", "The route now takes a request body.")
	case a.Request != nil && b.Request == nil:
		c.add(ruleRequestBodyRemoved, route, "/request", "The route no longer takes a request body; what clients send is ignored.")
	case a.Request != nil:
		w := &walker{c: c, route: route, req: true, prefix: "/request", rootA: a.Request, rootB: b.Request, stack: map[string]bool{}}
		w.node(a.Request, b.Request, "", "")
	}
	switch {
	case a.Response == nil && b.Response != nil:
		c.add(ruleResponseBodyAdded, route, "/response", "The route now returns a response body.")
	case a.Response != nil && b.Response == nil:
		c.add(ruleResponseBodyRemoved, route, "/response", "The route no longer returns a response body.")
	case a.Response != nil:
		w := &walker{c: c, route: route, prefix: "/response", rootA: a.Response, rootB: b.Response, stack: map[string]bool{}}
		w.node(a.Response, b.Response, "", "")
	}
}

// mediaType returns the media type of a Content-Type value, lower case and
// without parameters other than those it had.
func mediaType(ct string) string {
	ct = strings.ToLower(strings.TrimSpace(ct))
	mt, params, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	if params = strings.ReplaceAll(params, " ", ""); params != "" && params != "charset=utf-8" {
		return mt + ";" + params
	}
	return mt
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func compareParams(c *collector, route string, a, b *timescape.RouteSchema) {
	key := func(in, name string) string {
		if in == "header" {
			name = strings.ToLower(name)
		}
		return in + "\x00" + name
	}
	newParams := make(map[string]int, len(b.Params))
	for i, p := range b.Params {
		newParams[key(p.In, p.Name)] = i
	}
	seen := make(map[string]bool, len(a.Params))
	for _, pa := range a.Params {
		k := key(pa.In, pa.Name)
		seen[k] = true
		ptr := "/params/" + pa.In + "/" + escape(pa.Name)
		what := fmt.Sprintf("%s parameter %q", pa.In, pa.Name)
		j, ok := newParams[k]
		if !ok {
			c.add(ruleParamRemoved, route, ptr, "The %s was removed; what clients send in it is ignored.", what)
			continue
		}
		pb := b.Params[j]
		switch {
		case !pa.Required && pb.Required:
			c.add(ruleParamBecameRequired, route, ptr, "The %s became required.", what)
		case pa.Required && !pb.Required:
			c.add(ruleParamBecameOptional, route, ptr, "The %s became optional.", what)
		}
		w := &walker{c: c, route: route, req: true, prefix: ptr, param: what, rootA: pa.Schema, rootB: pb.Schema, stack: map[string]bool{}}
		w.node(pa.Schema, pb.Schema, "", "")
	}
	for _, pb := range b.Params {
		if seen[key(pb.In, pb.Name)] {
			continue
		}
		ptr := "/params/" + pb.In + "/" + escape(pb.Name)
		if pb.Required {
			c.add(ruleParamAddedRequired, route, ptr, "The required %s parameter %q was added.", pb.In, pb.Name)
		} else {
			c.add(ruleParamAddedOptional, route, ptr, "The optional %s parameter %q was added.", pb.In, pb.Name)
		}
	}
}

// escape escapes a JSON pointer token (RFC 6901).
func escape(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}
