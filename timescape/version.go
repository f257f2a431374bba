package timescape

import "time"

// Status is where a version stands in its life cycle.
type Status uint8

// The statuses of a version. The zero value is StatusActive.
const (
	StatusActive     Status = iota // served normally
	StatusDeprecated               // served, with a deprecation notice
	StatusSunset                   // no longer served
)

func (s Status) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusDeprecated:
		return "deprecated"
	case StatusSunset:
		return "sunset"
	}
	return "Status(" + itoa(int64(s)) + ")"
}

// Version is one version of an API: the API as it was from Date on.
type Version struct {
	// ID names the version by the day it became current, "2025-06-01", or
	// "2025-06-01.2" for a second version the same day (then .3, ...).
	ID string
	// Date is when the version became current. Its UTC day must be the day
	// in ID; when zero, NewSet takes midnight UTC of that day.
	Date time.Time
	// Semver is "MAJOR.MINOR.PATCH" without a "v", such as "2.0.0". It is
	// required, unique, and increases with Date.
	Semver string
	// Tags are custom names for the version, such as "stable" or "beta":
	// lower case, starting with a letter, unique across the set. "latest"
	// is implicit: it always names the newest version.
	Tags []string
	// Status, Deprecated and Sunset describe the life cycle; Deprecated and
	// Sunset are zero when not set.
	Status     Status
	Deprecated time.Time
	Sunset     time.Time
}

// String returns the version's ID.
func (v *Version) String() string { return v.ID }
