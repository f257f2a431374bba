package timescape

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// VersionsDir is where the gati CLI keeps an app's snapshots and
// lifecycle file, relative to the app's directory.
const VersionsDir = ".gati/versions"

// LifecycleFile is the name of the lifecycle file in a versions directory.
// Snapshot readers of this file skip it.
const LifecycleFile = "lifecycle.json"

// Lifecycle is what changes about versions after their snapshots are
// written: deprecation, sunset, tags, the default version and the history
// of these changes. The gati CLI keeps it in .gati/versions/lifecycle.json,
// committed next to the snapshots, which never change.
type Lifecycle struct {
	// Versions maps version IDs to their life cycle.
	Versions map[string]*VersionLifecycle `json:"versions"`
	// Default is the ID of the version that clients without a version
	// header get, when it is not the head ("" for the head): a rollback.
	Default string `json:"default"`
	// History lists the events, oldest first.
	History []Event `json:"history"`
}

// VersionLifecycle is the life cycle of one version.
type VersionLifecycle struct {
	Deprecated *time.Time `json:"deprecated,omitempty"`
	Sunset     *time.Time `json:"sunset,omitempty"`
	Tags       []string   `json:"tags,omitempty"`
}

// The events of a [Lifecycle]'s history.
const (
	EventSnapshot  = "snapshot"
	EventRollback  = "rollback"
	EventDeprecate = "deprecate"
)

// Event is one entry of a [Lifecycle]'s history.
type Event struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"` // EventSnapshot, EventRollback or EventDeprecate
	// Head is the newest version after the event.
	Head string `json:"head"`
	// Version is the version the event is about: the one written,
	// deprecated or rolled back to ("" when a rollback was cleared).
	Version string `json:"version,omitempty"`
	// Default is the rolled-back default in force after the event, ""
	// when clients without a header get the head.
	Default string `json:"default,omitempty"`
}

// ErrNoVersions is wrapped by the error LoadSet and LoadSetFS return when
// the directory holds no snapshots.
var ErrNoVersions = errors.New("timescape: no version snapshots")

// ErrInvalidLifecycle is wrapped by every error about the content of a
// lifecycle file.
var ErrInvalidLifecycle = errors.New("timescape: invalid lifecycle file")

// Entry returns the life cycle of version id, creating it if needed.
func (l *Lifecycle) Entry(id string) *VersionLifecycle {
	if l.Versions == nil {
		l.Versions = make(map[string]*VersionLifecycle)
	}
	e := l.Versions[id]
	if e == nil {
		e = &VersionLifecycle{}
		l.Versions[id] = e
	}
	return e
}

// StatusAt returns the status of a version with this life cycle at time
// now: sunset from its Sunset on, deprecated once deprecated, else active.
func (e *VersionLifecycle) StatusAt(now time.Time) Status {
	switch {
	case e == nil:
		return StatusActive
	case e.Sunset != nil && !now.Before(*e.Sunset):
		return StatusSunset
	case e.Deprecated != nil:
		return StatusDeprecated
	}
	return StatusActive
}

// CheckTag returns an error saying what is wrong with a custom tag, such
// as "stable", or nil when NewSet accepts it.
func CheckTag(tag string) error {
	if reason := checkTag(tag); reason != "" {
		return fmt.Errorf("tag %q %s", tag, reason)
	}
	return nil
}

// ValidID returns an error saying what is wrong with a version ID, or nil
// for "2025-06-01" and "2025-06-01.2".
func ValidID(id string) error {
	if _, _, reason := parseID(id); reason != "" {
		return fmt.Errorf("%q is not a version ID (2025-06-01 or 2025-06-01.2): %s", id, reason)
	}
	return nil
}

// IDSuffix returns the suffix of a valid version ID: 1 for "2025-06-01",
// 2 for "2025-06-01.2"; 0 for an invalid one.
func IDSuffix(id string) int {
	_, n, reason := parseID(id)
	if reason != "" {
		return 0
	}
	return n
}

// ReadLifecycle reads dir/lifecycle.json; a missing file is an empty
// Lifecycle. Errors name the file.
func ReadLifecycle(dir string) (*Lifecycle, error) {
	p := filepath.Join(dir, LifecycleFile)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &Lifecycle{}, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeLifecycle(data, p)
}

func decodeLifecycle(data []byte, name string) (*Lifecycle, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var l Lifecycle
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalidLifecycle, name, jsonReason(data, err))
	}
	for id, e := range l.Versions {
		if _, _, reason := parseID(id); reason != "" {
			return nil, fmt.Errorf("%w: %s: version %q: %s", ErrInvalidLifecycle, name, id, reason)
		}
		if e == nil {
			return nil, fmt.Errorf("%w: %s: version %q is null", ErrInvalidLifecycle, name, id)
		}
		for _, tag := range e.Tags {
			if reason := checkTag(tag); reason != "" {
				return nil, fmt.Errorf("%w: %s: version %q: tag %q %s", ErrInvalidLifecycle, name, id, tag, reason)
			}
		}
	}
	if l.Default != "" {
		if _, _, reason := parseID(l.Default); reason != "" {
			return nil, fmt.Errorf("%w: %s: default %q: %s", ErrInvalidLifecycle, name, l.Default, reason)
		}
	}
	return &l, nil
}

// WriteLifecycle writes l to dir/lifecycle.json atomically (a temporary
// file renamed into place), creating dir if needed. Tags are sorted and
// the history ordered by time.
func WriteLifecycle(dir string, l *Lifecycle) error {
	if l.Versions == nil {
		l.Versions = map[string]*VersionLifecycle{}
	}
	if l.History == nil {
		l.History = []Event{}
	}
	for id, e := range l.Versions {
		if e == nil || (e.Deprecated == nil && e.Sunset == nil && len(e.Tags) == 0) {
			delete(l.Versions, id)
			continue
		}
		slices.Sort(e.Tags)
		e.Tags = slices.Compact(e.Tags)
	}
	slices.SortStableFunc(l.History, func(a, b Event) int { return a.At.Compare(b.At) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+LifecycleFile+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a failure
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, LifecycleFile))
}

// ReadSnapshotsFS is [ReadSnapshots] on a file system: it reads every
// *.json snapshot in dir of fsys except lifecycle.json, sorted by date,
// then ID. Errors name the file.
func ReadSnapshotsFS(fsys fs.FS, dir string) ([]*Snapshot, error) {
	return readSnapshotsFS(fsys, dir, func(p string) string { return p })
}

func readSnapshotsFS(fsys fs.FS, dir string, display func(string) string) ([]*Snapshot, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Snapshot
	suffix := make(map[*Snapshot]int)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || path.Ext(name) != ".json" || name == LifecycleFile {
			continue
		}
		p := path.Join(dir, name)
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		s, reason := decodeSnapshot(data)
		if reason != "" {
			return nil, fmt.Errorf("%w: %s: %s", ErrInvalidSnapshot, display(p), reason)
		}
		if want := s.ID + ".json"; name != want {
			return nil, fmt.Errorf("%w: %s: holds version %q, so it must be named %s", ErrInvalidSnapshot, display(p), s.ID, want)
		}
		_, suffix[s], _ = parseID(s.ID)
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Snapshot) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(suffix[a], suffix[b]), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// LoadSet reads the snapshots and lifecycle file in the versions
// directory dir (an app's .gati/versions) and builds their [Set]; see
// [LoadSetFS].
func LoadSet(dir string) (*Set, []*Snapshot, error) {
	return loadSet(os.DirFS(dir), ".", func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }, time.Now())
}

// LoadSetFS reads the snapshots and lifecycle.json in dir of fsys and
// builds their [Set], as the runtime serves it: each version gets the
// tags, deprecation and sunset the lifecycle file records (else those of
// its snapshot), its status as of now, and the set the lifecycle's default
// version. It returns the snapshots too, oldest first. A directory without
// snapshots is an error wrapping [ErrNoVersions].
func LoadSetFS(fsys fs.FS, dir string) (*Set, []*Snapshot, error) {
	return loadSet(fsys, dir, func(p string) string { return p }, time.Now())
}

func loadSet(fsys fs.FS, dir string, display func(string) string, now time.Time) (*Set, []*Snapshot, error) {
	snaps, err := readSnapshotsFS(fsys, dir, display)
	if err != nil {
		return nil, nil, err
	}
	lp := path.Join(dir, LifecycleFile)
	l := &Lifecycle{}
	if data, err := fs.ReadFile(fsys, lp); err == nil {
		if l, err = decodeLifecycle(data, display(lp)); err != nil {
			return nil, nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	if len(snaps) == 0 {
		return nil, nil, fmt.Errorf("%w in %s", ErrNoVersions, display(dir))
	}
	set, err := BuildSet(snaps, l, now)
	if err != nil {
		return nil, nil, err
	}
	return set, snaps, nil
}

// BuildSet builds the [Set] of snapshots with the life cycle l as of now;
// see [LoadSetFS]. A lifecycle entry for a version without a snapshot is
// an error.
func BuildSet(snaps []*Snapshot, l *Lifecycle, now time.Time) (*Set, error) {
	if l == nil {
		l = &Lifecycle{}
	}
	known := make(map[string]bool, len(snaps))
	versions := make([]Version, 0, len(snaps))
	for _, s := range snaps {
		known[s.ID] = true
		v := s.Version()
		e := &VersionLifecycle{Deprecated: s.Deprecated, Sunset: s.Sunset}
		if le := l.Versions[s.ID]; le != nil {
			if le.Deprecated != nil {
				e.Deprecated = le.Deprecated
			}
			if le.Sunset != nil {
				e.Sunset = le.Sunset
			}
			e.Tags = le.Tags
		}
		v.Tags = slices.Clone(e.Tags)
		v.Status = e.StatusAt(now)
		if e.Deprecated != nil {
			v.Deprecated = *e.Deprecated
		}
		if e.Sunset != nil {
			v.Sunset = *e.Sunset
		}
		versions = append(versions, v)
	}
	ids := make([]string, 0, len(l.Versions))
	for id := range l.Versions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !known[id] {
			return nil, fmt.Errorf("%w: %s: version %q has no snapshot", ErrInvalidLifecycle, LifecycleFile, id)
		}
	}
	var opts []Option
	if l.Default != "" {
		if !known[l.Default] {
			return nil, fmt.Errorf("%w: %s: default version %q has no snapshot", ErrInvalidLifecycle, LifecycleFile, l.Default)
		}
		// By semver, which is unique: a date ID such as "2025-06-01"
		// would resolve to "2025-06-01.2" when there is one.
		for _, s := range snaps {
			if s.ID == l.Default {
				opts = append(opts, DefaultVersion(s.Semver))
			}
		}
	}
	return NewSet(versions, opts...)
}
