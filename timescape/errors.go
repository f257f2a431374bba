package timescape

import (
	"errors"
	"strconv"
	"strings"
)

// Header is the request header that carries the version a client wants.
const Header = "X-API-Version"

// Errors that [Set.Resolve] wraps in a [*ResolveError]; test with
// [errors.Is].
var (
	// ErrInvalid: the value is not a well-formed date, time, ID or semver.
	ErrInvalid = errors.New("timescape: malformed version value")
	// ErrBeforeFirst: the date or time is before the first version.
	ErrBeforeFirst = errors.New("timescape: before the first version")
	// ErrNoMatch: no version has that ID or semver.
	ErrNoMatch = errors.New("timescape: no matching version")
	// ErrUnknownTag: no version carries that tag.
	ErrUnknownTag = errors.New("timescape: unknown tag")
)

// ResolveError reports a value that names no version. Its message is meant
// for the client that sent it.
type ResolveError struct {
	Value    string   // the value, spaces trimmed
	Reason   string   // what is wrong, e.g. "is not a valid date: month 13 is out of range"
	Accepted []string // the accepted forms, with examples from the set
	Err      error    // ErrInvalid, ErrBeforeFirst, ErrNoMatch or ErrUnknownTag
}

func (e *ResolveError) Error() string {
	var b strings.Builder
	b.WriteString(Header + " ")
	b.WriteString(quote(e.Value))
	b.WriteString(" ")
	b.WriteString(e.Reason)
	if len(e.Accepted) > 0 {
		b.WriteString("; send ")
		b.WriteString(joinOr(e.Accepted))
	}
	return b.String()
}

func (e *ResolveError) Unwrap() error { return e.Err }

// quote quotes v like %q, shortening very long values.
func quote(v string) string {
	const limit = 64
	if len(v) > limit {
		return strconv.Quote(v[:limit]) + "..."
	}
	return strconv.Quote(v)
}

// joinOr joins "a", "b", "c" as "a, b or c".
func joinOr(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
