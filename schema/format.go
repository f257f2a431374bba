package schema

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
)

// format checks one "format" value; message is the error message.
type format struct {
	valid   func(string) bool
	message string
}

// formats are the formats that For accepts in tags and Validate checks.
// Validate ignores other formats, as JSON Schema's annotation mode does.
var formats = map[string]*format{
	"date-time": {isDateTime, "must be a date-time (RFC 3339)"},
	"date":      {isDate, "must be a date (YYYY-MM-DD)"},
	"email":     {isEmail, "must be an email address"},
	"uuid":      {isUUID, "must be a UUID"},
	"uri":       {isURI, "must be an absolute URI"},
	"byte":      {isBase64, "must be base64-encoded"},
}

func formatNames() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func isDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// isEmail is a simple check: one @, a non-empty local part, a domain with
// a dot not at either end, and no spaces.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.ContainsAny(s, " \t\r\n") && !strings.Contains(domain, "@") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}

func isBase64(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}
