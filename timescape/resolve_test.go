package timescape

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func testSet(t testing.TB, opts ...Option) *Set {
	t.Helper()
	s, err := NewSet([]Version{
		{ID: "2025-06-01", Semver: "2.1.3", Tags: []string{"beta"}},
		{ID: "2024-01-10", Semver: "1.0.0"},
		{ID: "2024-06-01.2", Date: time.Date(2024, 6, 1, 15, 30, 0, 0, time.UTC), Semver: "1.1.1", Tags: []string{"stable"}},
		{ID: "2024-06-01", Date: time.Date(2024, 6, 1, 11, 0, 0, 0, time.FixedZone("", 2*3600)), Semver: "1.1.0"},
		{ID: "2025-03-15", Semver: "2.0.0"},
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestResolve(t *testing.T) {
	t.Parallel()
	s := testSet(t)
	tests := []struct{ value, want string }{
		{"", "2025-06-01"},
		{"   ", "2025-06-01"},
		// Dates: the API as it was at the end of that day, UTC.
		{"2024-01-10", "2024-01-10"},
		{"2024-05-31", "2024-01-10"},
		{"2024-06-01", "2024-06-01.2"},
		{" 2025-03-14 ", "2024-06-01.2"},
		{"2025-03-15", "2025-03-15"},
		{"2099-12-31", "2025-06-01"},
		// RFC 3339 times: the newest version at or before the instant.
		{"2024-06-01T08:59:59Z", "2024-01-10"},
		{"2024-06-01T09:00:00Z", "2024-06-01"},
		{"2024-06-01T11:00:00+02:00", "2024-06-01"},
		{"2024-06-01T15:29:59.999999999Z", "2024-06-01"},
		{"2024-06-01T15:30:00Z", "2024-06-01.2"},
		{"2024-06-01T10:30:00-05:00", "2024-06-01.2"},
		{"2025-03-14T23:59:59-00:30", "2025-03-15"},
		{"2025-06-01t00:00:00z", "2025-06-01"},
		// IDs.
		{"2024-06-01.2", "2024-06-01.2"},
		// Semver prefixes: the newest match.
		{"1", "2024-06-01.2"},
		{"v1", "2024-06-01.2"},
		{"1.0", "2024-01-10"},
		{"1.1", "2024-06-01.2"},
		{"1.1.0", "2024-06-01"},
		{"V2.0.0", "2025-03-15"},
		{"2", "2025-06-01"},
		// Tags.
		{"latest", "2025-06-01"},
		{"Latest", "2025-06-01"},
		{"stable", "2024-06-01.2"},
		{"BETA", "2025-06-01"},
	}
	for _, tt := range tests {
		got, err := s.Resolve(tt.value)
		if err != nil {
			t.Errorf("Resolve(%q): %v", tt.value, err)
			continue
		}
		if got.ID != tt.want {
			t.Errorf("Resolve(%q) = %s, want %s", tt.value, got.ID, tt.want)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	s := testSet(t)
	const send = "; send a date (2025-06-01), an RFC 3339 time (2025-06-01T00:00:00Z), a semver (2, 2.1, 2.1.3) or a tag (latest, beta, stable)"
	tests := []struct {
		value string
		err   error
		msg   string
	}{
		{"2025-13-45", ErrInvalid, `"2025-13-45" is not a valid date: month 13 is out of range`},
		{"2025-02-29", ErrInvalid, `"2025-02-29" is not a valid date: day 29 is out of range for February 2025`},
		{"2025-6-1", ErrInvalid, `"2025-6-1" is not a valid date: want YYYY-MM-DD`},
		{"2025-06-01x", ErrInvalid, `"2025-06-01x" is not a valid date: unexpected "x" after the date`},
		{"2025-06-01T25:00:00Z", ErrInvalid, `"2025-06-01T25:00:00Z" is not a valid RFC 3339 time: hour 25 is out of range`},
		{"2025-06-01T10:60:00Z", ErrInvalid, `"2025-06-01T10:60:00Z" is not a valid RFC 3339 time: minute 60 is out of range`},
		{"2025-06-01T10:00:60Z", ErrInvalid, `"2025-06-01T10:00:60Z" is not a valid RFC 3339 time: second 60 is out of range`},
		{"2025-06-01T10:00:00", ErrInvalid, `"2025-06-01T10:00:00" is not a valid RFC 3339 time: want a zone offset Z or ±hh:mm at the end`},
		{"2025-06-01T10:00:00.Z", ErrInvalid, `"2025-06-01T10:00:00.Z" is not a valid RFC 3339 time: fraction of a second has no digits`},
		{"2025-06-01T10:00:00+24:00", ErrInvalid, `"2025-06-01T10:00:00+24:00" is not a valid RFC 3339 time: zone offset +24:00 is out of range`},
		{"2025-06-01T10:00", ErrInvalid, `"2025-06-01T10:00" is not a valid RFC 3339 time: want an RFC 3339 time such as 2025-06-01T10:00:00Z`},
		{"2024-01-09", ErrBeforeFirst, `"2024-01-09" is before the first version, 2024-01-10 (2024-01-10T00:00:00Z)`},
		{"2024-01-10T00:59:59+01:00", ErrBeforeFirst, `"2024-01-10T00:59:59+01:00" is before the first version, 2024-01-10 (2024-01-10T00:00:00Z)`},
		{"2024-06-01.3", ErrNoMatch, `"2024-06-01.3" names no version (versions that day: 2024-06-01, 2024-06-01.2)`},
		{"2024-06-02.2", ErrNoMatch, `"2024-06-02.2" names no version (no version is dated 2024-06-02)`},
		{"2024-06-01.1", ErrInvalid, `"2024-06-01.1" is not a valid version ID: suffix ".1" must be .2, .3, ...`},
		{"3", ErrNoMatch, `"3" matches no version (semvers run from 1.0.0 to 2.1.3)`},
		{"v1.2", ErrNoMatch, `"v1.2" matches no version (semvers run from 1.0.0 to 2.1.3)`},
		{"2.1.4", ErrNoMatch, `"2.1.4" matches no version (semvers run from 1.0.0 to 2.1.3)`},
		{"2.01", ErrInvalid, `"2.01" is not a valid semver: 01 has a leading zero`},
		{"2.", ErrInvalid, `"2." is not a valid semver: a number is missing`},
		{"2.1.3.4", ErrInvalid, `"2.1.3.4" is not a valid semver: unexpected ".4" after MAJOR.MINOR.PATCH`},
		{"2.1-beta", ErrInvalid, `"2.1-beta" is not a valid semver: unexpected '-'`},
		{"1234567890123456789", ErrInvalid, `"1234567890123456789" is not a valid semver: 1234567890123456789 is too large`},
		{"yesterday", ErrUnknownTag, `"yesterday" is not a known tag`},
		{"stable!", ErrInvalid, `"stable!" is not a date, semver or tag`},
	}
	for _, tt := range tests {
		got, err := s.Resolve(tt.value)
		if !errors.Is(err, tt.err) {
			t.Errorf("Resolve(%q) = %v, %v; want %v", tt.value, got, err, tt.err)
			continue
		}
		var re *ResolveError
		if !errors.As(err, &re) || len(re.Accepted) != 4 {
			t.Errorf("Resolve(%q): %#v is not a *ResolveError with 4 accepted forms", tt.value, err)
		}
		if want := "X-API-Version " + tt.msg + send; err.Error() != want {
			t.Errorf("Resolve(%q) error:\n got %s\nwant %s", tt.value, err, want)
		}
	}
}

func TestResolveDefaultVersion(t *testing.T) {
	t.Parallel()
	s := testSet(t, DefaultVersion("2025-01-01"))
	if got, _ := s.Resolve(""); got.ID != "2024-06-01.2" {
		t.Errorf(`Resolve("") = %s, want 2024-06-01.2`, got.ID)
	}
	if got := s.Default().ID; got != "2024-06-01.2" {
		t.Errorf("Default() = %s, want 2024-06-01.2", got)
	}
	if got, _ := s.Resolve("latest"); got.ID != "2025-06-01" {
		t.Errorf(`Resolve("latest") = %s, want the head`, got.ID)
	}
}

func TestResolveReturnsSetsOwnVersion(t *testing.T) {
	t.Parallel()
	s := testSet(t)
	a, _ := s.Resolve("2")
	b, _ := s.Resolve("latest")
	if a != b || a != s.Head() {
		t.Error("Resolve returned copies, want pointers into the Set")
	}
}

func TestResolveErrorShortensLongValues(t *testing.T) {
	t.Parallel()
	s := testSet(t)
	_, err := s.Resolve(strings.Repeat("x", 100))
	if want := `X-API-Version "` + strings.Repeat("x", 64) + `"... is not a known tag;`; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error for a long value: %v", err)
	}
}
