package base

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ApiError is the error of a call the server answered with a status
// other than 2xx. The server describes errors with RFC 9457 problem
// documents, whose members fill the fields; for a response that is not
// one (from a proxy, say), Status, Title, Body and Response are set.
// Get it with errors.As:
//
//	var apiErr *ApiError
//	if errors.As(err, &apiErr) && apiErr.Code == "not_found" { ... }
type ApiError struct {
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Code is the stable, machine-readable name of the error, such as
	// "validation_failed"; Type is the URI it ends.
	Code string `json:"code"`
	Type string `json:"type"`
	// Title is the status's text; Detail explains this occurrence.
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	// Instance is the request's path.
	Instance string `json:"instance,omitempty"`
	// RequestID names the request in the server's logs: the problem's
	// request_id, else Response.RequestID.
	RequestID string `json:"request_id,omitempty"`
	// Errors lists what is wrong with parts of the request, each located
	// by a JSON pointer.
	Errors []FieldError `json:"errors,omitempty"`

	// Body is the response body as received, up to 1 MiB.
	Body []byte `json:"-"`
	// Response is the rest of the response.
	Response *Response `json:"-"`
}

// FieldError is one problem with a part of the request. Pointer is an RFC
// 6901 JSON pointer into the request body ("/title"), or names a
// parameter: "/path/id", "/query/limit", "/header/X-Name".
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// Error returns the status, the code and the details:
// "422 validation_failed: /title: is required".
func (e *ApiError) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	} else if e.Title != "" {
		b.WriteString(" " + e.Title)
	}
	switch {
	case e.Detail != "":
		b.WriteString(": " + e.Detail)
	case e.Code == "" && utf8.Valid(e.Body) && len(strings.TrimSpace(string(e.Body))) > 0:
		b.WriteString(": " + excerpt(string(e.Body)))
	}
	for i, fe := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		if fe.Pointer != "" {
			b.WriteString(fe.Pointer + ": ")
		}
		b.WriteString(fe.Detail)
	}
	return b.String()
}

// CodeOf returns the Code of the first *ApiError in err's chain, or "".
func CodeOf(err error) string {
	var e *ApiError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// readError reads and closes the body of resp, a response other than
// 2xx, and describes it.
func readError(resp *http.Response) *ApiError {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var e ApiError
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isJSON := mt == "application/problem+json" || mt == "application/json"
	if !isJSON || json.Unmarshal(body, &e) != nil || e.Code == "" && e.Type == "" {
		e = ApiError{Title: http.StatusText(resp.StatusCode)}
	}
	e.Status, e.Body, e.Response = resp.StatusCode, body, newResponse(resp)
	if e.RequestID == "" {
		e.RequestID = e.Response.RequestID
	}
	return &e
}

// excerpt returns the first line of s, shortened to about 200 bytes.
func excerpt(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 200 {
		i := 200
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + " …"
	}
	return s
}
