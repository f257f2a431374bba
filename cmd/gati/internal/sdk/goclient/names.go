package goclient

import (
	"strconv"
	"strings"
	"unicode"
)

// initialisms are written in capitals in Go names, as Go's own style has
// it: "user_id" is UserID.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true,
	"GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true,
	"QPS": true, "RAM": true, "RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true,
	"TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "UUID": true,
	"URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// exported makes an exported Go name of s, a JSON property, a parameter,
// a schema or an enum value: its words capitalized and joined, initialisms
// in capitals ("created_at" is CreatedAt, "X-Request-Id" XRequestID,
// "Page_User" PageUser). A name that would not start with an upper-case
// letter gets an X in front; an empty one is X.
func exported(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		switch up := strings.ToUpper(w); {
		case initialisms[up]:
			b.WriteString(up)
		case up == w && strings.ToLower(w) != w: // SNAKE_CASE: a word, not an initialism
			r := []rune(strings.ToLower(w))
			r[0] = unicode.ToUpper(r[0])
			b.WriteString(string(r))
		default:
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			b.WriteString(string(r))
		}
	}
	name := b.String()
	if r := []rune(name); len(r) == 0 || !unicode.IsUpper(r[0]) {
		name = "X" + name
	}
	return name
}

// words splits s at characters other than letters and digits, and before
// an upper-case letter that follows a lower-case one or starts a word
// after an initialism ("HTTPServer" is HTTP, Server).
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = nil
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// namespace hands out unique names in one Go scope.
type namespace map[string]bool

// take returns name, or, if it is taken, the first of name2, name3…
// that is not, and marks it taken.
func (ns namespace) take(name string) string {
	n := name
	for i := 2; ns[n]; i++ {
		n = name + strconv.Itoa(i)
	}
	ns[n] = true
	return n
}

// reserved are the package-level names the runtime files declare, which
// the API's types must not take.
var reserved = []string{
	"ApiError", "Client", "CodeOf", "Event", "EventStream", "FieldError", "New", "Option", "RequestIDOf",
	"Response", "Version", "WebSocketRequest", "WithAuth", "WithBearer", "WithHTTPClient",
	"WithHeader", "WithRetry", "WithTimeout", "WithVersion",
}
