package gati

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"gati.dev/gati/schema"
)

// flatJSON encodes a typed handler's output when it is a flat struct: its
// JSON fields are all strings, booleans and numbers, with no method that
// changes how encoding/json writes them. Such a response, the common
// shape of an API's answer, is written field by field at each field's
// offset, skipping encoding/json's reflection, its type cache look-up and
// its pooled buffer: less code for each request to run and fewer cache
// lines to fetch. The bytes are exactly encoding/json's (FuzzFlatJSON
// checks it); any other type goes through encoding/json.
type flatJSON struct {
	fields []flatField
}

type flatField struct {
	offset    uintptr
	kind      reflect.Kind
	key       string // `"name":`, escaped as encoding/json writes it
	omitEmpty bool
}

// newFlatJSON plans t, or returns nil when encoding/json must encode it.
func newFlatJSON(t reflect.Type) *flatJSON {
	if t.Kind() != reflect.Struct || customJSON(t) {
		return nil
	}
	p := &flatJSON{}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil // embedded fields follow encoding/json's promotion rules
		}
		if !f.IsExported() {
			continue
		}
		name, opts, skip := schema.JSONTag(f)
		if skip {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omitEmpty := false
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "omitempty":
				omitEmpty = true
			case "string", "omitzero":
				return nil
			}
		}
		if seen[name] || !flatKind(f.Type) {
			return nil // encoding/json drops both fields of a duplicated name
		}
		seen[name] = true
		key, _ := json.Marshal(name) // the name is valid UTF-8 without quotes or controls: only HTML is escaped
		p.fields = append(p.fields, flatField{offset: f.Offset, kind: f.Type.Kind(),
			key: string(key) + ":", omitEmpty: omitEmpty})
	}
	return p
}

// flatKind reports whether encoding/json writes values of t as their
// string, boolean or number.
func flatKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String:
		return t != reflect.TypeFor[json.Number]() && !customJSON(t)
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return !customJSON(t)
	}
	return false
}

// customJSON reports whether t or *t has a MarshalJSON or MarshalText
// method, which encoding/json calls instead of encoding the value.
func customJSON(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(jsonMarshaler) || pt.Implements(textMarshaler)
}

// appendJSON appends the JSON of the struct at v to b. It reports false,
// having appended nothing, for a value encoding/json refuses (an infinite
// or NaN float), so that the caller's encoding/json reports the error.
func (p *flatJSON) appendJSON(b []byte, v unsafe.Pointer) ([]byte, bool) {
	start := len(b)
	b = append(b, '{')
	sep := false
	for i := range p.fields {
		f := &p.fields[i]
		at := unsafe.Add(v, f.offset)
		if f.omitEmpty && flatEmpty(f.kind, at) {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = append(b, f.key...)
		var ok bool
		if b, ok = appendFlatValue(b, f.kind, at); !ok {
			return b[:start], false
		}
	}
	return append(b, '}'), true
}

// flatEmpty is encoding/json's omitempty test for a value of kind k.
func flatEmpty(k reflect.Kind, at unsafe.Pointer) bool {
	switch k {
	case reflect.String:
		return len(*(*string)(at)) == 0
	case reflect.Bool:
		return !*(*bool)(at)
	case reflect.Float32:
		return *(*float32)(at) == 0 // negative zero too, as reflect.Value.IsZero says
	case reflect.Float64:
		return *(*float64)(at) == 0
	}
	// An integer: of flatInt and flatUint, the one not of its kind reads 0.
	return flatInt(k, at) == 0 && flatUint(k, at) == 0
}

func appendFlatValue(b []byte, k reflect.Kind, at unsafe.Pointer) ([]byte, bool) {
	switch k {
	case reflect.String:
		return appendJSONString(b, *(*string)(at)), true
	case reflect.Bool:
		return strconv.AppendBool(b, *(*bool)(at)), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, flatInt(k, at), 10), true
	case reflect.Float32:
		return appendJSONFloat(b, float64(*(*float32)(at)), 32)
	case reflect.Float64:
		return appendJSONFloat(b, *(*float64)(at), 64)
	}
	return strconv.AppendUint(b, flatUint(k, at), 10), true
}

// flatInt reads a signed integer of kind k, and 0 for any other kind.
func flatInt(k reflect.Kind, at unsafe.Pointer) int64 {
	switch k {
	case reflect.Int:
		return int64(*(*int)(at))
	case reflect.Int8:
		return int64(*(*int8)(at))
	case reflect.Int16:
		return int64(*(*int16)(at))
	case reflect.Int32:
		return int64(*(*int32)(at))
	case reflect.Int64:
		return *(*int64)(at)
	}
	return 0
}

// flatUint reads an unsigned integer of kind k, and 0 for any other kind.
func flatUint(k reflect.Kind, at unsafe.Pointer) uint64 {
	switch k {
	case reflect.Uint:
		return uint64(*(*uint)(at))
	case reflect.Uint8:
		return uint64(*(*uint8)(at))
	case reflect.Uint16:
		return uint64(*(*uint16)(at))
	case reflect.Uint32:
		return uint64(*(*uint32)(at))
	case reflect.Uint64:
		return *(*uint64)(at)
	case reflect.Uintptr:
		return uint64(*(*uintptr)(at))
	}
	return 0
}

// appendJSONFloat writes f as encoding/json does: like ES6's number to
// string conversion, with exponents for very small and very large values.
func appendJSONFloat(b []byte, f float64, bits int) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-09 becomes e-9
		b = b[:n-1]
	}
	return b, true
}

// jsonPlain marks the bytes appendJSONString copies as they are: ASCII
// from the space on, but for the quote, the backslash, <, > and &.
var jsonPlain = func() (plain [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		plain[c] = !strings.ContainsRune(`"\<>&`, c)
	}
	return plain
}()

// appendJSONString writes s quoted as encoding/json does with HTML
// escaping, its default: <, > and & escaped, U+2028 and U+2029 escaped,
// and each byte of invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonPlain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// maxKeptFlatBody bounds the body buffer an exchange keeps for the next
// request: a rare large response does not pin its memory in the pool.
const maxKeptFlatBody = 16 << 10

// flatBody encodes the flat struct at v into the exchange's buffer. The
// body is valid until the exchange serves its next request.
func (x *exchange) flatBody(p *flatJSON, v unsafe.Pointer) ([]byte, bool) {
	b, ok := p.appendJSON(x.flatBuf[:0], v)
	if cap(b) <= maxKeptFlatBody {
		x.flatBuf = b[:0]
	} else {
		x.flatBuf = nil
	}
	return b, ok
}
