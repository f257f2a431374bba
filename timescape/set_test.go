package timescape

import (
	"errors"
	"testing"
	"time"
)

func TestNewSetErrors(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	v1 := Version{ID: "2025-01-01", Semver: "1.0.0"}
	tests := []struct {
		name     string
		versions []Version
		msg      string
	}{
		{"empty", nil, "no versions"},
		{"no ID", []Version{{Semver: "1.0.0"}},
			`version #0 (no ID): ID must be a date (2025-06-01) or a date and suffix (2025-06-01.2): want YYYY-MM-DD`},
		{"bad ID date", []Version{{ID: "2025-02-30", Semver: "1.0.0"}},
			`version "2025-02-30": ID must be a date (2025-06-01) or a date and suffix (2025-06-01.2): day 30 is out of range for February 2025`},
		{"bad suffix", []Version{{ID: "2025-02-03.02", Semver: "1.0.0"}},
			`version "2025-02-03.02": ID must be a date (2025-06-01) or a date and suffix (2025-06-01.2): suffix ".02" must be .2, .3, ...`},
		{"Date on another day", []Version{{ID: "2025-06-01", Date: day("2025-06-01T23:00:00-05:00"), Semver: "1.0.0"}},
			`version "2025-06-01": Date 2025-06-02T04:00:00Z falls on 2025-06-02 (UTC), not on the day the ID names`},
		{"Date out of range", []Version{{ID: "1600-06-01", Semver: "1.0.0"}},
			`version "1600-06-01": Date 1600-06-01T00:00:00Z is outside the years 1700 to 2199`},
		{"no semver", []Version{{ID: "2025-06-01"}}, `version "2025-06-01": Semver is required`},
		{"v semver", []Version{{ID: "2025-06-01", Semver: "v1.0.0"}},
			`version "2025-06-01": Semver "v1.0.0" is not MAJOR.MINOR.PATCH: unexpected 'v'`},
		{"short semver", []Version{{ID: "2025-06-01", Semver: "1.0"}},
			`version "2025-06-01": Semver "1.0" is not MAJOR.MINOR.PATCH`},
		{"prerelease", []Version{{ID: "2025-06-01", Semver: "1.0.0-beta"}},
			`version "2025-06-01": Semver "1.0.0-beta" is not MAJOR.MINOR.PATCH: unexpected "-beta" after MAJOR.MINOR.PATCH`},
		{"tag latest", []Version{{ID: "2025-06-01", Semver: "1.0.0", Tags: []string{"latest"}}},
			`version "2025-06-01": tag "latest" is implicit: it always names the newest version`},
		{"tag upper", []Version{{ID: "2025-06-01", Semver: "1.0.0", Tags: []string{"Stable"}}},
			`version "2025-06-01": tag "Stable" must start with a lower-case letter`},
		{"tag semver", []Version{{ID: "2025-06-01", Semver: "1.0.0", Tags: []string{"v2"}}},
			`version "2025-06-01": tag "v2" would read as a semver`},
		{"tag chars", []Version{{ID: "2025-06-01", Semver: "1.0.0", Tags: []string{"a b"}}},
			`version "2025-06-01": tag "a b" has ' '; use a-z, 0-9, '-', '_' and '.'`},
		{"tag empty", []Version{{ID: "2025-06-01", Semver: "1.0.0", Tags: []string{""}}},
			`version "2025-06-01": tag "" is empty`},
		{"status", []Version{{ID: "2025-06-01", Semver: "1.0.0", Status: 7}},
			`version "2025-06-01": unknown Status(7)`},
		{"duplicate ID", []Version{v1, {ID: "2025-01-01", Semver: "2.0.0"}},
			`version "2025-01-01": duplicate ID`},
		{"duplicate semver", []Version{v1, {ID: "2025-02-01", Semver: "1.0.0"}},
			`version "2025-02-01": Semver 1.0.0 is also version "2025-01-01"'s`},
		{"semver decreases", []Version{v1, {ID: "2024-02-01", Semver: "1.1.0"}},
			`version "2025-01-01": Semver 1.0.0 is lower than 1.1.0 of the earlier version "2024-02-01"`},
		{"duplicate tag", []Version{
			{ID: "2025-01-01", Semver: "1.0.0", Tags: []string{"stable"}},
			{ID: "2025-02-01", Semver: "1.1.0", Tags: []string{"stable"}}},
			`version "2025-02-01": tag "stable" is also on version "2025-01-01"`},
		{"tag twice", []Version{{ID: "2025-01-01", Semver: "1.0.0", Tags: []string{"beta", "beta"}}},
			`version "2025-01-01": tag "beta" is also on version "2025-01-01"`},
		{"suffix order", []Version{
			{ID: "2025-01-01", Date: day("2025-01-01T12:00:00Z"), Semver: "1.0.0"},
			{ID: "2025-01-01.2", Date: day("2025-01-01T08:00:00Z"), Semver: "1.1.0"}},
			`version "2025-01-01": Date 2025-01-01T12:00:00Z is after 2025-01-01T08:00:00Z of version "2025-01-01.2", but its ID suffix is lower`},
	}
	for _, tt := range tests {
		_, err := NewSet(tt.versions)
		if !errors.Is(err, ErrInvalidSet) {
			t.Errorf("%s: NewSet error = %v, want ErrInvalidSet", tt.name, err)
			continue
		}
		if want := "timescape: invalid version set: " + tt.msg; err.Error() != want {
			t.Errorf("%s: NewSet error:\n got %s\nwant %s", tt.name, err, want)
		}
	}
}

func TestNewSetDefaultVersionError(t *testing.T) {
	t.Parallel()
	_, err := NewSet([]Version{{ID: "2025-01-01", Semver: "1.0.0"}}, DefaultVersion("2024-12-31"))
	if !errors.Is(err, ErrInvalidSet) || !errors.Is(err, ErrBeforeFirst) {
		t.Errorf("NewSet with a default before the first version: %v", err)
	}
}

func TestNewSetCopies(t *testing.T) {
	t.Parallel()
	in := []Version{{ID: "2025-01-01", Semver: "1.0.0", Tags: []string{"stable"}}}
	s, err := NewSet(in)
	if err != nil {
		t.Fatal(err)
	}
	in[0].ID, in[0].Tags[0] = "2026-01-01", "beta"
	out := s.Versions()
	out[0].Tags[0] = "gamma"
	if v, err := s.Resolve("stable"); err != nil || v.ID != "2025-01-01" || v.Tags[0] != "stable" {
		t.Errorf(`after mutating input and output, Resolve("stable") = %v, %v`, v, err)
	}
	if want := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); !s.Head().Date.Equal(want) || s.Head().Date.Location() != time.UTC {
		t.Errorf("zero Date became %v, want %v", s.Head().Date, want)
	}
}

func TestStatusString(t *testing.T) {
	t.Parallel()
	for s, want := range map[Status]string{StatusActive: "active", StatusDeprecated: "deprecated", StatusSunset: "sunset", 9: "Status(9)"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", s, got, want)
		}
	}
}
