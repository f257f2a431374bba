package gati

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// A transform rewrites one decoded JSON value (numbers as json.Number, so
// large integers survive) into another version's shape.
type transform func(v any) (any, error)

// transformsFor returns the upgrades (up) or downgrades that version i
// declares for rt served by h: the route's own changes, then the changes
// to types that occur in h's request or response body.
func (v *versioning) transformsFor(rt *route, h Handler, i int, up bool) []transform {
	var out []transform
	in, res := bodyTypes(h)
	for _, c := range v.changes {
		if v.index[c.Version] != i {
			continue
		}
		fn := c.transform(up)
		switch {
		case fn == nil:
		case c.Type == nil && c.Route == rt.pattern:
			out = append(out, fn)
		case c.Type != nil && up && in != nil && typeOccurs(in, c.Type):
			out = append(out, typeTransform(in, c.Type, fn, false))
		case c.Type != nil && !up && res != nil && typeOccurs(res, c.Type):
			out = append(out, typeTransform(res, c.Type, fn, true))
		}
	}
	return out
}

// transform returns the change's translation in one direction, or nil.
func (c VersionChange) transform(up bool) transform {
	object, value := c.UpgradeRequest, c.UpgradeRequestValue
	if !up {
		object, value = c.DowngradeResponse, c.DowngradeResponseValue
	}
	switch {
	case value != nil:
		return value
	case object != nil:
		return func(v any) (any, error) {
			if m, ok := v.(map[string]any); ok {
				return m, object(m)
			}
			return v, nil
		}
	}
	return nil
}

// bodyTypes returns the Go types of a typed handler's request and
// response bodies, or nils for a raw handler.
func bodyTypes(h Handler) (in, out reflect.Type) {
	if th, ok := h.(TypedHandler); ok {
		return th.Types()
	}
	return nil, nil
}

// typeTransform applies fn to every occurrence of target in a body of
// type t. Downgrades (post) rewrite an occurrence after its contents,
// while they still have the newer shape the Go type describes; upgrades
// rewrite it before, so that its contents take that shape first.
func typeTransform(t, target reflect.Type, fn transform, post bool) transform {
	return func(v any) (any, error) { return walkType(v, t, target, fn, post) }
}

func walkType(v any, t, target reflect.Type, fn transform, post bool) (any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var err error
	if t == target && !post {
		if v, err = fn(v); err != nil {
			return nil, err
		}
	}
	switch x := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			for name, ft := range jsonFields(t) {
				if c, ok := x[name]; ok {
					if x[name], err = walkType(c, ft, target, fn, post); err != nil {
						return nil, err
					}
				}
			}
		case reflect.Map:
			for k, c := range x {
				if x[k], err = walkType(c, t.Elem(), target, fn, post); err != nil {
					return nil, err
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i := range x {
				if x[i], err = walkType(x[i], t.Elem(), target, fn, post); err != nil {
					return nil, err
				}
			}
		}
	}
	if t == target && post {
		return fn(v)
	}
	return v, nil
}

// typeOccurs reports whether a value of type target can occur in a JSON
// body of type t.
func typeOccurs(t, target reflect.Type) bool {
	return occurs(t, target, map[reflect.Type]bool{})
}

func occurs(t, target reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == target {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		for _, ft := range jsonFields(t) {
			if occurs(ft, target, seen) {
				return true
			}
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		return occurs(t.Elem(), target, seen)
	}
	return false
}

var jsonFieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the JSON member names of struct t to their field types,
// as encoding/json names them (promoted fields of embedded structs
// included).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := jsonFieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || name == "-":
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			continue // its fields are promoted
		case name == "":
			name = f.Name
		}
		if _, shadowed := fields[name]; !shadowed || len(f.Index) == 1 {
			fields[name] = f.Type
		}
	}
	jsonFieldCache.Store(t, fields)
	return fields
}

// decodeValue decodes a JSON body for translation.
func decodeValue(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// translate runs body through the transforms.
func translate(body []byte, ts []transform, what string) ([]byte, error) {
	v, err := decodeValue(body)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if v, err = t(v); err != nil {
			return nil, fmt.Errorf("gati: %s: %w", what, err)
		}
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("gati: %s: encoding the result: %w", what, err)
	}
	return out, nil
}
