package gati

import (
	"fmt"
	"net/http"
	"reflect"
	"unsafe"
)

// headerSetter copies a typed handler's output fields tagged
// `header:"Name"` into response headers.
type headerSetter []outHeader

type outHeader struct {
	index  []int
	offset uintptr // of a field declared in the struct itself (see setAt)
	name   string
}

// newHeaderSetter plans the header fields of t (a struct or a pointer to
// one). Header fields must be strings and excluded from the JSON body.
func newHeaderSetter(t reflect.Type) (headerSetter, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, nil
	}
	var hs headerSetter
	for _, f := range reflect.VisibleFields(t) {
		name, ok := f.Tag.Lookup("header")
		if !ok || !f.IsExported() {
			continue
		}
		if f.Type.Kind() != reflect.String || f.Tag.Get("json") != "-" || name == "" {
			return nil, fmt.Errorf("%s.%s: a response header field must be a string tagged `header:\"Name\" json:\"-\"`", t, f.Name)
		}
		hs = append(hs, outHeader{index: f.Index, offset: f.Offset, name: http.CanonicalHeaderKey(name)})
	}
	return hs, nil
}

// set writes the non-empty header fields of out (a struct or pointer).
func (hs headerSetter) set(h http.Header, out reflect.Value) {
	out = reflect.Indirect(out)
	for _, oh := range hs {
		// A field promoted through a nil embedded pointer is absent.
		if f, err := out.FieldByIndexErr(oh.index); err == nil && f.String() != "" {
			h.Set(oh.name, f.String())
		}
	}
}

// setAt is set for a struct at out whose header fields are all declared
// in it, none promoted: as in a flat output (see flatJSON).
func (hs headerSetter) setAt(h http.Header, out unsafe.Pointer) {
	for _, oh := range hs {
		if s := *(*string)(unsafe.Add(out, oh.offset)); s != "" {
			h.Set(oh.name, s)
		}
	}
}
