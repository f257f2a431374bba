package gati

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is the structured error a handler returns to choose what the client
// sees. Every error leaves the server as an RFC 9457 problem+json document:
// an *Error as described by its fields, any other error as a 500 whose
// detail is hidden outside development mode.
type Error struct {
	// Status is the HTTP status code (400-599). Zero means 500.
	Status int
	// Code is a stable, machine-readable identifier such as "user_not_found".
	// It becomes the problem "code" member and the tail of its "type" URI.
	Code string
	// Detail is a sentence for humans about this occurrence.
	Detail string
	// Errors lists problems with individual fields of the request.
	Errors []FieldError
	// Err is the underlying cause. It is logged, never sent to the client.
	Err error
}

// FieldError locates one problem inside a request: Pointer is a JSON
// pointer (RFC 6901) into the body, or "/path/id", "/query/name",
// "/header/X-Name" for parameters.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// NewError returns an *Error with the given status, code and detail.
func NewError(status int, code, detail string) *Error {
	return &Error{Status: status, Code: code, Detail: detail}
}

// Errorf returns an *Error with the given status whose detail is formatted
// as with fmt.Errorf; a %w verb records the cause in Err.
func Errorf(status int, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Status: status, Code: codeForStatus(status), Detail: err.Error(), Err: errors.Unwrap(err)}
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.status(), e.code())
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) status() int {
	if e.Status < 400 || e.Status > 599 {
		return http.StatusInternalServerError
	}
	return e.Status
}

func (e *Error) code() string {
	if e.Code != "" {
		return e.Code
	}
	return codeForStatus(e.status())
}

// StatusOf reports the HTTP status an error maps to: the Status of the
// first *Error in its chain, else 500. A nil error maps to 200.
func StatusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.status()
	}
	return http.StatusInternalServerError
}

// CodeOf reports the machine-readable code of an error, as StatusOf does
// for the status.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.code()
	}
	return codeForStatus(http.StatusInternalServerError)
}

// codeForStatus turns a status text into a snake_case code:
// 404 → "not_found", 422 → "unprocessable_entity".
func codeForStatus(status int) string {
	text := http.StatusText(status)
	if text == "" {
		return "error"
	}
	text = strings.ToLower(text)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		if r == '-' || r == ' ' {
			return '_'
		}
		return -1
	}, text)
}
