package gati

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// ProblemContentType is the media type of RFC 9457 problem documents.
const ProblemContentType = "application/problem+json"

// ProblemTypeBase prefixes a problem's code to form its "type" URI.
const ProblemTypeBase = "https://gati.dev/problems/"

// Problem is the RFC 9457 document written for every error response.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	Code      string       `json:"code"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	// Stack is set only in development mode, for panics.
	Stack string `json:"stack,omitempty"`
}

// problemFor builds the problem document for err. Outside development the
// detail of errors that are not *Error is withheld: it may leak internals.
func problemFor(err error, instance, requestID string, dev bool) Problem {
	p := Problem{Instance: instance, RequestID: requestID}
	var e *Error
	if errors.As(err, &e) {
		p.Status, p.Code, p.Detail, p.Errors = e.status(), e.code(), e.Detail, e.Errors
	} else {
		p.Status, p.Code = http.StatusInternalServerError, codeForStatus(http.StatusInternalServerError)
		if dev {
			p.Detail = err.Error()
		}
	}
	p.Type = ProblemTypeBase + p.Code
	p.Title = http.StatusText(p.Status)
	return p
}

// writeProblem writes p to w with the problem content type and returns
// the body size. HTML characters are not escaped: the document is JSON
// for API clients, and escaping would garble details such as "<token>".
func writeProblem(w http.ResponseWriter, p Problem) int {
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	w.WriteHeader(p.Status)
	n, _ := w.Write(problemBody(p))
	return n
}

// problemBody encodes p as JSON.
func problemBody(p Problem) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil { // cannot happen for this struct; keep the status anyway
		buf.Reset()
		buf.WriteString(`{"status":` + strconv.Itoa(p.Status) + "}\n")
	}
	return buf.Bytes()
}
