package export

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
)

// The mapping of a saved request to an operation of the app's API, which
// the exports that call a generated client (TSTest, GoClientTest) share:
// they differ in how they write the call.

// mapRoute finds the method of methods (op gives each one's operation)
// that r calls: the base URL, the literal path, the method and its path
// parameters' values, or why r calls none.
func mapRoute[M any](r request, methods []M, op func(*M) *api.Operation) (base text, path string, m *M, values map[string]string, why string) {
	base, path, why = splitBase(r.Path)
	if why != "" {
		return nil, "", nil, nil, why
	}
	if m, values = matchRoute(r.Method, path, methods, op); m == nil {
		return nil, "", nil, nil, fmt.Sprintf("%s %s is not an operation of the app's JSON API", r.Method, path)
	}
	return base, path, m, values, ""
}

// bodyMismatch says why r's body does not suit the method named name,
// which takes a JSON body or none (takes): "" when it does.
func bodyMismatch(r request, takes bool, name string) string {
	hasBody := len(r.Body) > 1 || r.Body[0] != ""
	switch {
	case takes && !hasBody:
		return fmt.Sprintf("%s needs a body and the request has none", name)
	case !takes && hasBody:
		return fmt.Sprintf("%s sends no body and the request has one", name)
	case takes:
		for _, h := range r.Headers {
			if strings.EqualFold(strings.Join(h[0], ""), "Content-Type") && !strings.Contains(strings.ToLower(strings.Join(h[1], "")), "json") {
				return "its body is not JSON"
			}
		}
		if !json.Valid([]byte(sample(r.Body))) {
			return "its body is not JSON"
		}
	}
	return ""
}

// paramValue returns r's value of the parameter name in the query or the
// headers (in), whose name has no run-time variable.
func paramValue(r request, in, name string) (val text, found bool) {
	switch in {
	case "query":
		for _, q := range r.Query {
			if len(q[0]) == 1 && q[0][0] == name {
				val, found = q[1], true
			}
		}
	case "header":
		for _, h := range r.Headers {
			if len(h[0]) == 1 && strings.EqualFold(h[0][0], name) {
				val, found = h[1], true
			}
		}
	}
	return val, found
}

// extraQuery returns the name of a query parameter of r that is not
// among used.
func extraQuery(r request, used map[string]bool) (string, bool) {
	for _, q := range r.Query {
		if len(q[0]) != 1 || !used[q[0][0]] {
			return strings.Join(q[0], ""), true
		}
	}
	return "", false
}

// sample is t with an "x" for each run-time variable.
func sample(t text) string {
	var b strings.Builder
	for i, p := range t {
		if i%2 == 1 {
			p = "x"
		}
		b.WriteString(p)
	}
	return b.String()
}

// splitBase splits a URL into the client's base URL and the literal
// path: {{baseUrl}} then a path, or an origin then a path.
func splitBase(t text) (base text, path, why string) {
	switch {
	case len(t) == 3 && t[0] == "" && t[1] == BaseURLVar:
		base, path = text{"", BaseURLVar, ""}, t[2]
	case len(t) == 1:
		u, err := url.Parse(t[0])
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return nil, "", "its URL does not start with {{baseUrl}} or an http origin"
		}
		base, path = text{u.Scheme + "://" + u.Host}, u.EscapedPath()
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, "", "its URL has a query of its own"
		}
	default:
		return nil, "", "its URL does not start with {{baseUrl}} followed by a plain path"
	}
	if strings.ContainsAny(path, "?#") {
		return nil, "", "its URL has a query of its own"
	}
	if path == "" {
		path = "/"
	}
	return base, path, ""
}

// matchRoute finds the method of methods whose operation (op) has method
// and the pattern that matches path, the one with the most literal
// segments when several do, and the path parameters' values: nil unless
// that operation is a JSON one (a request for a stream's route calls
// the stream, even where a JSON route's pattern matches it too).
func matchRoute[M any](method, path string, methods []M, op func(*M) *api.Operation) (*M, map[string]string) {
	segs := strings.Split(path, "/")
	var best *M
	var bestValues map[string]string
	bestLit := -1
	for i := range methods {
		m := &methods[i]
		o := op(m)
		if o.Method != method {
			continue
		}
		values, lit, ok := matchPattern(strings.Split(o.Path, "/"), segs)
		if ok && lit > bestLit {
			best, bestValues, bestLit = m, values, lit
		}
	}
	if best == nil || op(best).Kind != api.JSON {
		return nil, nil
	}
	return best, bestValues
}

func matchPattern(pat, segs []string) (map[string]string, int, bool) {
	values := map[string]string{}
	lit := 0
	for i, p := range pat {
		name, isVar := strings.CutPrefix(p, "{")
		name, isVar2 := strings.CutSuffix(name, "}")
		switch {
		case !isVar || !isVar2:
			if i >= len(segs) || segs[i] != p {
				return nil, 0, false
			}
			lit++
		case name == "$":
			if i != len(segs)-1 || segs[i] != "" {
				return nil, 0, false
			}
		case strings.HasSuffix(name, "..."):
			if i > len(segs) {
				return nil, 0, false
			}
			v, err := url.PathUnescape(strings.Join(segs[i:], "/"))
			if err != nil {
				return nil, 0, false
			}
			values[strings.TrimSuffix(name, "...")] = v
			return values, lit, true
		default:
			if i >= len(segs) || segs[i] == "" {
				return nil, 0, false
			}
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				return nil, 0, false
			}
			values[name] = v
		}
	}
	return values, lit, len(pat) == len(segs)
}
