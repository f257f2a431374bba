package tsclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// unsupported is a schema the generator cannot express, at a JSON
// pointer into the schema being written; the caller adds the operation.
type unsupported struct {
	pointer, reason string
}

func (e *unsupported) Error() string { return e.pointer + ": " + e.reason }

// typeOf writes the TypeScript type of s. Objects are written over
// several lines, indented by indent. at is s's JSON pointer, for errors.
func (g *generator) typeOf(s *schema.Schema, indent, at string) (string, error) {
	switch {
	case s == nil:
		return "unknown", nil
	case s.Ref != "":
		return g.refType(s.Ref, at)
	case len(s.AnyOf) > 0:
		var alts []string
		for i, alt := range s.AnyOf {
			t, err := g.typeOf(alt, indent, at+"/anyOf/"+strconv.Itoa(i))
			if err != nil {
				return "", err
			}
			alts = append(alts, t)
		}
		return union(alts), nil
	case len(s.Enum) > 0:
		return enumType(s, at)
	}
	var alts []string
	for _, t := range s.Type {
		if t == "null" {
			continue
		}
		ts, err := g.typeOfType(t, s, indent, at)
		if err != nil {
			return "", err
		}
		alts = append(alts, ts)
	}
	nullable := s.Type.Has("null")
	if len(alts) == 0 && !nullable {
		return "unknown", nil // the schema {}: any JSON value
	}
	if nullable {
		alts = append(alts, "null")
	}
	return union(alts), nil
}

// typeOfType writes the type of s's values of the JSON type t.
func (g *generator) typeOfType(t string, s *schema.Schema, indent, at string) (string, error) {
	switch t {
	case "string":
		return "string", nil
	case "integer", "number":
		return "number", nil
	case "boolean":
		return "boolean", nil
	case "array":
		item, err := g.typeOf(s.Items, indent, at+"/items")
		if err != nil {
			return "", err
		}
		if isUnion(item) {
			item = "(" + item + ")"
		}
		return item + "[]", nil
	case "object":
		return g.objectType(s, indent, at)
	}
	return "", &unsupported{at + "/type", fmt.Sprintf("type %q has no TypeScript form", t)}
}

// enumType writes an enum as a union of its values' literals.
func enumType(s *schema.Schema, at string) (string, error) {
	var alts []string
	for _, v := range s.Enum {
		lit, err := literal(v)
		if err != nil {
			return "", &unsupported{at + "/enum", err.Error()}
		}
		alts = append(alts, lit)
	}
	if s.Type.Has("null") {
		alts = append(alts, "null")
	}
	return union(alts), nil
}

func (g *generator) refType(ref, at string) (string, error) {
	name, ok := strings.CutPrefix(ref, api.RefPrefix)
	if !ok || g.a.Schemas[name] == nil {
		return "", &unsupported{at + "/$ref", fmt.Sprintf("$ref %q names no schema of the API", ref)}
	}
	return g.typeNames[name], nil
}

// objectType writes an object schema: an object type literal of its
// properties, a Record of a map, Record<string, never> of an empty
// struct.
func (g *generator) objectType(s *schema.Schema, indent, at string) (string, error) {
	if len(s.Properties) == 0 {
		if s.AdditionalProperties == nil {
			return "Record<string, never>", nil
		}
		v, err := g.typeOf(s.AdditionalProperties, indent, at+"/additionalProperties")
		if err != nil {
			return "", err
		}
		return "Record<string, " + v + ">", nil
	}
	body, err := g.members(s, indent+"  ", at)
	if err != nil {
		return "", err
	}
	return "{\n" + body + indent + "}", nil
}

// members writes the properties of an object schema, one a line with its
// doc comment, each line indented by indent.
func (g *generator) members(s *schema.Schema, indent, at string) (string, error) {
	var b strings.Builder
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		t, err := g.typeOf(p, indent, at+"/properties/"+pointerEscape(name))
		if err != nil {
			return "", err
		}
		writeDoc(&b, indent, schemaDoc(p))
		opt := "?"
		if slices.Contains(s.Required, name) {
			opt = ""
		}
		fmt.Fprintf(&b, "%s%s%s: %s;\n", indent, propertyKey(name), opt, t)
	}
	if s.AdditionalProperties != nil {
		// Go has no struct that is also a map; were there one, its other
		// properties are of any type.
		fmt.Fprintf(&b, "%s[key: string]: unknown;\n", indent)
	}
	return b.String(), nil
}

// declaration writes the exported declaration of the named schema s: an
// interface for an object with properties, a type alias otherwise.
func (g *generator) declaration(name string, s *schema.Schema) (string, error) {
	var b strings.Builder
	writeDoc(&b, "", schemaDoc(s))
	at := "/components/schemas/" + pointerEscape(name)
	if s.Ref == "" && len(s.AnyOf) == 0 && len(s.Enum) == 0 && slices.Equal(s.Type, schema.Types{"object"}) && len(s.Properties) > 0 {
		body, err := g.members(s, "  ", at)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "export interface %s {\n%s}\n", g.typeNames[name], body)
		return b.String(), nil
	}
	t, err := g.typeOf(s, "", at)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "export type %s = %s;\n", g.typeNames[name], t)
	return b.String(), nil
}

// schemaDoc is the doc comment of a schema: its description, what its
// format means, its constraints, default and examples, and whether it is
// deprecated.
func schemaDoc(s *schema.Schema) []string {
	if s == nil {
		return nil
	}
	var lines []string
	if s.Description != "" {
		lines = append(lines, strings.Split(s.Description, "\n")...)
	}
	if note := formatNote(s.Format); note != "" {
		lines = append(lines, note)
	}
	num := func(tag string, v *float64) {
		if v != nil {
			lines = append(lines, tag+" "+strconv.FormatFloat(*v, 'g', -1, 64))
		}
	}
	count := func(tag string, v *int) {
		if v != nil {
			lines = append(lines, tag+" "+strconv.Itoa(*v))
		}
	}
	num("@minimum", s.Minimum)
	num("@maximum", s.Maximum)
	count("@minLength", s.MinLength)
	count("@maxLength", s.MaxLength)
	if s.Pattern != "" {
		lines = append(lines, "@pattern "+s.Pattern)
	}
	count("@minItems", s.MinItems)
	count("@maxItems", s.MaxItems)
	if s.Default != nil {
		if lit, err := literal(s.Default); err == nil {
			lines = append(lines, "@default "+lit)
		}
	}
	for _, ex := range s.Examples {
		if lit, err := literal(ex); err == nil {
			lines = append(lines, "@example "+lit)
		}
	}
	if s.Deprecated {
		lines = append(lines, "@deprecated")
	}
	return lines
}

// formatNote says what a string of a format holds.
func formatNote(format string) string {
	switch format {
	case "":
		return ""
	case "date-time":
		return `A date and time in RFC 3339 form, such as "2026-03-01T17:00:00Z" (format: date-time).`
	case "date":
		return `A date in RFC 3339 form, such as "2026-03-01" (format: date).`
	case "byte":
		return "Bytes, base64-encoded (format: byte)."
	}
	return "Format: " + format + "."
}

// writeDoc writes lines as a JSDoc comment indented by indent; nothing
// when there are none.
func writeDoc(b *strings.Builder, indent string, lines []string) {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return
	}
	if len(lines) == 1 && len(indent)+len(lines[0]) < 90 {
		fmt.Fprintf(b, "%s/** %s */\n", indent, docText(lines[0]))
		return
	}
	fmt.Fprintf(b, "%s/**\n", indent)
	for _, l := range lines {
		if l = strings.TrimRight(docText(l), " \t"); l == "" {
			fmt.Fprintf(b, "%s *\n", indent)
		} else {
			fmt.Fprintf(b, "%s * %s\n", indent, l)
		}
	}
	fmt.Fprintf(b, "%s */\n", indent)
}

// docText keeps text from ending the comment it is written in.
func docText(s string) string {
	return strings.ReplaceAll(s, "*/", "*\\/")
}

// union joins alternatives with " | ", dropping repeats.
func union(alts []string) string {
	var out []string
	for _, a := range alts {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return strings.Join(out, " | ")
}

// isUnion reports whether the type t is a union at its top level, not
// only inside an object type or a type argument.
func isUnion(t string) bool {
	depth := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '{', '(', '<', '[':
			depth++
		case '}', ')', '>', ']':
			depth--
		case '"':
			for i++; i < len(t) && t[i] != '"'; i++ {
				if t[i] == '\\' {
					i++
				}
			}
		case '|':
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// literal writes a JSON value as a TypeScript literal: JSON is one.
func literal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func stringLiteral(s string) string {
	lit, _ := literal(s) // a string always encodes
	return lit
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
