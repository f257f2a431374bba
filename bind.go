package gati

import (
	"encoding"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"unsafe"

	"gati.dev/gati/schema"
)

// binder fills a typed handler's In struct from a request. Its plan is
// computed once, when the route is registered.
type binder struct {
	t       reflect.Type
	params  []paramField
	hasBody bool
	body    *schema.Schema // the body's schema, when it has one
	// bodyFields is set when the body must be an object with required
	// fields, so an absent body is reported field by field.
	bodyFields bool
	// stringsOnly is set when In has no body and every parameter is an
	// optional, unconstrained string field reached without a pointer:
	// the common shape of a query or path input, bound by bindStrings.
	stringsOnly bool
}

// paramField is one struct field filled from a path, query, header or
// cookie parameter.
type paramField struct {
	index    []int
	offset   uintptr // from the start of In, when direct
	direct   bool    // a string field reached without a pointer: set through offset
	in       string  // "path", "query", "header" or "cookie"
	name     string
	multi    bool // a slice: takes every value of a repeated parameter
	parse    func(dst reflect.Value, raw string) error
	required bool           // tagged required:"true" (path parameters always are present)
	schema   *schema.Schema // set when the parameter has constraints to check
}

var paramSources = [...]string{"path", "query", "header", "cookie"}

// newBinder plans how to bind t. Non-struct types bind from the body.
func newBinder(t reflect.Type) (*binder, error) {
	b := &binder{t: t}
	if t.Kind() != reflect.Struct {
		b.hasBody = t != reflect.TypeFor[struct{}]()
	} else {
		for _, f := range reflect.VisibleFields(t) {
			if err := b.plan(t, f); err != nil {
				return nil, err
			}
		}
	}
	if err := b.planSchemas(t); err != nil {
		return nil, err
	}
	b.stringsOnly = !b.hasBody
	for _, p := range b.params {
		b.stringsOnly = b.stringsOnly && p.direct && !p.required && p.schema == nil
	}
	return b, nil
}

func (b *binder) plan(t reflect.Type, f reflect.StructField) error {
	if !f.IsExported() || f.Anonymous && indirect(f.Type).Kind() == reflect.Struct {
		return nil // an embedded struct's fields are planned one by one
	}
	for _, src := range paramSources {
		name, ok := f.Tag.Lookup(src)
		if !ok {
			continue
		}
		p, err := newParamField(f, src, name)
		var offset uintptr
		var direct bool
		if err == nil {
			offset, direct, err = fieldPath(t, f.Index)
		}
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		if direct && f.Type.Kind() == reflect.String {
			p.offset, p.direct = offset, true
		}
		b.params = append(b.params, p)
		return nil
	}
	if f.Tag.Get("json") != "-" {
		b.hasBody = true
	}
	return nil
}

func newParamField(f reflect.StructField, src, name string) (paramField, error) {
	if name == "" {
		return paramField{}, fmt.Errorf("%s tag has no name", src)
	}
	p := paramField{index: f.Index, in: src, name: name}
	elem := f.Type
	if elem.Kind() == reflect.Slice && src != "path" {
		p.multi, elem = true, elem.Elem()
	}
	parse, err := parserFor(elem)
	if err != nil {
		return paramField{}, fmt.Errorf("%s parameter %q: %w", src, name, err)
	}
	p.parse = parse
	return p, nil
}

// fieldPath follows index from t to a parameter field. It returns the
// field's offset in a value of t and whether the way to it has no pointer
// (an embedded *T), so that binding may store through the offset. It
// rejects a field promoted through an embedded pointer to an unexported
// struct type: binding would have to allocate the struct, and reflection
// cannot set an unexported field.
func fieldPath(t reflect.Type, index []int) (offset uintptr, direct bool, err error) {
	direct = true
	for i, n := range index {
		f := t.Field(n)
		offset += f.Offset
		if i < len(index)-1 && f.Type.Kind() == reflect.Pointer {
			if !f.IsExported() {
				name := f.Type.Elem().Name()
				return 0, false, fmt.Errorf("promoted through the embedded *%s, which Gati cannot allocate (its type is unexported): embed %s by value or export it", name, name)
			}
			direct = false
		}
		t = indirect(f.Type)
	}
	return offset, direct, nil
}

// indirect returns the type a pointer type points to, or t.
func indirect(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// fieldFor returns the field at index in v for setting, allocating the
// embedded structs it is promoted through where they are nil pointers, as
// encoding/json does.
func fieldFor(v reflect.Value, index []int) reflect.Value {
	for i, n := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(n)
	}
	return v
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// parserFor returns a function that parses a parameter into a value of t.
// A pointer type is left nil when the parameter is absent, so handlers can
// tell "not sent" from the zero value.
func parserFor(t reflect.Type) (func(reflect.Value, string) error, error) {
	if t.Kind() == reflect.Pointer {
		elem, err := parserFor(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(v reflect.Value, s string) error {
			p := reflect.New(t.Elem())
			if err := elem(p.Elem(), s); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}, nil
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return func(v reflect.Value, s string) error {
			return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, s string) error { v.SetString(s); return nil }, nil
	case reflect.Bool:
		return func(v reflect.Value, s string) error {
			b, err := strconv.ParseBool(s)
			v.SetBool(b)
			return err
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseInt(s, 10, t.Bits())
			v.SetInt(n)
			return err
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseUint(s, 10, t.Bits())
			v.SetUint(n)
			return err
		}, nil
	case reflect.Float32, reflect.Float64:
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseFloat(s, t.Bits())
			v.SetFloat(n)
			return err
		}, nil
	}
	return nil, fmt.Errorf("unsupported type %s (use a string, bool, number, slice of them, or an encoding.TextUnmarshaler)", t)
}

// bind fills the In that in points to. It decodes the body (when In has
// body fields) and then the parameters, so a body can never override a
// path, query, header or cookie value. Parameters that do not parse are a
// 400; values that break the schema (body or parameters) are a 422
// listing every violation.
func (b *binder) bind(req *Request, in unsafe.Pointer) error {
	if b.stringsOnly && req.queryProblems() == nil {
		b.bindStrings(req, in)
		return nil
	}
	dst := reflect.NewAt(b.t, in).Elem()
	var invalid []FieldError
	if b.hasBody {
		errs, err := b.bindBody(req, dst)
		if err != nil {
			return err
		}
		invalid = errs
	}
	problems := req.queryProblems()
	malformed := problems[:len(problems):len(problems)]
	for i := range b.params {
		p := &b.params[i]
		present, fe := p.bind(req, dst)
		switch {
		case fe != nil:
			malformed = append(malformed, *fe)
		case present || p.required:
			invalid = append(invalid, p.validate(present, dst)...)
		}
	}
	if malformed != nil {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_parameter",
			Detail: "request parameters are not valid; see errors", Errors: malformed}
	}
	if invalid != nil {
		return Invalid(invalid...)
	}
	return nil
}

// bindStrings binds an input of optional string parameters: nothing can
// fail to parse or break a constraint, so each value is stored as it is,
// without reflection. A request runs this code on every call, so it is
// kept short: the less code a request runs, the less of it has to be
// fetched again after the kernel and net/http have evicted it.
func (b *binder) bindStrings(req *Request, in unsafe.Pointer) {
	for i := range b.params {
		p := &b.params[i]
		if v, ok := p.value(req); ok {
			*(*string)(unsafe.Add(in, p.offset)) = v
		}
	}
}

// bindBody validates the body against its schema and, when it is valid,
// decodes it into dst. Violations come back as field errors; malformed
// JSON and other failures as the error.
func (b *binder) bindBody(req *Request, dst reflect.Value) ([]FieldError, error) {
	var body []byte
	if req.r.ContentLength != 0 || req.r.Body != http.NoBody {
		if err := req.requireJSON(); err != nil {
			return nil, err
		}
		var err error
		if body, err = req.Body(); err != nil {
			return nil, err
		}
	}
	if len(body) == 0 {
		if b.bodyFields {
			return fieldErrors(b.body.Validate(map[string]any{}), ""), nil
		}
		return nil, nil
	}
	if b.body != nil {
		var v any
		if err := decodeJSON(body, &v); err != nil {
			// The schema's view holds numbers as float64, which a number
			// such as 1e400 overflows, and the decoder then reports the
			// wrong offset and type. Decoding into the input names the field.
			if ferr := decodeJSON(body, dst.Addr().Interface()); ferr != nil {
				return nil, ferr
			}
			return nil, err
		}
		if errs := b.body.Validate(v); len(errs) > 0 {
			return fieldErrors(errs, ""), nil
		}
	}
	if err := decodeJSON(body, dst.Addr().Interface()); err != nil {
		return nil, err
	}
	for i := range b.params { // parameters come only from their own source
		if f, err := dst.FieldByIndexErr(b.params[i].index); err == nil { // else under a nil embedded pointer: zero already
			f.SetZero()
		}
	}
	return nil, nil
}

// bind sets one parameter field from the request. It reports whether the
// parameter was sent, and a FieldError when a value does not parse.
func (p *paramField) bind(req *Request, dst reflect.Value) (present bool, fe *FieldError) {
	if !p.multi {
		raw, ok := p.value(req)
		if !ok {
			return false, nil
		}
		return true, p.check(p.parse(fieldFor(dst, p.index), raw), raw)
	}
	values := p.values(req)
	if len(values) == 0 {
		return false, nil
	}
	f := fieldFor(dst, p.index)
	f.Set(reflect.MakeSlice(f.Type(), len(values), len(values)))
	for i, s := range values {
		if fe := p.check(p.parse(f.Index(i), s), s); fe != nil {
			return true, fe
		}
	}
	return true, nil
}

func (p *paramField) check(err error, raw string) *FieldError {
	if err == nil {
		return nil
	}
	return &FieldError{Pointer: p.pointer(),
		Detail: fmt.Sprintf("%s parameter %q: cannot use %q: %v", p.in, p.name, raw, unwrapNum(err))}
}

// pointer locates the parameter in problem documents: "/query/limit".
func (p *paramField) pointer() string { return "/" + p.in + "/" + p.name }

// unwrapNum strips strconv's "strconv.ParseInt: parsing ..." prefix.
func unwrapNum(err error) error {
	if ne, ok := err.(*strconv.NumError); ok {
		return ne.Err
	}
	return err
}

// value returns the parameter's first value, without allocating.
func (p *paramField) value(req *Request) (string, bool) {
	switch p.in {
	case "path":
		v := req.params.Get(p.name)
		return v, v != ""
	case "query":
		if req.query != nil {
			if vs := req.query[p.name]; len(vs) > 0 {
				return vs[0], true
			}
			return "", false
		}
		if req.queryChecked && req.queryPlain {
			return plainQueryValue(req.r.URL.RawQuery, p.name)
		}
		return queryValue(req.r.URL.RawQuery, p.name)
	case "header":
		if vs := req.r.Header.Values(p.name); len(vs) > 0 {
			return vs[0], true
		}
	case "cookie":
		if c, err := req.r.Cookie(p.name); err == nil {
			return c.Value, true
		}
	}
	return "", false
}

// values returns every value of a repeated parameter.
func (p *paramField) values(req *Request) []string {
	switch p.in {
	case "header":
		return req.r.Header.Values(p.name)
	case "cookie":
		var vs []string
		for _, c := range req.r.CookiesNamed(p.name) {
			vs = append(vs, c.Value)
		}
		return vs
	}
	if req.query != nil {
		return req.query[p.name]
	}
	return queryValues(req.r.URL.RawQuery, p.name)
}
