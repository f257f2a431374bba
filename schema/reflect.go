package schema

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

var (
	timeType      = reflect.TypeFor[time.Time]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// For returns the root schema of t. Named struct types and enum types are
// described once under $defs and referenced with $ref; see the package
// documentation for the mapping rules. It fails on types encoding/json
// cannot represent (channels, functions, complex numbers, maps with other
// than string, integer or text keys) and on bad tag values, naming the type,
// the field and the tag.
func For(t reflect.Type) (*Schema, error) {
	if t == nil {
		return nil, fmt.Errorf("schema: For(nil)")
	}
	b := newBuilder()
	s, err := b.typeSchema(t)
	if err != nil {
		return nil, err
	}
	return b.root(s)
}

// ForValue returns the root schema of T.
func ForValue[T any]() (*Schema, error) {
	return For(reflect.TypeFor[T]())
}

// builder builds one root schema.
type builder struct {
	defs  map[reflect.Type]*Schema // named structs and enums; nil while being built
	order []reflect.Type           // defs in the order found
	refs  []refNode                // $ref nodes to fill in once names are known
}

type refNode struct {
	node *Schema
	t    reflect.Type
}

func newBuilder() *builder {
	return &builder{defs: map[reflect.Type]*Schema{}}
}

// root names the $defs, fills in the references and attaches the $defs to s.
func (b *builder) root(s *Schema) (*Schema, error) {
	names, err := defNames(b.order)
	if err != nil {
		return nil, err
	}
	for _, r := range b.refs {
		r.node.Ref = "#/$defs/" + names[r.t]
	}
	if len(b.order) > 0 {
		s.Defs = make(map[string]*Schema, len(b.order))
		for _, t := range b.order {
			s.Defs[names[t]] = b.defs[t]
		}
	}
	return s, nil
}

// typeSchema returns the schema of a value of type t.
func (b *builder) typeSchema(t reflect.Type) (*Schema, error) {
	if t.Kind() == reflect.Pointer {
		s, err := b.typeSchema(t.Elem())
		if err != nil {
			return nil, err
		}
		return nullable(s), nil
	}
	switch {
	case t == timeType:
		return &Schema{Type: Types{"string"}, Format: "date-time"}, nil
	case isEnum(t):
		return b.ref(t)
	case implements(t, marshalerType):
		return &Schema{}, nil
	case implements(t, textType):
		return &Schema{Type: Types{"string"}}, nil
	case t.Kind() == reflect.Struct && t.Name() != "":
		return b.ref(t)
	}
	return b.kindSchema(t)
}

// kindSchema maps t by its kind, ignoring its methods.
func (b *builder) kindSchema(t reflect.Type) (*Schema, error) {
	switch t.Kind() {
	case reflect.Bool:
		return &Schema{Type: Types{"boolean"}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &Schema{Type: Types{"integer"}}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return &Schema{Type: Types{"integer"}, Minimum: ptr(0.0)}, nil
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: Types{"number"}}, nil
	case reflect.String:
		return &Schema{Type: Types{"string"}}, nil
	case reflect.Interface:
		return &Schema{}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), marshalerType) && !implements(t.Elem(), textType) {
			return &Schema{Type: Types{"string"}, Format: "byte"}, nil
		}
		return b.arraySchema(t)
	case reflect.Array:
		s, err := b.arraySchema(t)
		if err == nil {
			s.MinItems, s.MaxItems = ptr(t.Len()), ptr(t.Len())
		}
		return s, err
	case reflect.Map:
		return b.mapSchema(t)
	case reflect.Struct:
		return b.structSchema(t)
	}
	return nil, fmt.Errorf("schema: unsupported type %s (kind %s)", t, t.Kind())
}

func (b *builder) arraySchema(t reflect.Type) (*Schema, error) {
	items, err := b.typeSchema(t.Elem())
	if err != nil {
		return nil, err
	}
	return &Schema{Type: Types{"array"}, Items: items}, nil
}

func (b *builder) mapSchema(t reflect.Type) (*Schema, error) {
	switch k := t.Key(); {
	case k.Kind() == reflect.String, implements(k, textType):
	case k.Kind() >= reflect.Int && k.Kind() <= reflect.Uintptr:
	default:
		return nil, fmt.Errorf("schema: unsupported map key type in %s", t)
	}
	values, err := b.typeSchema(t.Elem())
	if err != nil {
		return nil, err
	}
	return &Schema{Type: Types{"object"}, AdditionalProperties: values}, nil
}

// ref returns a $ref to the definition of the named type t, building the
// definition the first time.
func (b *builder) ref(t reflect.Type) (*Schema, error) {
	node := &Schema{Ref: "#"} // filled in by root
	b.refs = append(b.refs, refNode{node, t})
	if _, seen := b.defs[t]; seen {
		return node, nil
	}
	b.defs[t] = nil // in progress: recursive uses stop here
	b.order = append(b.order, t)
	var def *Schema
	var err error
	if isEnum(t) {
		def, err = b.enumSchema(t)
	} else {
		def, err = b.structSchema(t)
	}
	if err != nil {
		return nil, err
	}
	b.defs[t] = def
	return node, nil
}

// structSchema describes the JSON object encoding/json writes for t.
func (b *builder) structSchema(t reflect.Type) (*Schema, error) {
	s := &Schema{Type: Types{"object"}, Properties: map[string]*Schema{}}
	for _, f := range jsonFields(t) {
		if f.param {
			continue
		}
		fs, req, err := b.fieldSchema(t, f)
		if err != nil {
			return nil, err
		}
		s.Properties[f.name] = fs
		if req {
			s.Required = append(s.Required, f.name)
		}
	}
	sortStrings(s.Required)
	return s, nil
}

// fieldSchema returns the schema of one body field and whether it is
// required.
func (b *builder) fieldSchema(t reflect.Type, f field) (*Schema, bool, error) {
	var s *Schema
	var err error
	if f.quoted {
		s = &Schema{Type: Types{"string"}}
		if f.sf.Type.Kind() == reflect.Pointer {
			s = nullable(s)
		}
	} else if s, err = b.typeSchema(f.sf.Type); err != nil {
		return nil, false, fmt.Errorf("%w (field %s.%s)", err, t, f.sf.Name)
	}
	required := f.sf.Type.Kind() != reflect.Pointer && !f.omitEmpty && !f.viaPtr
	req, err := applyTags(s, valueType(f.sf.Type, f.quoted), f.sf.Tag, &required)
	if err != nil {
		return nil, false, fmt.Errorf("schema: %s.%s: %w", t, f.sf.Name, err)
	}
	return req, required, nil
}

// nullable makes s also accept null.
func nullable(s *Schema) *Schema {
	switch {
	case s.Ref != "" || len(s.AnyOf) > 0:
		return &Schema{AnyOf: []*Schema{s, {Type: Types{"null"}}}}
	case len(s.Type) == 0, s.Type.Has("null"):
		return s
	}
	s.Type = append(s.Type, "null")
	return s
}

// valueType returns the JSON type a value of t is written as ("" for any
// value), following the same order of rules as typeSchema.
func valueType(t reflect.Type, quoted bool) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case quoted, t == timeType:
		return "string"
	case isEnum(t):
	case implements(t, marshalerType):
		return ""
	case implements(t, textType):
		return "string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), marshalerType) && !implements(t.Elem(), textType) {
			return "string"
		}
		return "array"
	case reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return ""
}

// implements reports whether t or *t implements iface, as encoding/json
// finds methods on addressable values.
func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

func ptr[T any](v T) *T { return &v }
