package timescape

import (
	"fmt"
	"slices"
	"strings"
)

// maxTagLen bounds tags so that lookups can fold case in a stack buffer.
const maxTagLen = 64

// Resolve returns the version a client asks for with value, the content of
// the X-API-Version header. Spaces around value are ignored. The forms:
//
//   - "" returns the default: the head, or the version set by
//     [DefaultVersion].
//   - A date, "2025-03-15", is the API as it was on that day: the newest
//     version whose Date falls on or before that day (UTC).
//   - An RFC 3339 time, "2025-03-15T10:00:00Z" or with an offset such as
//     "+02:00", is the newest version whose Date is at or before it.
//   - A version ID with a suffix, "2025-06-01.2", is that version exactly.
//   - A semver prefix, "2", "2.1", "2.1.3", optionally with "v", is the
//     newest version whose semver starts with it.
//   - "latest" is the head; any other word is a custom tag. Tags ignore
//     case.
//
// The returned version belongs to the Set: do not modify it. Errors are
// [*ResolveError] values wrapping ErrInvalid, ErrBeforeFirst, ErrNoMatch
// or ErrUnknownTag. Resolve does not allocate unless it fails.
func (s *Set) Resolve(value string) (*Version, error) {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return &s.versions[s.def], nil
	case isDigit(v[0]) && len(v) > 4 && v[4] == '-':
		return s.resolveTime(v)
	case isDigit(v[0]):
		return s.resolveSemver(v, v)
	case (v[0] == 'v' || v[0] == 'V') && len(v) > 1 && isDigit(v[1]):
		return s.resolveSemver(v, v[1:])
	}
	return s.resolveTag(v)
}

// resolveTime resolves a date, an RFC 3339 time or a version ID.
func (s *Set) resolveTime(v string) (*Version, error) {
	days, reason := parseDate(v)
	if reason != "" {
		return nil, s.fail(v, ErrInvalid, "is not a valid date: "+reason)
	}
	switch {
	case len(v) == 10:
		// The newest version before the start of the next day.
		return s.before(v, unixNano((days+1)*secondsPerDay, 0))
	case v[10] == 'T' || v[10] == 't':
		sec, nsec, reason := parseTime(v[10:])
		if reason != "" {
			return nil, s.fail(v, ErrInvalid, "is not a valid RFC 3339 time: "+reason)
		}
		// The newest version at or before the instant.
		return s.before(v, unixNano(days*secondsPerDay+sec, nsec)+1)
	case v[10] == '.':
		if i, ok := s.ids[v]; ok {
			return &s.versions[i], nil
		}
		if _, _, reason := parseID(v); reason != "" {
			return nil, s.fail(v, ErrInvalid, "is not a valid version ID: "+reason)
		}
		return nil, s.fail(v, ErrNoMatch, "names no version"+s.sameDay(v[:10]))
	}
	return nil, s.fail(v, ErrInvalid, fmt.Sprintf("is not a valid date: unexpected %q after the date", v[10:]))
}

// before returns the newest version whose instant is below end.
func (s *Set) before(v string, end int64) (*Version, error) {
	i, _ := slices.BinarySearch(s.instants, end)
	if i == 0 {
		first := &s.versions[0]
		return nil, s.fail(v, ErrBeforeFirst, "is before the first version, "+first.ID+" ("+first.Date.Format("2006-01-02T15:04:05.999999999Z07:00")+")")
	}
	return &s.versions[i-1], nil
}

// sameDay lists the IDs of the versions on day, for messages.
func (s *Set) sameDay(day string) string {
	var ids []string
	for i := range s.versions {
		if id := s.versions[i].ID; id[:10] == day {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return " (no version is dated " + day + ")"
	}
	return " (versions that day: " + strings.Join(ids, ", ") + ")"
}

// resolveSemver resolves a semver prefix; num is v without its "v".
func (s *Set) resolveSemver(v, num string) (*Version, error) {
	p, n, reason := parseSemver(num)
	if reason != "" {
		return nil, s.fail(v, ErrInvalid, "is not a valid semver: "+reason)
	}
	end := prefixEnd(p, n)
	i, _ := slices.BinarySearchFunc(s.semvers, end, semver.compare)
	if i > 0 && s.semvers[i-1].matches(p, n) {
		return &s.versions[i-1], nil
	}
	first, last := &s.versions[0], s.Head()
	return nil, s.fail(v, ErrNoMatch, fmt.Sprintf("matches no version (semvers run from %s to %s)", first.Semver, last.Semver))
}

// resolveTag resolves "latest" or a custom tag, ignoring case.
func (s *Set) resolveTag(v string) (*Version, error) {
	var buf [maxTagLen]byte
	word := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		word = word && ('a' <= c && c <= 'z' || isDigit(c) || c == '-' || c == '_' || c == '.')
		if i < maxTagLen {
			buf[i] = c
		}
	}
	if !word {
		return nil, s.fail(v, ErrInvalid, "is not a date, semver or tag")
	}
	if len(v) <= maxTagLen {
		lower := buf[:len(v)]
		if string(lower) == "latest" {
			return s.Head(), nil
		}
		if i, ok := s.tags[string(lower)]; ok {
			return &s.versions[i], nil
		}
	}
	return nil, s.fail(v, ErrUnknownTag, "is not a known tag")
}

func (s *Set) fail(v string, err error, reason string) error {
	return &ResolveError{Value: v, Reason: reason, Accepted: slices.Clone(s.accepted), Err: err}
}
