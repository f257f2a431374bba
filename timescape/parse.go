package timescape

import (
	"fmt"
	"strconv"
	"time"
)

// The hot path parses by hand into integers: days since 1970-01-01 for
// dates and Unix nanoseconds for instants, so that a lookup is a binary
// search over []int64 with no allocation. Errors allocate their messages
// only when they happen.

const (
	secondsPerDay = 86400
	// maxSeconds clamps instants so that seconds*1e9 fits in an int64.
	// Versions lie well inside it (see minYear and maxYear), so a clamped
	// query still compares correctly against every version.
	maxSeconds = 9_000_000_000
	// Versions must lie in [minYear, maxYear] to be Unix nanoseconds.
	minYear = 1700
	maxYear = 2199
)

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// atoi converts a string of at most 18 digits, already checked.
func atoi(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// digits reads s[i:j] as a number, or returns -1 if any byte is not a digit.
func digits(s string, i, j int) int {
	n := 0
	for ; i < j; i++ {
		if !isDigit(s[i]) {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(m, y int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// unixNano joins seconds and nanoseconds, clamping far-off instants.
func unixNano(sec, nsec int64) int64 {
	sec = min(max(sec, -maxSeconds), maxSeconds)
	return sec*1e9 + nsec
}

// parseDate parses "YYYY-MM-DD" (exactly 10 bytes) into days since the
// Unix epoch.
func parseDate(s string) (days int64, reason string) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, "want YYYY-MM-DD"
	}
	y, m, d := digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10)
	switch {
	case y < 0 || m < 0 || d < 0:
		return 0, "want YYYY-MM-DD"
	case m < 1 || m > 12:
		return 0, fmt.Sprintf("month %d is out of range", m)
	case d < 1 || d > daysIn(m, y):
		return 0, fmt.Sprintf("day %d is out of range for %s %04d", d, time.Month(m), y)
	}
	return daysFromCivil(y, m, d), ""
}

// parseTime parses the time and offset that follow the date in an RFC 3339
// timestamp: "T15:04:05[.frac](Z|+07:00)", with T and Z in either case. It
// returns the seconds from the start of the day in UTC (possibly negative
// or beyond one day) and the nanoseconds.
func parseTime(s string) (sec, nsec int64, reason string) {
	const want = "want an RFC 3339 time such as 2025-06-01T10:00:00Z"
	if len(s) < 9 || (s[0] != 'T' && s[0] != 't') || s[3] != ':' || s[6] != ':' {
		return 0, 0, want
	}
	h, m, sc := digits(s, 1, 3), digits(s, 4, 6), digits(s, 7, 9)
	switch {
	case h < 0 || m < 0 || sc < 0:
		return 0, 0, want
	case h > 23:
		return 0, 0, fmt.Sprintf("hour %d is out of range", h)
	case m > 59:
		return 0, 0, fmt.Sprintf("minute %d is out of range", m)
	case sc > 59:
		return 0, 0, fmt.Sprintf("second %d is out of range", sc)
	}
	sec = int64(h*3600 + m*60 + sc)
	s = s[9:]
	if len(s) > 0 && s[0] == '.' {
		n := 1
		for ; n < len(s) && isDigit(s[n]); n++ {
			if n <= 9 {
				nsec = nsec*10 + int64(s[n]-'0')
			}
		}
		if n == 1 {
			return 0, 0, "fraction of a second has no digits"
		}
		for i := n; i <= 9; i++ {
			nsec *= 10
		}
		s = s[n:]
	}
	off, reason := parseOffset(s)
	if reason != "" {
		return 0, 0, reason
	}
	return sec - off, nsec, ""
}

// parseOffset parses "Z" or "±hh:mm" into seconds east of UTC.
func parseOffset(s string) (int64, string) {
	if s == "Z" || s == "z" {
		return 0, ""
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return 0, "want a zone offset Z or ±hh:mm at the end"
	}
	h, m := digits(s, 1, 3), digits(s, 4, 6)
	switch {
	case h < 0 || m < 0:
		return 0, "want a zone offset Z or ±hh:mm at the end"
	case h > 23 || m > 59:
		return 0, fmt.Sprintf("zone offset %s is out of range", s)
	}
	off := int64(h*3600 + m*60)
	if s[0] == '-' {
		off = -off
	}
	return off, ""
}

// parseID parses a version ID, "YYYY-MM-DD" or "YYYY-MM-DD.N" with N >= 2
// and no leading zero, into its day and suffix (1 when absent).
func parseID(id string) (days int64, suffix int, reason string) {
	days, reason = parseDate(id)
	if reason != "" {
		return 0, 0, reason
	}
	rest := id[10:]
	if rest == "" {
		return days, 1, ""
	}
	if rest[0] != '.' {
		return 0, 0, fmt.Sprintf("unexpected %q after the date", rest)
	}
	n := digits(rest, 1, len(rest))
	if n < 2 || rest[1] == '0' || len(rest) > 7 {
		return 0, 0, fmt.Sprintf("suffix %q must be .2, .3, ...", rest)
	}
	return days, n, ""
}
