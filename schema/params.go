package schema

import (
	"encoding"
	"fmt"
	"reflect"
)

// Param is a request parameter: a field of a typed handler's input struct
// tagged path, query, header or cookie.
type Param struct {
	In       string  `json:"in"` // "path", "query", "header" or "cookie"
	Name     string  `json:"name"`
	Required bool    `json:"required"`
	Schema   *Schema `json:"schema"` // a root schema: it has the $defs it uses
}

// Params lists the parameters of the input struct t in field order
// (reflect.VisibleFields, as the binder walks them). A path parameter is
// always required; others when tagged `required:"true"`. A pointer field's
// schema is its element's: an absent parameter leaves the field nil, and
// null cannot be sent. Validation tags apply as on body fields.
func Params(t reflect.Type) ([]Param, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, nil
	}
	var ps []Param
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct) {
			continue
		}
		for _, in := range paramSources {
			name, ok := f.Tag.Lookup(in)
			if !ok {
				continue
			}
			p, err := param(t, f, in, name)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
			break
		}
	}
	return ps, nil
}

func param(t reflect.Type, f reflect.StructField, in, name string) (Param, error) {
	if name == "" {
		return Param{}, fmt.Errorf("schema: %s.%s: %s tag has no name", t, f.Name, in)
	}
	ft := f.Type
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	b := newBuilder()
	var s *Schema
	var err error
	if textParam(ft) {
		s = &Schema{Type: Types{"string"}}
	} else {
		s, err = b.typeSchema(ft)
	}
	if err != nil {
		return Param{}, fmt.Errorf("%w (field %s.%s)", err, t, f.Name)
	}
	var required bool
	if s, err = applyTags(s, valueType(ft, false), f.Tag, &required); err != nil {
		return Param{}, fmt.Errorf("schema: %s.%s: %w", t, f.Name, err)
	}
	required = required || in == "path"
	if s, err = b.root(s); err != nil {
		return Param{}, err
	}
	return Param{In: in, Name: name, Required: required, Schema: s}, nil
}

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// textParam reports whether a parameter of type t is sent as a string that
// its UnmarshalText parses, though its JSON form is a structure: a struct,
// map, slice or array type whose pointer implements
// encoding.TextUnmarshaler.
func textParam(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
		return t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)
	}
	return false
}
