package gati

import (
	"encoding/json"
	"net/http"
	"reflect"
	"unsafe"
)

// Handler serves one route. Most code uses HandlerFunc or Typed rather
// than implementing it directly.
type Handler interface {
	ServeGati(req *Request, res *Response, gctx *Global, lctx *Local) error
}

// HandlerFunc is the raw handler form: it reads the request and writes the
// response itself. Returning an error writes a problem+json response,
// unless the handler already wrote one.
type HandlerFunc func(req *Request, res *Response, gctx *Global, lctx *Local) error

// ServeGati calls f.
func (f HandlerFunc) ServeGati(req *Request, res *Response, gctx *Global, lctx *Local) error {
	return f(req, res, gctx, lctx)
}

// TypedFunc is the typed handler form. In is a struct whose fields tagged
// `path:"name"`, `query:"name"`, `header:"Name"` or `cookie:"name"` are
// filled from the request, and whose other exported fields are the JSON
// body. Out is written as the JSON response body with the route's status
// (200 unless set with Status or the directive's status=); its string
// fields tagged `header:"Name"` (and `json:"-"`) become response headers.
// A nil pointer Out writes 204 No Content.
type TypedFunc[In, Out any] func(gctx *Global, lctx *Local, in In) (Out, error)

// TypedHandler is a Handler built by Typed; tools use it to read the
// request and response types.
type TypedHandler interface {
	Handler
	// Types returns the In and Out types of the typed function.
	Types() (in, out reflect.Type)
}

// Validator is implemented by request types that check themselves after
// decoding. Return an *Error (see Invalid) to choose the response; any
// other error becomes a 422.
type Validator interface {
	Validate() error
}

// Invalid returns a 422 *Error listing problems with request fields.
func Invalid(errs ...FieldError) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
		Detail: "the request is not valid; see errors", Errors: errs}
}

// Typed adapts a typed function into a Handler. It panics at registration
// when In cannot be bound (a parameter field of an unsupported type): that
// is a programming error, found before the server starts.
func Typed[In, Out any](fn TypedFunc[In, Out]) TypedHandler {
	b, err := newBinder(reflect.TypeFor[In]())
	if err != nil {
		panic("gati: Typed: " + err.Error())
	}
	hs, err := newHeaderSetter(reflect.TypeFor[Out]())
	if err != nil {
		panic("gati: Typed: " + err.Error())
	}
	out := reflect.TypeFor[Out]()
	mayBeNil := out.Kind() == reflect.Pointer || out.Kind() == reflect.Interface
	h := &typedHandler[In, Out]{fn: fn, bind: b, headers: hs,
		validates:    reflect.TypeFor[*In]().Implements(reflect.TypeFor[Validator]()),
		mayBeNil:     mayBeNil,
		encodeInSlot: !mayBeNil && !addressMatters(out, nil)}
	h.flat = newFlatJSON(out) // its header fields are its own: it embeds nothing
	return h
}

type typedHandler[In, Out any] struct {
	fn      TypedFunc[In, Out]
	bind    *binder
	headers headerSetter
	// Decided once, so that a request pays for neither check when the
	// types rule it out: *In has a Validate method; an Out value may be a
	// nil pointer, which is answered 204.
	validates, mayBeNil bool
	// encodeInSlot says Out encodes the same through a pointer as by
	// value (see addressMatters), so the response is encoded from the
	// exchange's reused slot instead of a copy boxed for each request.
	encodeInSlot bool
	// flat encodes Out without encoding/json when it is a flat struct
	// (see flatJSON).
	flat *flatJSON
}

func (h *typedHandler[In, Out]) Types() (in, out reflect.Type) {
	return reflect.TypeFor[In](), reflect.TypeFor[Out]()
}

// funcPC is the handler function's entry point, for naming it in tools.
func (h *typedHandler[In, Out]) funcPC() uintptr { return reflect.ValueOf(h.fn).Pointer() }

// ServeGati decodes the request into the exchange's slot for In, calls
// the function with a copy of it, and encodes its result. The slots,
// one for In and one for Out, are kept by the exchange from one request
// to the next, so a typed request allocates neither: the function gets
// its input by value and the encoder reads the output before the slot is
// cleared, so nothing of one request reaches the next. A request type
// with a Validate method gets an input of its own instead: the method
// gets a pointer to it and may keep it.
func (h *typedHandler[In, Out]) ServeGati(req *Request, res *Response, gctx *Global, lctx *Local) error {
	x := req.ex
	reused := x != nil && !h.validates
	var in *In
	var zeroIn In
	if reused {
		if in, _ = x.inSlot.(*In); in == nil {
			in = newSlot[In](&x.inSlot)
		}
		*in = zeroIn // a panic while binding may have left an input behind
	} else {
		in = new(In)
	}
	err := h.bind.bind(req, unsafe.Pointer(in))
	if err == nil && h.validates {
		err = validate(any(in).(Validator))
	}
	v := *in
	if reused {
		*in = zeroIn // also the fields bound before a failure
	}
	if err != nil {
		return err
	}
	out, err := h.fn(gctx, lctx, v)
	if err != nil {
		return err
	}
	if h.flat != nil && x != nil && res.down == nil {
		if body, ok := x.flatBody(h.flat, unsafe.Pointer(&out)); ok {
			if len(h.headers) > 0 {
				h.headers.setAt(res.Header(), unsafe.Pointer(&out))
			}
			return res.bytes(lctx.successStatus(), "application/json", body)
		}
	}
	if !h.encodeInSlot || x == nil {
		return h.respond(res, lctx, out)
	}
	slot, _ := x.outSlot.(*Out)
	if slot == nil {
		slot = newSlot[Out](&x.outSlot)
	}
	*slot = out
	if len(h.headers) > 0 {
		h.headers.set(res.Header(), reflect.ValueOf(slot).Elem())
	}
	err = res.JSON(lctx.successStatus(), slot)
	var zeroOut Out
	*slot = zeroOut
	return err
}

// newSlot stores a new *T in an exchange's slot, which held nothing or a
// pointer to another type, and returns it. A request rarely runs it: the
// slots keep their types while the exchange serves the same route, so
// it stays out of line, away from the code every request runs.
//
//go:noinline
func newSlot[T any](slot *any) *T {
	p := new(T)
	*slot = p
	return p
}

// respond writes out: 204 for a nil pointer, else its header fields and
// its JSON.
func (h *typedHandler[In, Out]) respond(res *Response, lctx *Local, out Out) error {
	if h.mayBeNil || len(h.headers) > 0 {
		v := reflect.ValueOf(out)
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return res.NoContent()
		}
		if len(h.headers) > 0 {
			h.headers.set(res.Header(), v)
		}
	}
	return res.JSON(lctx.successStatus(), out)
}

// addressMatters reports whether encoding/json could encode a value of t
// differently through a pointer: it calls a MarshalJSON or MarshalText
// method declared on the pointer only when the value is addressable, as
// it is through a pointer and, within it, its struct fields and array
// elements. Elements reached through pointers, slices, maps and
// interfaces are addressable, or not, either way.
func addressMatters(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	if seen == nil {
		seen = map[reflect.Type]bool{}
	}
	seen[t] = true
	for _, m := range [...]reflect.Type{jsonMarshaler, textMarshaler} {
		if !t.Implements(m) && reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if addressMatters(t.Field(i).Type, seen) {
				return true
			}
		}
	case reflect.Array:
		return addressMatters(t.Elem(), seen)
	}
	return false
}

var jsonMarshaler = reflect.TypeFor[json.Marshaler]()

// validate runs the Validate method of the decoded request, a pointer,
// whose method set includes the methods of the value type too.
func validate(v Validator) error {
	err := v.Validate()
	if err == nil {
		return nil
	}
	if _, isErr := err.(*Error); isErr {
		return err
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Detail: err.Error(), Err: err}
}

func (l *Local) successStatus() int {
	if l.status != 0 {
		return l.status
	}
	if l.route != nil && l.route.status != 0 {
		return l.route.status
	}
	return http.StatusOK
}
