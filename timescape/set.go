package timescape

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Set is an immutable, validated list of versions that resolves the values
// clients send. It is safe for concurrent use.
type Set struct {
	versions []Version      // oldest first; ties on Date ordered by ID suffix
	instants []int64        // Unix nanoseconds of versions[i].Date
	semvers  []semver       // parsed versions[i].Semver, increasing
	ids      map[string]int // ID → index
	tags     map[string]int // custom tag → index
	def      int            // index returned for ""
	accepted []string       // accepted forms, for errors
	tagList  string         // "latest, beta, stable", for errors
	_        [0]func()      // not comparable
}

// An Option configures [NewSet].
type Option interface{ apply(*config) }

type config struct{ def string }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// DefaultVersion makes Resolve("") return the version value resolves to,
// in any form Resolve accepts, instead of the head. Rolling back the
// default is a matter of building a new Set with an older value.
func DefaultVersion(value string) Option {
	return optionFunc(func(c *config) { c.def = value })
}

// ErrInvalidSet is wrapped by every error NewSet returns.
var ErrInvalidSet = errors.New("timescape: invalid version set")

// NewSet validates versions and builds a Set. It copies versions, so the
// caller may reuse the slice. Every error names the offending version.
func NewSet(versions []Version, opts ...Option) (*Set, error) {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("%w: no versions", ErrInvalidSet)
	}
	s := &Set{
		versions: make([]Version, len(versions)),
		instants: make([]int64, len(versions)),
		semvers:  make([]semver, len(versions)),
		ids:      make(map[string]int, len(versions)),
		tags:     make(map[string]int),
	}
	suffixes := make([]int, len(versions))
	for i, v := range versions {
		sv, suffix, err := normalize(&v, i)
		if err != nil {
			return nil, err
		}
		v.Tags = slices.Clone(v.Tags)
		s.versions[i], s.semvers[i], suffixes[i] = v, sv, suffix
	}
	if err := s.sort(suffixes); err != nil {
		return nil, err
	}
	if err := s.index(); err != nil {
		return nil, err
	}
	return s, s.setDefault(c.def)
}

// normalize checks one version on its own, fills a zero Date from the ID
// and converts Date to UTC. i is the version's position, for messages.
func normalize(v *Version, i int) (semver, int, error) {
	fail := func(format string, args ...any) (semver, int, error) {
		name := fmt.Sprintf("version %q", v.ID)
		if v.ID == "" {
			name = fmt.Sprintf("version #%d (no ID)", i)
		}
		return semver{}, 0, fmt.Errorf("%w: %s: %s", ErrInvalidSet, name, fmt.Sprintf(format, args...))
	}
	days, suffix, reason := parseID(v.ID)
	if reason != "" {
		return fail("ID must be a date (2025-06-01) or a date and suffix (2025-06-01.2): %s", reason)
	}
	if v.Date.IsZero() {
		v.Date = time.Unix(days*secondsPerDay, 0).UTC()
	}
	v.Date = v.Date.UTC()
	if y := v.Date.Year(); y < minYear || y > maxYear {
		return fail("Date %s is outside the years %d to %d", v.Date.Format(time.RFC3339), minYear, maxYear)
	}
	if day := v.Date.Format(time.DateOnly); day != v.ID[:10] {
		return fail("Date %s falls on %s (UTC), not on the day the ID names", v.Date.Format(time.RFC3339Nano), day)
	}
	sv, n, reason := parseSemver(v.Semver)
	switch {
	case v.Semver == "":
		return fail("Semver is required")
	case reason != "":
		return fail("Semver %q is not MAJOR.MINOR.PATCH: %s", v.Semver, reason)
	case n != 3:
		return fail("Semver %q is not MAJOR.MINOR.PATCH", v.Semver)
	}
	for _, tag := range v.Tags {
		if reason := checkTag(tag); reason != "" {
			return fail("tag %q %s", tag, reason)
		}
	}
	if v.Status > StatusSunset {
		return fail("unknown %v", v.Status)
	}
	v.Deprecated, v.Sunset = v.Deprecated.UTC(), v.Sunset.UTC()
	return sv, suffix, nil
}

// checkTag says what is wrong with a custom tag, or returns "".
func checkTag(tag string) string {
	switch {
	case tag == "":
		return "is empty"
	case tag == "latest":
		return "is implicit: it always names the newest version"
	case tag[0] < 'a' || tag[0] > 'z':
		return "must start with a lower-case letter"
	case tag[0] == 'v' && len(tag) > 1 && isDigit(tag[1]):
		return "would read as a semver"
	case len(tag) > maxTagLen:
		return fmt.Sprintf("is longer than %d bytes", maxTagLen)
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; !('a' <= c && c <= 'z' || isDigit(c) || c == '-' || c == '_' || c == '.') {
			return fmt.Sprintf("has %q; use a-z, 0-9, '-', '_' and '.'", c)
		}
	}
	return ""
}

// sort orders versions by Date, then ID suffix, and checks that the order
// agrees with IDs and semvers.
func (s *Set) sort(suffixes []int) error {
	order := make([]int, len(s.versions))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(s.versions[a].Date.Compare(s.versions[b].Date), cmp.Compare(suffixes[a], suffixes[b]))
	})
	versions := make([]Version, len(order))
	semvers := make([]semver, len(order))
	for i, j := range order {
		versions[i], semvers[i] = s.versions[j], s.semvers[j]
	}
	s.versions, s.semvers = versions, semvers
	for i := 1; i < len(order); i++ {
		prev, v := &versions[i-1], &versions[i]
		if prev.ID[:10] == v.ID[:10] && suffixes[order[i-1]] > suffixes[order[i]] {
			return fmt.Errorf("%w: version %q: Date %s is after %s of version %q, but its ID suffix is lower",
				ErrInvalidSet, v.ID, v.Date.Format(time.RFC3339Nano), prev.Date.Format(time.RFC3339Nano), prev.ID)
		}
	}
	return nil
}

// index fills the lookup tables and checks uniqueness and semver order.
func (s *Set) index() error {
	bySemver := make(map[semver]string, len(s.versions))
	for i := range s.versions {
		v := &s.versions[i]
		if j, ok := s.ids[v.ID]; ok && j != i {
			return fmt.Errorf("%w: version %q: duplicate ID", ErrInvalidSet, v.ID)
		}
		s.ids[v.ID] = i
		if other, ok := bySemver[s.semvers[i]]; ok {
			return fmt.Errorf("%w: version %q: Semver %s is also version %q's", ErrInvalidSet, v.ID, v.Semver, other)
		}
		bySemver[s.semvers[i]] = v.ID
		s.instants[i] = unixNano(v.Date.Unix(), int64(v.Date.Nanosecond()))
		for _, tag := range v.Tags {
			if j, ok := s.tags[tag]; ok {
				return fmt.Errorf("%w: version %q: tag %q is also on version %q", ErrInvalidSet, v.ID, tag, s.versions[j].ID)
			}
			s.tags[tag] = i
		}
	}
	for i := 1; i < len(s.versions); i++ {
		if s.semvers[i].compare(s.semvers[i-1]) < 0 {
			prev, v := &s.versions[i-1], &s.versions[i]
			return fmt.Errorf("%w: version %q: Semver %s is lower than %s of the earlier version %q",
				ErrInvalidSet, v.ID, v.Semver, prev.Semver, prev.ID)
		}
	}
	s.def = len(s.versions) - 1
	s.accepted = s.acceptedForms()
	return nil
}

// acceptedForms lists what Resolve accepts, with examples from the head.
func (s *Set) acceptedForms() []string {
	head := s.Head()
	sv := s.semvers[len(s.semvers)-1]
	tags := make([]string, 0, len(s.tags)+1)
	for tag := range s.tags {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	s.tagList = strings.Join(append([]string{"latest"}, tags...), ", ")
	return []string{
		"a date (" + head.ID[:10] + ")",
		"an RFC 3339 time (" + head.Date.Format(time.RFC3339) + ")",
		"a semver (" + prefixString(sv, 1) + ", " + prefixString(sv, 2) + ", " + head.Semver + ")",
		"a tag (" + s.tagList + ")",
	}
}

func (s *Set) setDefault(value string) error {
	if value == "" {
		return nil
	}
	v, err := s.Resolve(value)
	if err != nil {
		return fmt.Errorf("%w: DefaultVersion: %w", ErrInvalidSet, err)
	}
	s.def = s.index0(v)
	return nil
}

// index0 returns the index of v, which points into s.versions.
func (s *Set) index0(v *Version) int { return s.ids[v.ID] }

// Head returns the newest version, which "latest" names. The Set owns it:
// do not modify it.
func (s *Set) Head() *Version { return &s.versions[len(s.versions)-1] }

// Default returns the version Resolve("") returns: the head unless
// [DefaultVersion] said otherwise.
func (s *Set) Default() *Version { return &s.versions[s.def] }

// Versions returns a copy of the versions, oldest first.
func (s *Set) Versions() []Version {
	out := slices.Clone(s.versions)
	for i := range out {
		out[i].Tags = slices.Clone(out[i].Tags)
	}
	return out
}

// Len returns the number of versions.
func (s *Set) Len() int { return len(s.versions) }
