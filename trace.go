package gati

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
)

// Trace is the W3C Trace Context of a request: the trace it belongs to, the
// span the server opened for it, and the caller's span when one was sent.
type Trace struct {
	TraceID  [16]byte
	SpanID   [8]byte
	ParentID [8]byte // zero when the request carried no traceparent
	Sampled  bool
}

// TraceIDString returns the trace id as 32 lowercase hex digits.
func (t Trace) TraceIDString() string { return hex.EncodeToString(t.TraceID[:]) }

// SpanIDString returns the server span id as 16 lowercase hex digits.
func (t Trace) SpanIDString() string { return hex.EncodeToString(t.SpanID[:]) }

// Traceparent formats the header to send on outgoing calls made on behalf
// of this request, so the next service joins the same trace.
func (t Trace) Traceparent() string {
	var b [55]byte
	copy(b[:], "00-")
	hex.Encode(b[3:35], t.TraceID[:])
	b[35] = '-'
	hex.Encode(b[36:52], t.SpanID[:])
	copy(b[52:], "-00")
	if t.Sampled {
		b[54] = '1'
	}
	return string(b[:])
}

// startTrace continues the trace in a traceparent header value, or starts
// a new one when the value is absent or malformed (as the spec requires),
// with span as the server's span id.
func startTrace(traceparent string, span uint64) Trace {
	var t Trace
	if !parseTraceparent(traceparent, &t) {
		fillRandom(t.TraceID[:])
		t.ParentID = [8]byte{}
		t.Sampled = false
	}
	binary.BigEndian.PutUint64(t.SpanID[:], span)
	return t
}

// parseTraceparent reads "00-<trace-id>-<parent-id>-<flags>". Unknown
// future versions are accepted when their first four fields parse.
func parseTraceparent(s string, t *Trace) bool {
	if len(s) < 55 || (len(s) > 55 && s[55] != '-') || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return false
	}
	if s[:2] == "ff" || (s[:2] == "00" && len(s) != 55) {
		return false
	}
	var flags [1]byte
	if !decodeHex(t.TraceID[:], s[3:35]) || !decodeHex(t.ParentID[:], s[36:52]) || !decodeHex(flags[:], s[53:55]) {
		return false
	}
	if t.TraceID == ([16]byte{}) || t.ParentID == ([8]byte{}) {
		return false
	}
	t.Sampled = flags[0]&1 == 1
	return true
}

// decodeHex decodes lowercase hex only, as the spec requires.
func decodeHex(dst []byte, s string) bool {
	for i := range dst {
		hi, ok1 := hexVal(s[2*i])
		lo, ok2 := hexVal(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// fillRandom fills b with random bytes from the runtime's per-thread
// generator: fast, allocation-free, never all zero.
func fillRandom(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64() | 1
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}
