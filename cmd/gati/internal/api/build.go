package api

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gati.dev/gati/manifest"
	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
)

// Input is what Build reads.
type Input struct {
	Title string
	// Manifest is the current code's: it names the handlers and tells
	// SSE and WebSocket routes apart. Required.
	Manifest *manifest.Manifest
	// Routes are the version's routes: a recorded snapshot's, or the
	// current code's (versions.Routes of Manifest).
	Routes []timescape.RouteSchema
	// Version, Head, Semver, Versions, Deprecated and Sunset are copied
	// into the API.
	Version  string
	Head     bool
	Semver   string
	Versions []Version
	// Lifecycle of Version.
	Lifecycle timescape.VersionLifecycle
}

// Build makes the API of in.Routes, named and sourced from in.Manifest.
func Build(in Input) (*API, error) {
	m := in.Manifest
	a := &API{
		Title: in.Title, Module: m.Module, Version: in.Version, Head: in.Head,
		Semver: cmp.Or(in.Semver, "0.0.0"), Versions: in.Versions,
		Deprecated: in.Lifecycle.Deprecated, Sunset: in.Lifecycle.Sunset,
		Schemas: map[string]*schema.Schema{},
	}
	routes := slices.Clone(in.Routes)
	slices.SortStableFunc(routes, func(x, y timescape.RouteSchema) int {
		return cmp.Or(strings.Compare(x.Path, y.Path), strings.Compare(x.Method, y.Method))
	})
	pkgNames := map[string]string{}
	for _, p := range m.Packages {
		pkgNames[p.Path] = p.Name
	}
	var defs definitions
	defs.into = a.Schemas
	for _, r := range routes {
		op := Operation{Method: r.Method, Path: r.Path, Kind: Raw, Status: r.Status}
		if mr := findRoute(m, r.Method, r.Path, in.Head); mr != nil {
			op.Handler = qualified(pkgNames, mr.Handler)
			op.Doc = mr.Doc
			op.Source = mr.File + ":" + strconv.Itoa(mr.Line)
			op.Middleware = slices.Clone(mr.Middleware)
			op.Kind = kindOf(mr.Handler)
			op.ID = lowerFirst(mr.Handler.Func)
		}
		if r.ContentType == "application/json" {
			op.Kind = JSON
		}
		if op.Kind != JSON {
			op.Status = 0
		}
		key := r.Method + " " + r.Path
		for _, p := range orderParams(r.Path, r.Params) {
			s, err := defs.add(key, p.Schema)
			if err != nil {
				return nil, err
			}
			op.Params = append(op.Params, Param{In: p.In, Name: p.Name, Required: p.Required || p.In == "path", Schema: s})
		}
		var err error
		if op.Request, err = defs.add(key, r.Request); err != nil {
			return nil, err
		}
		if op.Response, err = defs.add(key, r.Response); err != nil {
			return nil, err
		}
		a.Operations = append(a.Operations, op)
	}
	assignIDs(a.Operations, m, pkgNames)
	return a, nil
}

// findRoute returns the manifest's route for method and path: the
// current implementation, else (for an old version) an older one.
func findRoute(m *manifest.Manifest, method, path string, head bool) *manifest.Route {
	var older *manifest.Route
	for i := range m.Routes {
		r := &m.Routes[i]
		if r.Method != method || r.Path != path {
			continue
		}
		if r.Until == "" {
			return r
		}
		if !head && older == nil {
			older = r
		}
	}
	return older
}

func kindOf(h manifest.Handler) Kind {
	switch {
	case h.Kind == manifest.Typed:
		return JSON
	case h.Stream == manifest.StreamSSE:
		return SSE
	case h.Stream == manifest.StreamWebSocket:
		return WebSocket
	}
	return Raw
}

func qualified(pkgNames map[string]string, h manifest.Handler) string {
	if n := pkgNames[h.Package]; n != "" {
		return n + "." + h.Func
	}
	return h.Func
}

// orderParams puts the path parameters first, in the order the path
// names them, then the others as declared.
func orderParams(path string, ps []schema.Param) []schema.Param {
	out := make([]schema.Param, 0, len(ps))
	for _, name := range PathParams(path) {
		for _, p := range ps {
			if p.In == "path" && p.Name == name {
				out = append(out, p)
			}
		}
	}
	for _, p := range ps {
		if p.In != "path" {
			out = append(out, p)
		}
	}
	return out
}

// assignIDs gives every operation a unique ID: the handler's name, then,
// where two handlers share one, qualified by package, and otherwise made
// of the method and path.
func assignIDs(ops []Operation, m *manifest.Manifest, pkgNames map[string]string) {
	count := map[string]int{}
	for _, op := range ops {
		if op.ID != "" {
			count[op.ID]++
		}
	}
	used := map[string]bool{}
	for i := range ops {
		op := &ops[i]
		switch {
		case op.ID != "" && count[op.ID] == 1:
		case op.Handler != "":
			op.ID = identifier(strings.ReplaceAll(op.Handler, ".", " "))
		default:
			op.ID = fromPath(op.Method, op.Path)
		}
		base, n := op.ID, 2
		for used[op.ID] {
			op.ID = base + strconv.Itoa(n)
			n++
		}
		used[op.ID] = true
	}
}

// fromPath names an operation by method and path: GET /users/{id} is
// getUsersById.
func fromPath(method, path string) string {
	var words []string
	words = append(words, strings.ToLower(method))
	for seg := range strings.SplitSeq(path, "/") {
		if strings.HasPrefix(seg, "{") {
			words = append(words, "by", strings.Trim(seg, "{}."))
			continue
		}
		words = append(words, seg)
	}
	return identifier(strings.Join(words, " "))
}

// identifier joins the words of s in lowerCamelCase, keeping letters and
// digits only: "tasks list" is "tasksList", "get users-by id" is
// "getUsersById". It never starts with a digit.
func identifier(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			upper = b.Len() > 0
			continue
		}
		if b.Len() == 0 {
			if unicode.IsDigit(r) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		} else if upper {
			r = unicode.ToUpper(r)
		}
		upper = false
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "op"
	}
	return b.String()
}

func lowerFirst(s string) string {
	if s == "" {
		return ""
	}
	return identifier(s[:1]) + s[1:]
}

// definitions merges the $defs of every root schema of an API into one
// table. Types from different roots that share a name and are the same
// schema become one entry; different ones get numbered names (User2).
type definitions struct {
	into map[string]*schema.Schema
}

// add returns root with its $defs moved into the table and its references
// pointing there.
func (d *definitions) add(op string, root *schema.Schema) (*schema.Schema, error) {
	if root == nil {
		return nil, nil
	}
	rename := map[string]string{}
	for n := range root.Defs {
		rename[n] = n
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range root.Defs {
			if !yield(n) {
				return
			}
		}
	})
	// A def clashes when its name holds a different schema; renaming
	// one changes the defs that refer to it, so repeat until stable.
	for changed := true; changed; {
		changed = false
		for _, n := range names {
			target := rename[n]
			have := d.into[target]
			if have == nil || schema.Equal(have, rewrite(root.Defs[n], rename)) {
				continue
			}
			rename[n] = d.free(n, rename)
			changed = true
		}
	}
	for _, n := range names {
		if d.into[rename[n]] == nil {
			d.into[rename[n]] = rewrite(root.Defs[n], rename)
		}
	}
	out := rewrite(root, rename)
	out.Defs = nil
	if out.Ref != "" && !strings.HasPrefix(out.Ref, RefPrefix) {
		return nil, fmt.Errorf("%s: unresolved $ref %q", op, out.Ref)
	}
	return out, nil
}

// free returns the first of name2, name3… used neither in the table nor
// as a target of rename.
func (d *definitions) free(name string, rename map[string]string) string {
	taken := func(n string) bool {
		if d.into[n] != nil {
			return true
		}
		for _, t := range rename {
			if t == n {
				return true
			}
		}
		return false
	}
	for i := 2; ; i++ {
		if n := name + strconv.Itoa(i); !taken(n) {
			return n
		}
	}
}

// rewrite returns a deep copy of s whose "#/$defs/Name" references point
// to RefPrefix + rename[Name]. The copy keeps s's $defs.
func rewrite(s *schema.Schema, rename map[string]string) *schema.Schema {
	if s == nil {
		return nil
	}
	c := *s
	if name, ok := strings.CutPrefix(s.Ref, "#/$defs/"); ok {
		if to, ok := rename[name]; ok {
			name = to
		}
		c.Ref = RefPrefix + name
	}
	c.Items = rewrite(s.Items, rename)
	c.AdditionalProperties = rewrite(s.AdditionalProperties, rename)
	if s.Properties != nil {
		c.Properties = make(map[string]*schema.Schema, len(s.Properties))
		for k, v := range s.Properties {
			c.Properties[k] = rewrite(v, rename)
		}
	}
	if s.AnyOf != nil {
		c.AnyOf = make([]*schema.Schema, len(s.AnyOf))
		for i, v := range s.AnyOf {
			c.AnyOf[i] = rewrite(v, rename)
		}
	}
	c.Required = slices.Clone(s.Required)
	return &c
}
