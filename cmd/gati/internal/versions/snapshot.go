package versions

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/manifest"
	"gati.dev/gati/timescape"
	"gati.dev/gati/timescape/diff"
)

// SnapshotOptions are the flags of gati version snapshot.
type SnapshotOptions struct {
	ID        string    // "" for the day of Date
	Date      time.Time // zero for Now
	Semver    string    // "" for the one the changes call for
	Changelog string    // "" for a summary of the changes
	Tags      []string
	Commit    string
	Now       time.Time
}

// SnapshotResult is what Snapshot did.
type SnapshotResult struct {
	Snapshot *timescape.Snapshot // the new version; nil when Unchanged
	Path     string
	Previous *timescape.Snapshot // nil for the first version
	Report   diff.Report         // from Previous to the new version
	// Unchanged is true when the API has not changed since Previous:
	// nothing was written.
	Unchanged bool
}

// Snapshot writes a new version of the API m describes, with the semver
// the changes since the newest version call for (1.0.0 for the first),
// and records it in the lifecycle file.
func Snapshot(st *State, m *manifest.Manifest, o SnapshotOptions) (*SnapshotResult, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	for _, tag := range o.Tags {
		if err := timescape.CheckTag(tag); err != nil {
			return nil, fmt.Errorf("--tag: %w", err)
		}
	}
	prev := st.Newest()
	s := &timescape.Snapshot{FormatVersion: timescape.SnapshotFormat, Routes: Routes(m), Commit: o.Commit}
	s.SortRoutes()
	res := &SnapshotResult{Previous: prev}
	res.Report = diff.Compare(prev, s)
	if prev != nil && len(res.Report.Changes) == 0 {
		res.Unchanged = true
		return res, nil
	}
	if err := dateAndID(st, s, o); err != nil {
		return nil, err
	}
	proposed := "1.0.0"
	if prev != nil {
		proposed = res.Report.Next
		if proposed == "" {
			return nil, fmt.Errorf("the newest version %s has semver %q, which is not MAJOR.MINOR.PATCH", prev.ID, prev.Semver)
		}
	}
	s.Semver = proposed
	if o.Semver != "" {
		v := strings.TrimPrefix(o.Semver, "v")
		if _, ok := parseSemver(v); !ok {
			return nil, fmt.Errorf("--semver %q is not MAJOR.MINOR.PATCH", o.Semver)
		}
		if compareSemver(v, proposed) < 0 {
			why := "the first version"
			if prev != nil {
				why = fmt.Sprintf("the %s changes since %s (%s)", res.Report.Severity, prev.ID, prev.Semver)
			}
			return nil, fmt.Errorf("--semver %s is lower than %s, which %s call for", v, proposed, why)
		}
		s.Semver = v
	}
	s.Changelog = o.Changelog
	if s.Changelog == "" {
		s.Changelog = Summary(res.Report, prev == nil, len(s.Routes))
	}
	res.Report.To = s.ID
	// Check the set the new version makes before writing anything.
	all := append(append([]*timescape.Snapshot(nil), st.Snapshots...), s)
	l := cloneLifecycle(st.Lifecycle)
	moveTags(l, s.ID, o.Tags)
	if _, err := timescape.BuildSet(all, l, o.Now); err != nil {
		return nil, err
	}
	path, err := timescape.WriteSnapshot(st.Dir, s)
	if err != nil {
		return nil, err
	}
	res.Snapshot, res.Path = s, path
	st.Snapshots = all
	st.Lifecycle = l
	st.event(s.Date, timescape.EventSnapshot, s.ID) // when it became the head
	if err := st.save(); err != nil {
		return nil, err
	}
	return res, nil
}

// dateAndID sets s.Date and s.ID from the options: the ID's day, or
// today, with a suffix when that day already has versions.
func dateAndID(st *State, s *timescape.Snapshot, o SnapshotOptions) error {
	s.Date = o.Date
	if o.ID != "" {
		if err := timescape.ValidID(o.ID); err != nil {
			return fmt.Errorf("--id %w", err)
		}
		if _, err := st.Find(o.ID); err == nil {
			return fmt.Errorf("--id %s: version %s exists already", o.ID, o.ID)
		}
		if s.Date.IsZero() {
			s.Date = o.Now
			if day := o.Now.UTC().Format(time.DateOnly); day != o.ID[:10] {
				s.Date, _ = time.Parse(time.DateOnly, o.ID[:10])
			}
		} else if day := s.Date.UTC().Format(time.DateOnly); day != o.ID[:10] {
			return fmt.Errorf("--id %s does not fall on the day of --date (%s UTC)", o.ID, day)
		}
		s.ID = o.ID
	} else {
		if s.Date.IsZero() {
			s.Date = o.Now
		}
		s.ID = nextID(st, s.Date.UTC().Format(time.DateOnly))
	}
	s.Date = s.Date.UTC()
	if prev := st.Newest(); prev != nil && s.Date.Before(prev.Date) {
		return fmt.Errorf("the date %s is before that of the newest version %s (%s); versions must be in date order",
			s.Date.Format(time.RFC3339), prev.ID, prev.Date.Format(time.RFC3339))
	}
	return nil
}

// nextID returns day, or day.N after the versions of that day.
func nextID(st *State, day string) string {
	n := 0
	for _, s := range st.Snapshots {
		if s.ID[:10] == day {
			n = max(n, timescape.IDSuffix(s.ID))
		}
	}
	if n == 0 {
		return day
	}
	return day + "." + strconv.Itoa(n+1)
}

// moveTags puts the tags on version id, taking them from other versions.
func moveTags(l *timescape.Lifecycle, id string, tags []string) {
	if len(tags) == 0 {
		return
	}
	for other, e := range l.Versions {
		if other == id {
			continue
		}
		e.Tags = slicesDelete(e.Tags, tags)
	}
	e := l.Entry(id)
	e.Tags = append(e.Tags, tags...)
}

func slicesDelete(have, drop []string) []string {
	var out []string
	for _, t := range have {
		keep := true
		for _, d := range drop {
			if t == d {
				keep = false
			}
		}
		if keep {
			out = append(out, t)
		}
	}
	return out
}

func cloneLifecycle(l *timescape.Lifecycle) *timescape.Lifecycle {
	c := &timescape.Lifecycle{Default: l.Default, History: append([]timescape.Event(nil), l.History...)}
	for id, e := range l.Versions {
		ce := *e
		ce.Tags = append([]string(nil), e.Tags...)
		c.Entry(id)
		c.Versions[id] = &ce
	}
	return c
}

// Summary describes a report in one line for a changelog: "2 breaking,
// 1 minor: response field removed on GET /users/{id}; ...".
func Summary(r diff.Report, first bool, routes int) string {
	if first {
		if routes == 1 {
			return "First version: 1 route."
		}
		return fmt.Sprintf("First version: %d routes.", routes)
	}
	counts := map[diff.Severity]int{}
	for _, c := range r.Changes {
		counts[c.Severity]++
	}
	var parts []string
	for sev := diff.Breaking; sev >= diff.Patch; sev-- {
		if counts[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[sev], sev))
		}
	}
	var what []string
	const shown = 3
	for i, c := range r.Changes {
		if i == shown {
			what = append(what, fmt.Sprintf("and %d more", len(r.Changes)-shown))
			break
		}
		what = append(what, strings.ReplaceAll(c.Rule, "-", " ")+" on "+c.Route)
	}
	return strings.Join(parts, ", ") + ": " + strings.Join(what, "; ")
}

// parseSemver reads "MAJOR.MINOR.PATCH".
func parseSemver(v string) ([3]uint64, bool) {
	var n [3]uint64
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return n, false
	}
	for i, p := range parts {
		x, err := strconv.ParseUint(p, 10, 63)
		if err != nil || p == "" || (len(p) > 1 && p[0] == '0') || p[0] == '+' {
			return n, false
		}
		n[i] = x
	}
	return n, true
}

func compareSemver(a, b string) int {
	x, _ := parseSemver(a)
	y, _ := parseSemver(b)
	for i := range x {
		switch {
		case x[i] < y[i]:
			return -1
		case x[i] > y[i]:
			return 1
		}
	}
	return 0
}
