package base

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Response is what a call learned besides the body: the status, the
// headers, and what they say about the API version that answered. Calls
// return it with their result, and with their error when the server
// answered (an *ApiError carries it too).
type Response struct {
	StatusCode int
	Header     http.Header

	// APIVersion is the version the server answered in (X-API-Version):
	// the one the client is pinned to, or the server's default when the
	// client sends none.
	APIVersion string
	// RequestID names the request in the server's logs: the X-Request-Id
	// the server echoed, else the one the client sent.
	RequestID string
	// Deprecated reports whether the server announced that APIVersion is
	// deprecated (the Deprecation header, RFC 9745); Deprecation is when,
	// if the header says.
	Deprecated  bool
	Deprecation time.Time
	// Sunset is when the server stops serving APIVersion (the Sunset
	// header, RFC 8594); zero when it announced none.
	Sunset time.Time
}

func newResponse(resp *http.Response) *Response {
	h := resp.Header
	r := &Response{
		StatusCode: resp.StatusCode,
		Header:     h,
		APIVersion: h.Get("X-API-Version"),
		RequestID:  h.Get("X-Request-Id"),
	}
	if r.RequestID == "" && resp.Request != nil {
		r.RequestID = resp.Request.Header.Get("X-Request-Id")
	}
	if v := h.Get("Deprecation"); v != "" {
		r.Deprecated, r.Deprecation = true, parseDeprecation(v)
	}
	if v := h.Get("Sunset"); v != "" {
		r.Sunset, _ = http.ParseTime(v)
	}
	return r
}

// parseDeprecation reads a Deprecation header: an RFC 9745 date
// ("@1735689600"), or an HTTP date as earlier drafts wrote it. Other
// values ("true") say nothing of when: the zero time.
func parseDeprecation(v string) time.Time {
	if secs, ok := strings.CutPrefix(v, "@"); ok {
		if n, err := strconv.ParseInt(secs, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
		return time.Time{}
	}
	t, _ := http.ParseTime(v)
	return t
}
