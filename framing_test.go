package gati

import (
	"strings"
	"testing"
)

// TestFramingScanSurvivesAnySplit feeds requests to the framing scanner
// cut into reads every possible way a client can make a server read them:
// a byte at a time, a line at a time, and every single cut.
func TestFramingScanSurvivesAnySplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		req                    string
		wantLength, wantEncode bool
	}{
		{"both", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", true, true},
		{"both, odd case", "POST / HTTP/1.1\r\nHost: x\r\ntRANSFER-eNCODING: chunked\r\ncontent-length: 3\r\n\r\n", true, true},
		{"length only", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", true, false},
		{"encoding only", "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", false, true},
		{"neither", "GET / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTE: trailers\r\nCookie: t=1\r\n\r\n", false, false},
		{"name inside a value", "GET / HTTP/1.1\r\nX-Note: Content-Length: 3\r\n\r\n", false, false},
	}
	for _, tt := range tests {
		var splits [][]string
		splits = append(splits, strings.SplitAfter(tt.req, ""))     // a byte per read
		splits = append(splits, strings.SplitAfter(tt.req, "\r\n")) // a line per read
		splits = append(splits, strings.SplitAfter(tt.req, "\n"))
		for i := 1; i < len(tt.req); i++ {
			splits = append(splits, []string{tt.req[:i], tt.req[i:]})
		}
		for _, reads := range splits {
			c := &framing{}
			for _, r := range reads {
				c.scan([]byte(r))
			}
			if c.sawLength.Load() != tt.wantLength || c.sawEncoding.Load() != tt.wantEncode {
				t.Fatalf("%s read as %q: saw length %v, encoding %v; want %v, %v", tt.name, reads,
					c.sawLength.Load(), c.sawEncoding.Load(), tt.wantLength, tt.wantEncode)
			}
		}
	}
}
