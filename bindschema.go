package gati

import (
	"encoding"
	"reflect"
	"strings"

	"gati.dev/gati/schema"
)

// planSchemas computes the schemas a typed handler's input is validated
// against: the body's, and each constrained or required parameter's. Bad
// validation tags are reported here, at registration.
func (b *binder) planSchemas(t reflect.Type) error {
	if b.hasBody {
		s, err := schema.For(t)
		if err != nil {
			return err
		}
		b.body = s
		root := resolveRoot(s)
		b.bodyFields = root.Type.Has("object") && len(root.Required) > 0
	}
	params, err := schema.Params(t)
	if err != nil {
		return err
	}
	for _, sp := range params {
		if p := b.param(sp.In, sp.Name); p != nil {
			p.required = sp.Required && sp.In != "path"
			if constrained(sp.Schema, sp.Schema) {
				p.schema = sp.Schema
			}
		}
	}
	return nil
}

func (b *binder) param(in, name string) *paramField {
	for i := range b.params {
		if b.params[i].in == in && b.params[i].name == name {
			return &b.params[i]
		}
	}
	return nil
}

// resolveRoot follows a root $ref into the root's $defs.
func resolveRoot(s *schema.Schema) *schema.Schema { return resolve(s, s) }

// resolve follows s's $ref, if any, into root's $defs.
func resolve(root, s *schema.Schema) *schema.Schema {
	if name, ok := strings.CutPrefix(s.Ref, "#/$defs/"); ok && root.Defs[name] != nil {
		return root.Defs[name]
	}
	return s
}

// constrained reports whether the parameter schema s checks more than the
// Go type already guarantees once the value parsed: ranges, lengths,
// patterns, enums, formats, on the value or its items.
func constrained(root, s *schema.Schema) bool {
	s = resolve(root, s)
	if s.Items != nil && constrained(root, s.Items) {
		return true
	}
	return s.Enum != nil || s.Minimum != nil || s.Maximum != nil || s.MinLength != nil || s.MaxLength != nil ||
		s.Pattern != "" || s.MinItems != nil || s.MaxItems != nil || (s.Format != "" && s.Format != "byte")
}

// validate checks a bound parameter against its schema, or reports it
// missing when it is required.
func (p *paramField) validate(present bool, dst reflect.Value) []FieldError {
	if !present {
		return []FieldError{{Pointer: p.pointer(), Detail: "is required"}}
	}
	if p.schema == nil {
		return nil
	}
	return fieldErrors(p.schema.Validate(paramInstance(dst.FieldByIndex(p.index))), p.pointer())
}

var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

// paramInstance converts a bound parameter to the JSON-like value the
// schema validates: numbers as float64, slices as []any.
func paramInstance(v reflect.Value) any {
	if v.Type().Implements(textMarshaler) {
		text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return nil
		}
		return string(text)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return paramInstance(v.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = paramInstance(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

// fieldErrors turns schema violations into problem field errors, their
// pointers prefixed with where the validated value sits.
func fieldErrors(errs []schema.Error, prefix string) []FieldError {
	out := make([]FieldError, len(errs))
	for i, e := range errs {
		out[i] = FieldError{Pointer: prefix + e.Pointer, Detail: e.Message}
	}
	return out
}
