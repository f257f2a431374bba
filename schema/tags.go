package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// tagRule applies one validation tag to a field's schema. jt is the JSON
// type of the field's value ("" for any value).
type tagRule struct {
	key   string
	types string // JSON types the tag applies to; "" for all
	apply func(s *Schema, jt, val string) error
}

var tagRules = []tagRule{
	{"doc", "", func(s *Schema, _, v string) error { s.Description = v; return nil }},
	{"deprecated", "", func(s *Schema, _, v string) (err error) { s.Deprecated, err = strconv.ParseBool(v); return err }},
	{"default", "", func(s *Schema, jt, v string) (err error) { s.Default, err = parseValue(jt, v); return err }},
	{"example", "", func(s *Schema, jt, v string) error {
		x, err := parseValue(jt, v)
		s.Examples = append(s.Examples, x)
		return err
	}},
	{"enum", "string integer number boolean", setEnum},
	{"minimum", "integer number", func(s *Schema, _, v string) error { return parseFloat(&s.Minimum, v) }},
	{"maximum", "integer number", func(s *Schema, _, v string) error { return parseFloat(&s.Maximum, v) }},
	{"minLength", "string", func(s *Schema, _, v string) error { return parseCount(&s.MinLength, v) }},
	{"maxLength", "string", func(s *Schema, _, v string) error { return parseCount(&s.MaxLength, v) }},
	{"pattern", "string", setPattern},
	{"format", "string", setFormat},
	{"minItems", "array", func(s *Schema, _, v string) error { return parseCount(&s.MinItems, v) }},
	{"maxItems", "array", func(s *Schema, _, v string) error { return parseCount(&s.MaxItems, v) }},
}

// applyTags applies a field's validation tags to s and sets *required from
// a required tag.
func applyTags(s *Schema, jt string, tag reflect.StructTag, required *bool) (*Schema, error) {
	if v, ok := tag.Lookup("required"); ok {
		r, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("tag required:%q: %w", v, unwrapNum(err))
		}
		*required = r
	}
	for _, r := range tagRules {
		v, ok := tag.Lookup(r.key)
		if !ok {
			continue
		}
		if r.types != "" && !strings.Contains(" "+r.types+" ", " "+jt+" ") {
			return nil, fmt.Errorf("tag %s:%q: does not apply to %s", r.key, v, describeType(jt))
		}
		if err := r.apply(s, jt, v); err != nil {
			return nil, fmt.Errorf("tag %s:%q: %w", r.key, v, unwrapNum(err))
		}
	}
	return s, nil
}

func describeType(jt string) string {
	if jt == "" {
		return "a value of any type"
	}
	return typeArticles[jt]
}

func parseFloat(dst **float64, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return err
	}
	*dst = &f
	return nil
}

func parseCount(dst **int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("must not be negative")
	}
	*dst = &n
	return nil
}

func setPattern(s *Schema, _, v string) error {
	re, err := regexp.Compile(v)
	if err != nil {
		return err
	}
	s.Pattern, s.re = v, re
	return nil
}

func setFormat(s *Schema, _, v string) error {
	if formats[v] == nil {
		return fmt.Errorf("unknown format (known: %s)", strings.Join(formatNames(), ", "))
	}
	s.Format = v
	return nil
}

// setEnum reads comma-separated values of the field's type.
func setEnum(s *Schema, jt, v string) error {
	s.Enum = nil
	for part := range strings.SplitSeq(v, ",") {
		x, err := parseValue(jt, part)
		if err != nil {
			return err
		}
		s.Enum = append(s.Enum, x)
	}
	return nil
}

// parseValue reads a tag value as a value of JSON type jt: strings as they
// are, numbers and booleans with strconv, other types as JSON.
func parseValue(jt, v string) (any, error) {
	switch jt {
	case "string":
		return v, nil
	case "integer":
		return strconv.ParseInt(v, 10, 64)
	case "number":
		return strconv.ParseFloat(v, 64)
	case "boolean":
		return strconv.ParseBool(v)
	}
	var x any
	if err := json.Unmarshal([]byte(v), &x); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	return x, nil
}

// unwrapNum strips strconv's `strconv.ParseInt: parsing "x":` prefix.
func unwrapNum(err error) error {
	if ne, ok := err.(*strconv.NumError); ok {
		return ne.Err
	}
	return err
}
