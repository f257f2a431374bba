package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati/schema"
)

// walker compares two schemas of one part of a route: the request body,
// the response body or one parameter. Pointers are relative to prefix.
type walker struct {
	c            *collector
	route        string
	req          bool   // what clients send, rather than what they read
	prefix       string // "/request", "/response", "/params/query/limit"
	param        string // `query parameter "limit"`, or "" for a body
	rootA, rootB *schema.Schema
	stack        map[string]bool // pairs of $ref chains being compared
	depth        int
}

// maxDepth bounds the walk through schemas built in memory with cycles
// that do not go through $refs.
const maxDepth = 256

func (w *walker) add(rule, ptr, format string, args ...any) {
	w.c.add(rule, w.route, w.prefix+ptr, format, args...)
}

// what names the value at field ("address.city", "tags[]"; "" for the
// root) in a message: `request field "name"`, "the response body".
func (w *walker) what(field string) string {
	switch {
	case w.param != "" && field == "":
		return "the " + w.param
	case w.param != "":
		return fmt.Sprintf("%s of the %s", strconv.Quote(field), w.param)
	case field == "" && w.req:
		return "the request body"
	case field == "":
		return "the response body"
	case w.req:
		return fmt.Sprintf("the request field %q", field)
	}
	return fmt.Sprintf("the response field %q", field)
}

// view is a schema node seen through its $refs and nullable anyOf.
type view struct {
	s        *schema.Schema // keywords merged along the chain; Ref set if unresolved
	nullable bool
	refs     string // the $refs followed, for the recursion guard
}

// resolve follows s's $refs against root's $defs and unwraps a nullable
// anyOf ([X, {"type": "null"}]). Keywords beside a $ref or the anyOf
// (a description on a field of a named type) override the target's.
func resolve(s, root *schema.Schema) view {
	if s == nil {
		s = &schema.Schema{}
	}
	var v view
	var chain []*schema.Schema
	var refs []string
	for range 64 {
		if alt := nullableAlt(s); alt != nil {
			chain = append(chain, s)
			s, v.nullable = alt, true
			continue
		}
		if s.Ref == "" {
			break
		}
		target := lookup(root, s.Ref)
		if target == nil || slices.Contains(refs, s.Ref) {
			break
		}
		chain = append(chain, s)
		refs = append(refs, s.Ref)
		s = target
	}
	m := *s // keeps Ref when it could not be resolved
	m.Defs = nil
	for i := len(chain) - 1; i >= 0; i-- {
		overlay(&m, chain[i])
	}
	v.s = &m
	v.nullable = v.nullable || m.Type.Has("null")
	v.refs = strings.Join(refs, " ")
	return v
}

// nullableAlt returns X of anyOf [X, {"type": "null"}] (either order), or nil.
func nullableAlt(s *schema.Schema) *schema.Schema {
	if len(s.AnyOf) != 2 {
		return nil
	}
	isNull := func(x *schema.Schema) bool {
		return x != nil && schema.Equal(x, &schema.Schema{Type: schema.Types{"null"}})
	}
	switch {
	case isNull(s.AnyOf[1]) && s.AnyOf[0] != nil:
		return s.AnyOf[0]
	case isNull(s.AnyOf[0]) && s.AnyOf[1] != nil:
		return s.AnyOf[1]
	}
	return nil
}

// lookup resolves "#" and "#/$defs/Name" in root, or returns nil.
func lookup(root *schema.Schema, ref string) *schema.Schema {
	if root == nil {
		return nil
	}
	if ref == "#" {
		return root
	}
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok || strings.Contains(name, "/") {
		return nil
	}
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return root.Defs[name]
}

// overlay copies the keywords set in w (a $ref or anyOf wrapper) onto m.
func overlay(m, w *schema.Schema) {
	if len(w.Type) > 0 {
		m.Type = w.Type
	}
	m.Format = cmpOr(w.Format, m.Format)
	m.Description = cmpOr(w.Description, m.Description)
	m.Deprecated = m.Deprecated || w.Deprecated
	if w.Default != nil {
		m.Default = w.Default
	}
	if w.Examples != nil {
		m.Examples = w.Examples
	}
	if w.Enum != nil {
		m.Enum = w.Enum
	}
	m.Minimum, m.Maximum = ptrOr(w.Minimum, m.Minimum), ptrOr(w.Maximum, m.Maximum)
	m.MinLength, m.MaxLength = ptrOr(w.MinLength, m.MinLength), ptrOr(w.MaxLength, m.MaxLength)
	m.Pattern = cmpOr(w.Pattern, m.Pattern)
	m.MinItems, m.MaxItems = ptrOr(w.MinItems, m.MinItems), ptrOr(w.MaxItems, m.MaxItems)
	if w.Items != nil {
		m.Items = w.Items
	}
	if w.Properties != nil {
		m.Properties, m.Required = w.Properties, w.Required
	}
	if w.AdditionalProperties != nil {
		m.AdditionalProperties = w.AdditionalProperties
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ptrOr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// node compares the schemas a and b found at ptr (relative to the prefix)
// and field (for messages).
func (w *walker) node(a, b *schema.Schema, ptr, field string) {
	if w.depth >= maxDepth {
		return
	}
	w.depth++
	defer func() { w.depth-- }()
	va, vb := resolve(a, w.rootA), resolve(b, w.rootB)
	if key := va.refs + "|" + vb.refs; key != "|" {
		if w.stack[key] {
			return // a recursive type, already being compared further up
		}
		w.stack[key] = true
		defer delete(w.stack, key)
	}
	sa, sb := va.s, vb.s
	if sa.Ref != "" || sb.Ref != "" { // unresolvable $refs: compare them as names
		if sa.Ref != sb.Ref {
			w.add(ruleTypeChanged, ptr, "The type of %s changed from %s to %s.", w.what(field), refName(sa), refName(sb))
		}
		return
	}
	w.annotations(sa, sb, ptr, field)
	if !w.types(va, vb, ptr, field) {
		return
	}
	w.enum(sa, sb, ptr, field)
	w.constraints(sa, sb, ptr, field)
	w.properties(sa, sb, ptr, field)
	if sa.Items != nil || sb.Items != nil {
		w.node(sa.Items, sb.Items, ptr+"/items", field+"[]")
	}
	if sa.AdditionalProperties != nil || sb.AdditionalProperties != nil {
		w.node(sa.AdditionalProperties, sb.AdditionalProperties, ptr+"/additionalProperties", join(field, "*"))
	}
	w.anyOf(sa, sb, ptr, field)
}

func refName(s *schema.Schema) string {
	if s.Ref != "" {
		return strconv.Quote(s.Ref) + " (unresolved)"
	}
	return describeTypes(nonNull(s))
}

func join(field, name string) string {
	if field == "" {
		return name
	}
	return field + "." + name
}

// nonNull returns the types other than "null"; nil means any type.
func nonNull(s *schema.Schema) []string {
	if len(s.Type) == 0 {
		return nil
	}
	out := make([]string, 0, len(s.Type))
	for _, t := range s.Type {
		if t != "null" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// within reports whether every value of types x is a value of types y.
func within(x, y []string) bool {
	if y == nil {
		return true
	}
	if x == nil {
		return false
	}
	for _, t := range x {
		if !slices.Contains(y, t) && (t != "integer" || !slices.Contains(y, "number")) {
			return false
		}
	}
	return true
}

func describeTypes(ts []string) string {
	switch len(ts) {
	case 0:
		if ts == nil {
			return "any type"
		}
		return "null"
	case 1:
		return ts[0]
	}
	return strings.Join(ts[:len(ts)-1], ", ") + " or " + ts[len(ts)-1]
}

// types compares the type keywords and nullability; it returns false after
// an incompatible change, below which comparing makes no sense.
func (w *walker) types(va, vb view, ptr, field string) bool {
	ta, tb := nonNull(va.s), nonNull(vb.s)
	switch {
	case (ta == nil) == (tb == nil) && slices.Equal(ta, tb):
	case w.req && within(ta, tb):
		w.add(ruleRequestTypeWidened, ptr, "The type of %s widened from %s to %s.", w.what(field), describeTypes(ta), describeTypes(tb))
	case !w.req && within(tb, ta):
		w.add(ruleResponseTypeNarrowed, ptr, "The type of %s narrowed from %s to %s.", w.what(field), describeTypes(ta), describeTypes(tb))
	default:
		w.add(ruleTypeChanged, ptr, "The type of %s changed from %s to %s.", w.what(field), describeTypes(ta), describeTypes(tb))
		return false
	}
	if ta == nil || tb == nil || va.nullable == vb.nullable {
		return true
	}
	switch {
	case w.req && vb.nullable:
		w.add(ruleRequestNullableAdded, ptr, "%s now accepts null.", capital(w.what(field)))
	case w.req:
		w.add(ruleRequestNullableRemoved, ptr, "%s no longer accepts null.", capital(w.what(field)))
	case vb.nullable:
		w.add(ruleResponseNullableAdded, ptr, "%s may now be null.", capital(w.what(field)))
	default:
		w.add(ruleResponseNullableRemoved, ptr, "%s is no longer null.", capital(w.what(field)))
	}
	return true
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// canonical returns the canonical JSON of a value, for comparisons.
func canonical(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func (w *walker) annotations(a, b *schema.Schema, ptr, field string) {
	if a.Description != b.Description {
		w.add(ruleDescriptionChanged, ptr+"/description", "The description of %s changed.", w.what(field))
	}
	if canonical(a.Examples) != canonical(b.Examples) {
		w.add(ruleExampleChanged, ptr+"/examples", "The examples of %s changed.", w.what(field))
	}
	if da, db := canonical(a.Default), canonical(b.Default); da != db {
		if w.req && a.Default != nil && b.Default != nil {
			w.add(ruleRequestDefaultChanged, ptr+"/default", "The default of %s changed from %s to %s: clients that omit it get different behavior.", w.what(field), da, db)
		} else {
			w.add(ruleDefaultChanged, ptr+"/default", "The default of %s changed from %s to %s.", w.what(field), orNone(strings.TrimPrefix(da, "null")), orNone(strings.TrimPrefix(db, "null")))
		}
	}
	switch {
	case !a.Deprecated && b.Deprecated:
		w.add(ruleDeprecated, ptr+"/deprecated", "%s is deprecated.", capital(w.what(field)))
	case a.Deprecated && !b.Deprecated:
		w.add(ruleUndeprecated, ptr+"/deprecated", "%s is no longer deprecated.", capital(w.what(field)))
	}
}

func (w *walker) enum(a, b *schema.Schema, ptr, field string) {
	ea, eb := enumValues(a.Enum), enumValues(b.Enum)
	ptr += "/enum"
	what := w.what(field)
	switch {
	case ea == nil && eb == nil:
	case ea == nil && w.req:
		w.add(ruleRequestTightened, ptr, "%s now accepts only %s.", capital(what), list(eb))
	case ea == nil:
		w.add(ruleResponseTightened, ptr, "%s is now one of %s.", capital(what), list(eb))
	case eb == nil && w.req:
		w.add(ruleRequestLoosened, ptr, "%s is no longer limited to %s.", capital(what), list(ea))
	case eb == nil:
		w.add(ruleResponseLoosened, ptr, "%s is no longer limited to %s.", capital(what), list(ea))
	default:
		removed, added := minus(ea, eb), minus(eb, ea)
		switch {
		case len(removed) > 0 && w.req:
			w.add(ruleRequestEnumRemoved, ptr, "%s no longer accepts %s.", capital(what), list(removed))
		case len(removed) > 0:
			w.add(ruleResponseEnumRemoved, ptr, "%s is no longer %s.", capital(what), orList(removed))
		}
		switch {
		case len(added) > 0 && w.req:
			w.add(ruleRequestEnumAdded, ptr, "%s now also accepts %s.", capital(what), list(added))
		case len(added) > 0:
			w.add(ruleResponseEnumAdded, ptr, "%s may now be %s.", capital(what), orList(added))
		}
	}
}

// enumValues returns the canonical JSON of each value; nil for no enum.
func enumValues(values []any) []string {
	if values == nil {
		return nil
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = canonical(v)
	}
	return out
}

func minus(x, y []string) []string {
	var out []string
	for _, v := range x {
		if !slices.Contains(y, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func list(values []string) string {
	switch len(values) {
	case 0:
		return "no values"
	case 1:
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " and " + values[len(values)-1]
}

func orList(values []string) string {
	if len(values) < 2 {
		return list(values)
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// bound compares one numeric keyword; upper says whether a lower value is
// stricter (maximum, maxLength, maxItems).
type bound struct {
	keyword string
	a, b    *float64
	upper   bool
}

func intp(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

func num(p *float64) string { return strconv.FormatFloat(*p, 'g', -1, 64) }

// constraints compares the validation keywords. Each change is tightened
// (fewer values valid), loosened (more), or both (a different pattern or
// format), which breaks requests and responses alike.
func (w *walker) constraints(a, b *schema.Schema, ptr, field string) {
	what := w.what(field)
	report := func(keyword string, tighter, looser bool, msg string) {
		p := ptr + "/" + keyword
		switch {
		case w.req && tighter:
			w.add(ruleRequestTightened, p, "%s: %s.", capital(what), msg)
		case w.req && looser:
			w.add(ruleRequestLoosened, p, "%s: %s.", capital(what), msg)
		case looser:
			w.add(ruleResponseLoosened, p, "%s: %s.", capital(what), msg)
		case tighter:
			w.add(ruleResponseTightened, p, "%s: %s.", capital(what), msg)
		}
	}
	for _, c := range []bound{
		{"minimum", a.Minimum, b.Minimum, false},
		{"maximum", a.Maximum, b.Maximum, true},
		{"minLength", intp(a.MinLength), intp(b.MinLength), false},
		{"maxLength", intp(a.MaxLength), intp(b.MaxLength), true},
		{"minItems", intp(a.MinItems), intp(b.MinItems), false},
		{"maxItems", intp(a.MaxItems), intp(b.MaxItems), true},
	} {
		switch {
		case c.a == nil && c.b == nil:
		case c.a == nil:
			report(c.keyword, true, false, fmt.Sprintf("%s %s was added", c.keyword, num(c.b)))
		case c.b == nil:
			report(c.keyword, false, true, fmt.Sprintf("%s %s was removed", c.keyword, num(c.a)))
		case *c.a != *c.b:
			tighter := (*c.b < *c.a) == c.upper
			report(c.keyword, tighter, !tighter, fmt.Sprintf("%s changed from %s to %s", c.keyword, num(c.a), num(c.b)))
		}
	}
	for _, c := range []struct{ keyword, a, b string }{
		{"pattern", a.Pattern, b.Pattern},
		{"format", a.Format, b.Format},
	} {
		switch {
		case c.a == c.b:
		case c.a == "":
			report(c.keyword, true, false, fmt.Sprintf("%s %q was added", c.keyword, c.b))
		case c.b == "":
			report(c.keyword, false, true, fmt.Sprintf("%s %q was removed", c.keyword, c.a))
		default:
			report(c.keyword, true, true, fmt.Sprintf("%s changed from %q to %q", c.keyword, c.a, c.b))
		}
	}
}

func (w *walker) properties(a, b *schema.Schema, ptr, field string) {
	if a.Properties == nil && b.Properties == nil {
		return
	}
	names := make([]string, 0, len(a.Properties)+len(b.Properties))
	for name := range a.Properties {
		names = append(names, name)
	}
	for name := range b.Properties {
		if _, ok := a.Properties[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		pa, inA := a.Properties[name]
		pb, inB := b.Properties[name]
		ra, rb := slices.Contains(a.Required, name), slices.Contains(b.Required, name)
		p, f := ptr+"/properties/"+escape(name), join(field, name)
		what := w.what(f)
		switch {
		case !inB && w.req:
			w.add(ruleRequestFieldRemoved, p, "%s was removed; what clients send in it is ignored.", capital(what))
		case !inB:
			w.add(ruleResponseFieldRemoved, p, "%s was removed; clients that read it break.", capital(what))
		case !inA && w.req && rb:
			w.add(ruleRequestRequiredFieldAdded, p, "The required request field %q was added; clients that omit it are rejected.", f)
		case !inA && w.req:
			w.add(ruleRequestOptionalFieldAdded, p, "The optional request field %q was added.", f)
		case !inA:
			w.add(ruleResponseFieldAdded, p, "The response field %q was added.", f)
		default:
			switch {
			case ra == rb:
			case w.req && rb:
				w.add(ruleRequestBecameRequired, p, "%s became required; clients that omit it are rejected.", capital(what))
			case w.req:
				w.add(ruleRequestBecameOptional, p, "%s became optional.", capital(what))
			case rb:
				w.add(ruleResponseBecameRequired, p, "%s is now always present.", capital(what))
			default:
				w.add(ruleResponseBecameOptional, p, "%s became optional: it may be absent.", capital(what))
			}
			w.node(pa, pb, p, f)
		}
	}
}

// anyOf compares alternatives other than a nullable $ref's, by position.
func (w *walker) anyOf(a, b *schema.Schema, ptr, field string) {
	if len(a.AnyOf) == 0 && len(b.AnyOf) == 0 {
		return
	}
	if len(a.AnyOf) != len(b.AnyOf) {
		w.add(ruleTypeChanged, ptr+"/anyOf", "The alternatives of %s changed from %d to %d.", w.what(field), len(a.AnyOf), len(b.AnyOf))
		return
	}
	for i := range a.AnyOf {
		w.node(a.AnyOf[i], b.AnyOf[i], ptr+"/anyOf/"+strconv.Itoa(i), field)
	}
}
