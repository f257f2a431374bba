package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Validate checks instance, a value as encoding/json decodes into an any
// (nil, bool, float64 or json.Number, string, []any, map[string]any; Go
// integers are accepted too), against s. It returns every error, sorted by
// pointer (byte order; errors at one pointer in keyword order), or nil.
// $ref is resolved against s.Defs, so s should be a root schema. Validate
// does not modify s and is safe for concurrent use.
func (s *Schema) Validate(instance any) []Error {
	v := validator{root: s}
	v.check(s, instance)
	slices.SortStableFunc(v.errs, func(a, b Error) int { return strings.Compare(a.Pointer, b.Pointer) })
	return v.errs
}

type validator struct {
	root *Schema
	path []string // the pointer's tokens, escaped
	errs []Error
}

func (v *validator) fail(format string, args ...any) {
	p := ""
	if len(v.path) > 0 {
		p = "/" + strings.Join(v.path, "/")
	}
	v.errs = append(v.errs, Error{Pointer: p, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) check(s *Schema, x any) {
	if s.Ref != "" {
		if def := v.resolve(s.Ref); def != nil {
			v.check(def, x)
		} else {
			v.fail("cannot be checked: unknown schema reference %q", s.Ref)
		}
	}
	if len(s.AnyOf) > 0 {
		v.anyOf(s.AnyOf, x)
	}
	if len(s.Type) > 0 && !typeMatches(s.Type, x) {
		v.fail("must be %s", typePhrase(s.Type))
		return
	}
	if s.Enum != nil && !inEnum(s.Enum, x) {
		v.fail("must be one of %s", enumPhrase(s.Enum))
	}
	switch x := x.(type) {
	case string:
		v.checkString(s, x)
	case []any:
		v.checkArray(s, x)
	case map[string]any:
		v.checkObject(s, x)
	case nil, bool:
	default:
		if n, ok := number(x); ok {
			v.checkNumber(s, n)
		}
	}
}

func (v *validator) resolve(ref string) *Schema {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil
	}
	if strings.Contains(name, "~") {
		name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
	}
	return v.root.Defs[name]
}

// anyOf passes when one alternative does; else it reports the errors of
// the alternatives other than {"type": "null"} if there is only one such,
// or a single error.
func (v *validator) anyOf(alts []*Schema, x any) {
	var nonNull []*Schema
	for _, alt := range alts {
		sub := validator{root: v.root, path: v.path}
		sub.check(alt, x)
		if len(sub.errs) == 0 {
			return
		}
		if !(len(alt.Type) == 1 && alt.Type[0] == "null" && alt.Ref == "") {
			nonNull = append(nonNull, alt)
		}
	}
	if len(nonNull) == 1 {
		if x == nil {
			v.fail("must not be null")
			return
		}
		v.check(nonNull[0], x)
		return
	}
	v.fail("must match one of the allowed schemas")
}

func (v *validator) checkString(s *Schema, x string) {
	if s.MinLength != nil || s.MaxLength != nil {
		n := utf8.RuneCountInString(x)
		if s.MinLength != nil && n < *s.MinLength {
			v.fail("must be at least %s long", plural(*s.MinLength, "character"))
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			v.fail("must be at most %s long", plural(*s.MaxLength, "character"))
		}
	}
	if s.Pattern != "" {
		if re := s.regexp(); re == nil {
			v.fail("cannot be checked: invalid pattern %q", s.Pattern)
		} else if !re.MatchString(x) {
			v.fail("must match the pattern %q", s.Pattern)
		}
	}
	if f := formats[s.Format]; f != nil && !f.valid(x) {
		v.fail("%s", f.message)
	}
}

func (v *validator) checkNumber(s *Schema, n float64) {
	if s.Minimum != nil && n < *s.Minimum {
		v.fail("must be at least %s", fmtNum(*s.Minimum))
	}
	if s.Maximum != nil && n > *s.Maximum {
		v.fail("must be at most %s", fmtNum(*s.Maximum))
	}
}

func (v *validator) checkArray(s *Schema, x []any) {
	if s.MinItems != nil && len(x) < *s.MinItems {
		v.fail("must have at least %s", plural(*s.MinItems, "item"))
	}
	if s.MaxItems != nil && len(x) > *s.MaxItems {
		v.fail("must have at most %s", plural(*s.MaxItems, "item"))
	}
	if s.Items == nil {
		return
	}
	for i, item := range x {
		v.path = append(v.path, strconv.Itoa(i))
		v.check(s.Items, item)
		v.path = v.path[:len(v.path)-1]
	}
}

func (v *validator) checkObject(s *Schema, x map[string]any) {
	for _, name := range s.Required {
		if _, ok := x[name]; !ok {
			v.path = append(v.path, escape(name))
			v.fail("is required")
			v.path = v.path[:len(v.path)-1]
		}
	}
	if s.Properties == nil && s.AdditionalProperties == nil {
		return
	}
	for name, val := range x {
		sub, ok := s.Properties[name]
		if !ok {
			sub = s.AdditionalProperties
		}
		if sub == nil {
			continue
		}
		v.path = append(v.path, escape(name))
		v.check(sub, val)
		v.path = v.path[:len(v.path)-1]
	}
}

// regexp returns the compiled Pattern: compiled by For, or else compiled
// once per pattern and cached.
func (s *Schema) regexp() *regexp.Regexp {
	if s.re != nil {
		return s.re
	}
	if re, ok := patterns.Load(s.Pattern); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(s.Pattern)
	if err != nil {
		return nil
	}
	patterns.Store(s.Pattern, re)
	return re
}

var patterns sync.Map // pattern string → *regexp.Regexp, for schemas not built by For

func typeMatches(types Types, x any) bool {
	for _, t := range types {
		if isType(t, x) {
			return true
		}
	}
	return false
}

func isType(t string, x any) bool {
	switch t {
	case "null":
		return x == nil
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "number":
		_, ok := number(x)
		return ok
	case "integer":
		n, ok := number(x)
		return ok && n == math.Trunc(n) && !math.IsInf(n, 0)
	}
	return false
}

// number returns x as a float64 if x is a number.
func number(x any) (float64, bool) {
	switch n := x.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil || isRange(err)
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint:
		return float64(n), true
	}
	return 0, false
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

var typeArticles = map[string]string{
	"null": "null", "boolean": "a boolean", "string": "a string", "array": "an array",
	"object": "an object", "number": "a number", "integer": "an integer",
}

// typePhrase is "a string", "a string or null", "a string, a number or null".
func typePhrase(types Types) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = typeArticles[t]
		if parts[i] == "" {
			parts[i] = strconv.Quote(t)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func inEnum(values []any, x any) bool {
	for _, e := range values {
		if sameValue(e, x) {
			return true
		}
	}
	return false
}

// sameValue compares JSON values, numbers by value.
func sameValue(a, b any) bool {
	if na, ok := number(a); ok {
		nb, ok := number(b)
		return ok && na == nb
	}
	switch a.(type) {
	case string, bool, nil:
		return a == b
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// enumPhrase is `"todo", "done"`: the values as JSON, comma-separated.
func enumPhrase(values []any) string {
	parts := make([]string, len(values))
	for i, e := range values {
		b, err := json.Marshal(e)
		if err != nil {
			b = []byte(fmt.Sprint(e))
		}
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// escape encodes a property name as an RFC 6901 reference token.
func escape(name string) string {
	if !strings.ContainsAny(name, "~/") {
		return name
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}
