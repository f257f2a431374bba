// Package versions implements the gati version commands: it turns an
// app's manifest into timescape snapshots, and reads and writes the
// snapshots and lifecycle file in the app's .gati/versions.
//
// Errors carry no command name; the CLI prefixes them.
package versions

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gati.dev/gati/manifest"
	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
	"gati.dev/gati/timescape/diff"
)

// HeadID names the current code in place of a version ID.
const HeadID = "head"

// Dir returns the versions directory of the app in appDir.
func Dir(appDir string) string {
	return filepath.Join(appDir, filepath.FromSlash(timescape.VersionsDir))
}

// Routes describes the manifest's routes as a snapshot does: typed routes
// with their status (200 by default), parameters, request body (nil when
// every field of the request is a parameter) and response; raw routes
// with status 0, as their responses are unknown.
func Routes(m *manifest.Manifest) []timescape.RouteSchema {
	out := make([]timescape.RouteSchema, 0, len(m.Routes))
	for _, r := range m.Routes {
		if r.Until != "" {
			continue // an older implementation: the snapshot records the current API
		}
		rs := timescape.RouteSchema{Method: r.Method, Path: r.Path}
		if r.Handler.Kind == manifest.Typed {
			rs.Status = r.Status
			if rs.Status == 0 {
				rs.Status = 200
			}
			rs.ContentType = "application/json"
			if r.Request != nil {
				rs.Params = r.Request.Params
				if hasBody(r.Request) {
					rs.Request = r.Request.Schema
				}
			}
			if r.Response != nil {
				rs.Response = r.Response.Schema
			}
		}
		out = append(out, rs)
	}
	return out
}

// hasBody reports whether a request type reads a body: a struct with a
// body field, or a type that is not a struct.
func hasBody(t *manifest.TypeRef) bool {
	if t.Schema == nil {
		return false
	}
	for _, f := range t.Fields {
		if f.Source == manifest.SourceBody {
			return true
		}
	}
	if len(t.Fields) > 0 {
		return false
	}
	// No fields: an empty struct reads nothing; other types are the body.
	root := t.Schema
	if root.Ref != "" && root.Defs != nil {
		if def := root.Defs[strings.TrimPrefix(root.Ref, "#/$defs/")]; def != nil {
			root = def
		}
	}
	return !(isObject(root.Type) && len(root.Properties) == 0 && root.AdditionalProperties == nil)
}

func isObject(t schema.Types) bool {
	return slices.Contains(t, "object")
}

// Head returns the snapshot of the current code, with ID "head".
func Head(m *manifest.Manifest, now time.Time) *timescape.Snapshot {
	s := &timescape.Snapshot{FormatVersion: timescape.SnapshotFormat, ID: HeadID, Date: now.UTC(), Routes: Routes(m)}
	s.SortRoutes()
	s.Hash = s.ComputeHash()
	return s
}

// Commit returns "git rev-parse HEAD" in dir, or "".
func Commit(ctx context.Context, dir string) string {
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// State is what .gati/versions holds: the snapshots, oldest first, and
// the lifecycle.
type State struct {
	Dir       string // the versions directory
	Snapshots []*timescape.Snapshot
	Lifecycle *timescape.Lifecycle
}

// Load reads the snapshots and lifecycle file of the app in appDir.
// Every snapshot is verified: a corrupt one is an error naming its file.
func Load(appDir string) (*State, error) {
	dir := Dir(appDir)
	snaps, err := timescape.ReadSnapshots(dir)
	if err != nil {
		return nil, err
	}
	l, err := timescape.ReadLifecycle(dir)
	if err != nil {
		return nil, err
	}
	return &State{Dir: dir, Snapshots: snaps, Lifecycle: l}, nil
}

// Newest returns the newest snapshot, or nil.
func (st *State) Newest() *timescape.Snapshot {
	if len(st.Snapshots) == 0 {
		return nil
	}
	return st.Snapshots[len(st.Snapshots)-1]
}

// IDs lists the version IDs, oldest first.
func (st *State) IDs() []string {
	ids := make([]string, len(st.Snapshots))
	for i, s := range st.Snapshots {
		ids[i] = s.ID
	}
	return ids
}

// Find returns the snapshot with the ID; an unknown ID is an error listing
// the known ones.
func (st *State) Find(id string) (*timescape.Snapshot, error) {
	for _, s := range st.Snapshots {
		if s.ID == id {
			return s, nil
		}
	}
	if len(st.Snapshots) == 0 {
		return nil, fmt.Errorf("unknown version %q: there are no versions yet (gati version snapshot writes the first)", id)
	}
	return nil, fmt.Errorf("unknown version %q (known: %s)", id, strings.Join(st.IDs(), ", "))
}

// Set builds the versions' set as of now, as the runtime serves it.
func (st *State) Set(now time.Time) (*timescape.Set, error) {
	return timescape.BuildSet(st.Snapshots, st.Lifecycle, now)
}

// event appends an event to the history, with the current head and
// default.
func (st *State) event(now time.Time, kind, id string) {
	head := ""
	if s := st.Newest(); s != nil {
		head = s.ID
	}
	st.Lifecycle.History = append(st.Lifecycle.History, timescape.Event{
		At: now.UTC(), Event: kind, Head: head, Version: id, Default: st.Lifecycle.Default,
	})
}

// save writes the lifecycle file.
func (st *State) save() error {
	return timescape.WriteLifecycle(st.Dir, st.Lifecycle)
}

// ParseTime reads a flag's value: a date (2025-06-01, midnight UTC) or an
// RFC 3339 time. Errors name the flag.
func ParseTime(flag, value string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, value); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, value); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--%s %q is not a date (2025-06-01) or an RFC 3339 time (2025-06-01T12:00:00Z)", flag, value)
}

// Compare compares two versions, "head" being the current code (cur,
// which may be nil when neither is "head"). from defaults to the newest
// snapshot, to to "head".
func Compare(st *State, cur *timescape.Snapshot, from, to string) (diff.Report, error) {
	if from == "" {
		s := st.Newest()
		if s == nil {
			return diff.Report{}, fmt.Errorf("there are no versions yet; run gati version snapshot first")
		}
		from = s.ID
	}
	if to == "" {
		to = HeadID
	}
	get := func(id string) (*timescape.Snapshot, error) {
		if id == HeadID {
			if cur == nil {
				return nil, fmt.Errorf("internal error: head not analyzed")
			}
			return cur, nil
		}
		return st.Find(id)
	}
	a, err := get(from)
	if err != nil {
		return diff.Report{}, err
	}
	b, err := get(to)
	if err != nil {
		return diff.Report{}, err
	}
	return diff.Compare(a, b), nil
}

// NeedsHead reports whether comparing from and to needs the current code.
func NeedsHead(from, to string) bool {
	return from == HeadID || to == HeadID || to == ""
}
