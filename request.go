package gati

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"gati.dev/gati/router"
)

// DefaultBodyLimit is the largest request body read when neither gati.yaml
// (server.body_limit) nor the route sets a limit: 1 MiB.
const DefaultBodyLimit = 1 << 20

// Request is the incoming request as a handler sees it: path parameters,
// query, headers, cookies and a size-limited body.
type Request struct {
	ex        *exchange
	r         *http.Request
	params    router.Params
	bodyLimit int64
	body      []byte
	bodyRead  bool
	query     url.Values
	queryErrs []FieldError

	queryChecked bool // queryErrs holds the query string's problems
	queryPlain   bool // once checked: the query has no escape, '+' or ';'

	readDeadline bool // the route's read timeout is set on the connection

	// bodyLate is set while Body or Form waits for the body, and stays
	// set when the read deadline cuts the wait: the deadline watchdog,
	// on another goroutine, then answers 408, not 503.
	bodyLate atomic.Bool
}

// HTTP returns the underlying *http.Request, for what Request does not wrap.
func (r *Request) HTTP() *http.Request { return r.r }

// Method returns the HTTP method.
func (r *Request) Method() string { return r.r.Method }

// Path returns the request path, unescaped.
func (r *Request) Path() string { return r.r.URL.Path }

// Param returns the value of the path parameter name ("" when absent).
func (r *Request) Param(name string) string { return r.params.Get(name) }

// Query returns the first value of the query parameter name.
func (r *Request) Query(name string) string {
	if r.query != nil {
		return r.query.Get(name)
	}
	v, _ := queryValue(r.r.URL.RawQuery, name)
	return v
}

// QueryValues returns all query parameters, parsed once per request.
// Malformed pairs are left out: QueryErr reports them, and typed handlers
// answer 400 for them.
func (r *Request) QueryValues() url.Values {
	if r.query == nil {
		r.query, r.queryErrs = parseQuery(r.r.URL.RawQuery)
		r.queryChecked = true
	}
	return r.query
}

// QueryErr reports the query string's malformed pairs (a bad %-escape, a
// ';' where '&' was meant) as a 400 *Error naming each parameter, or nil.
func (r *Request) QueryErr() error {
	if errs := r.queryProblems(); errs != nil {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_parameter",
			Detail: "the query string is malformed; see errors", Errors: errs}
	}
	return nil
}

// queryProblems checks the query string once, without building a map.
func (r *Request) queryProblems() []FieldError {
	if !r.queryChecked {
		raw := r.r.URL.RawQuery
		if r.queryPlain = plainQuery(raw); !r.queryPlain { // a plain query has nothing to report
			r.queryErrs = checkQuery(raw)
		}
		r.queryChecked = true
	}
	return r.queryErrs
}

// parseQuery parses a query string as url.ParseQuery does, but names the
// parameter of every pair it cannot read instead of dropping it silently.
func parseQuery(raw string) (url.Values, []FieldError) {
	values := url.Values{}
	var errs []FieldError
	eachPair(raw, func(key, value string, fe *FieldError) bool {
		if fe != nil {
			errs = append(errs, *fe)
		} else {
			values[key] = append(values[key], value)
		}
		return true
	})
	return values, errs
}

// checkQuery returns the problems parseQuery would, allocating only for
// them.
func checkQuery(raw string) []FieldError {
	var errs []FieldError
	eachPair(raw, func(_, _ string, fe *FieldError) bool {
		if fe != nil {
			errs = append(errs, *fe)
		}
		return true
	})
	return errs
}

// queryValue returns the first value of name in a raw query string.
// Unescaping allocates only for names and values that have escapes.
func queryValue(raw, name string) (value string, found bool) {
	eachPair(raw, func(key, v string, fe *FieldError) bool {
		if fe == nil && key == name {
			value, found = v, true
		}
		return !found
	})
	return value, found
}

// plainQueryValue is queryValue for a query string without escapes.
func plainQueryValue(raw, name string) (value string, found bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if key, v, _ := strings.Cut(pair, "="); key == name {
			return v, true
		}
	}
	return "", false
}

// queryValues returns every value of name in a raw query string.
func queryValues(raw, name string) []string {
	var out []string
	eachPair(raw, func(key, v string, fe *FieldError) bool {
		if fe == nil && key == name {
			out = append(out, v)
		}
		return true
	})
	return out
}

// eachPair calls fn with every name=value pair of a raw query string,
// unescaped or with its problem, until fn returns false.
func eachPair(raw string, fn func(key, value string, fe *FieldError) bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if !fn(parsePair(pair)) {
			return
		}
	}
}

// parsePair reads one name=value pair of a query string.
func parsePair(pair string) (key, value string, fe *FieldError) {
	rawKey, rawValue, _ := strings.Cut(pair, "=")
	if plainQuery(pair) {
		return rawKey, rawValue, nil // nothing to unescape or reject
	}
	if strings.IndexByte(pair, ';') >= 0 {
		name, _, _ := strings.Cut(rawKey, ";")
		e := queryError(name, fmt.Sprintf("%q contains ';': separate parameters with '&' (or escape it as %%3B)", pair))
		return "", "", &e
	}
	key, err := url.QueryUnescape(rawKey)
	if err != nil {
		e := queryError(rawKey, fmt.Sprintf("the name %q: %v", rawKey, err))
		return "", "", &e
	}
	if value, err = url.QueryUnescape(rawValue); err != nil {
		e := queryError(key, fmt.Sprintf("the value %q: %v", rawValue, err))
		return "", "", &e
	}
	return key, value, nil
}

// plainQuery reports whether a query string or a pair of one has no
// escape, '+' or ';': most have none, and are read as they are, without
// unescaping, and have no problem to report.
func plainQuery(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '+', ';':
			return false
		}
	}
	return true
}

func queryError(name, detail string) FieldError {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	return FieldError{Pointer: "/query/" + escapePointer(name), Detail: "query parameter " + strconv.Quote(name) + ": " + detail}
}

// Header returns the first value of the request header name.
func (r *Request) Header(name string) string { return r.r.Header.Get(name) }

// Cookie returns the named cookie, or http.ErrNoCookie.
func (r *Request) Cookie(name string) (*http.Cookie, error) { return r.r.Cookie(name) }

// BodyLimit returns the largest body, in bytes, that Body will read.
func (r *Request) BodyLimit() int64 { return r.bodyLimit }

// Body reads the whole request body, at most BodyLimit bytes. A larger
// body fails with a 413 *Error. The body is read once and kept.
func (r *Request) Body() ([]byte, error) {
	if r.bodyRead {
		return r.body, nil
	}
	r.bodyRead = true
	if r.r.ContentLength > r.bodyLimit {
		return nil, tooLarge(r.bodyLimit)
	}
	r.bodyLate.Store(true)
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.r.Body, r.bodyLimit))
	if err != nil {
		err = r.bodyError(err)
		r.bodyLate.Store(CodeOf(err) == errBodyTimedOut.Code)
		return nil, err
	}
	r.bodyLate.Store(false)
	r.bodyComplete()
	r.body = body
	return body, nil
}

// bodyError classifies a failure to read the body.
func (r *Request) bodyError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge(r.bodyLimit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &Error{Status: http.StatusRequestTimeout, Code: "body_timeout",
			Detail: "the request body did not arrive within the read timeout", Err: err}
	}
	return &Error{Status: http.StatusBadRequest, Code: "body_unreadable", Detail: "reading the request body failed", Err: err}
}

// bodyComplete lifts the route's read deadline once the body is in: net/http
// keeps reading the connection to notice a client that goes away, and a
// deadline passing there would cancel the request's context.
func (r *Request) bodyComplete() {
	if r.readDeadline {
		r.readDeadline = false
		_ = http.NewResponseController(r.ex.w.rw).SetReadDeadline(time.Time{})
	}
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
		Detail: fmt.Sprintf("the request body is larger than the limit of %d bytes", limit)}
}

// DecodeJSON reads the body and decodes it into v. Malformed JSON fails
// with a 400 naming the line, column and byte offset; a value of the wrong
// type fails with a 400 whose error points at the field.
func (r *Request) DecodeJSON(v any) error {
	if err := r.requireJSON(); err != nil {
		return err
	}
	body, err := r.Body()
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// requireJSON accepts an absent content type or any JSON media type.
func (r *Request) requireJSON() error {
	ct := r.r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
		Detail: fmt.Sprintf("content type %q is not JSON; send application/json", ct)}
}

// Form parses a URL-encoded or multipart form body (within the body limit)
// and returns its values merged with the query.
func (r *Request) Form() (url.Values, error) {
	r.r.Body = http.MaxBytesReader(nil, r.r.Body, r.bodyLimit)
	r.bodyLate.Store(true)
	err := r.r.ParseMultipartForm(r.bodyLimit)
	r.bodyLate.Store(errors.Is(err, os.ErrDeadlineExceeded))
	if errors.Is(err, http.ErrNotMultipart) {
		err = nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, r.bodyError(err)
	}
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "malformed_form", Detail: err.Error()}
	}
	r.bodyComplete()
	return r.r.Form, nil
}

// decodeJSON decodes one JSON value from body into v, turning decoder
// errors into 400 problems that say where the problem is.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &Error{Status: http.StatusBadRequest, Code: "malformed_json", Detail: "the request body is empty; send a JSON value"}
	}
	if !utf8.Valid(body) {
		return invalidUTF8(body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonError(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset()
		return malformed(body, off, "unexpected data after the JSON value")
	}
	return nil
}

func jsonError(body []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return malformed(body, syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		ptr := pointerAt(body, typ.Offset-1) // typ.Field names no array index
		e := malformed(body, typ.Offset, fmt.Sprintf("%s: expected %s, got JSON %s", displayPointer(ptr), typ.Type, typ.Value))
		e.Errors = []FieldError{{Pointer: ptr, Detail: fmt.Sprintf("expected %s, got JSON %s", typ.Type, typ.Value)}}
		return e
	case errors.Is(err, io.ErrUnexpectedEOF):
		return malformed(body, int64(len(body)), "unexpected end of JSON input")
	}
	return &Error{Status: http.StatusBadRequest, Code: "malformed_json", Detail: err.Error(), Err: err}
}

// invalidUTF8 reports the first byte of body that is not UTF-8: the
// decoder would silently turn it into U+FFFD.
func invalidUTF8(body []byte) *Error {
	off := 0
	for off < len(body) {
		r, size := utf8.DecodeRune(body[off:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		off += size
	}
	ptr := pointerAt(body, int64(off))
	e := malformed(body, int64(off), fmt.Sprintf("%s: invalid UTF-8 (byte 0x%02x); JSON text must be UTF-8", displayPointer(ptr), body[off]))
	e.Errors = []FieldError{{Pointer: ptr, Detail: "invalid UTF-8; JSON text must be UTF-8"}}
	return e
}

func displayPointer(p string) string {
	if p == "" {
		return "the body"
	}
	return "field " + p
}

// malformed reports a JSON problem at byte offset off as line:column.
func malformed(body []byte, off int64, msg string) *Error {
	line, col := position(body, off)
	return &Error{Status: http.StatusBadRequest, Code: "malformed_json",
		Detail: fmt.Sprintf("malformed JSON at line %d, column %d (byte %d): %s", line, col, off, msg)}
}

// position converts a byte offset into a 1-based line and column.
func position(body []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(body)))
	before := body[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col == 0 {
		col = 1
	}
	return line, col
}
