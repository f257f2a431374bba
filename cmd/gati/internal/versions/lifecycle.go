package versions

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gati.dev/gati/timescape"
)

// Entry is one line of gati version list.
type Entry struct {
	ID         string     `json:"id"`
	Date       time.Time  `json:"date"`
	Semver     string     `json:"semver"`
	Status     string     `json:"status"` // active, deprecated or sunset
	Deprecated *time.Time `json:"deprecated,omitempty"`
	Sunset     *time.Time `json:"sunset,omitempty"`
	Tags       []string   `json:"tags"` // custom tags, and "latest" on the head
	Default    bool       `json:"default"`
	Commit     string     `json:"commit,omitempty"`
	Changelog  string     `json:"changelog,omitempty"`
}

// lifecycleOf returns a version's life cycle: the lifecycle file's, else
// its snapshot's.
func (st *State) lifecycleOf(s *timescape.Snapshot) timescape.VersionLifecycle {
	e := timescape.VersionLifecycle{Deprecated: s.Deprecated, Sunset: s.Sunset}
	if le := st.Lifecycle.Versions[s.ID]; le != nil {
		if le.Deprecated != nil {
			e.Deprecated = le.Deprecated
		}
		if le.Sunset != nil {
			e.Sunset = le.Sunset
		}
		e.Tags = slices.Clone(le.Tags)
	}
	return e
}

// DefaultID returns the version clients without a header get.
func (st *State) DefaultID() string {
	if st.Lifecycle.Default != "" {
		return st.Lifecycle.Default
	}
	if s := st.Newest(); s != nil {
		return s.ID
	}
	return ""
}

// List describes the versions as of now, oldest first.
func List(st *State, now time.Time) []Entry {
	out := make([]Entry, 0, len(st.Snapshots))
	def := st.DefaultID()
	for i, s := range st.Snapshots {
		e := st.lifecycleOf(s)
		tags := e.Tags
		if i == len(st.Snapshots)-1 {
			tags = append([]string{"latest"}, tags...)
		}
		if tags == nil {
			tags = []string{}
		}
		out = append(out, Entry{
			ID: s.ID, Date: s.Date, Semver: s.Semver, Status: e.StatusAt(now).String(),
			Deprecated: e.Deprecated, Sunset: e.Sunset, Tags: tags, Default: s.ID == def,
			Commit: s.Commit, Changelog: s.Changelog,
		})
	}
	return out
}

// Deprecate marks version id deprecated as of now, if it is not yet, with
// the sunset given, which must not be before today.
func Deprecate(st *State, id string, sunset, now time.Time) error {
	if _, err := st.Find(id); err != nil {
		return err
	}
	today := now.UTC().Truncate(24 * time.Hour)
	if sunset.Before(today) {
		return fmt.Errorf("--sunset %s is in the past (today is %s)", sunset.UTC().Format(time.DateOnly), today.Format(time.DateOnly))
	}
	l := cloneLifecycle(st.Lifecycle)
	e := l.Entry(id)
	if e.Deprecated == nil {
		d := now.UTC()
		e.Deprecated = &d
	}
	su := sunset.UTC()
	e.Sunset = &su
	if _, err := timescape.BuildSet(st.Snapshots, l, now); err != nil {
		return err
	}
	st.Lifecycle = l
	st.event(now, timescape.EventDeprecate, id)
	return st.save()
}

// Rollback makes version id the default for clients that send no version
// header; id "" clears the rollback, making the head the default again.
func Rollback(st *State, id string, now time.Time) error {
	l := cloneLifecycle(st.Lifecycle)
	if id != "" {
		s, err := st.Find(id)
		if err != nil {
			return err
		}
		if lc := st.lifecycleOf(s); lc.StatusAt(now) == timescape.StatusSunset {
			return fmt.Errorf("version %s is past its sunset; it is no longer served", id)
		}
		if head := st.Newest(); head.ID == id {
			id = "" // the head is the default anyway
		}
	} else if l.Default == "" {
		return fmt.Errorf("there is no rollback to clear: clients without a version header get the head, %s", st.DefaultID())
	}
	l.Default = id
	if _, err := timescape.BuildSet(st.Snapshots, l, now); err != nil {
		return err
	}
	st.Lifecycle = l
	st.event(now, timescape.EventRollback, id)
	return st.save()
}

// HistoryEntry is one line of gati version history.
type HistoryEntry struct {
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
	Version string    `json:"version,omitempty"`
	Head    string    `json:"head"`
	// Serving is the version clients without a header got after the event.
	Serving string `json:"serving"`
}

// History lists the lifecycle events, with the versions' dates for
// snapshots written before the lifecycle file recorded them, oldest
// first.
func History(st *State) []HistoryEntry {
	recorded := map[string]bool{}
	var out []HistoryEntry
	for _, ev := range st.Lifecycle.History {
		if ev.Event == timescape.EventSnapshot {
			recorded[ev.Version] = true
		}
		serving := ev.Default
		if serving == "" {
			serving = ev.Head
		}
		out = append(out, HistoryEntry{At: ev.At, Event: ev.Event, Version: ev.Version, Head: ev.Head, Serving: serving})
	}
	for _, s := range st.Snapshots {
		if !recorded[s.ID] {
			out = append(out, HistoryEntry{At: s.Date, Event: timescape.EventSnapshot, Version: s.ID, Head: s.ID, Serving: s.ID})
		}
	}
	slices.SortStableFunc(out, func(a, b HistoryEntry) int { return a.At.Compare(b.At) })
	return out
}

// FirstLine returns the first line of s.
func FirstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
