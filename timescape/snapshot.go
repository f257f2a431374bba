package timescape

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gati.dev/gati/schema"
)

// SnapshotFormat is the format_version that [WriteSnapshot] writes and
// [ReadSnapshot] accepts.
const SnapshotFormat = 1

// Snapshot is the shape of one API version: every route with its
// parameters, request body and response, as JSON Schema. The gati CLI
// writes one per version to .gati/versions/<id>.json, where it is
// committed; the timescape/diff package compares two of them.
type Snapshot struct {
	FormatVersion int       `json:"format_version"` // SnapshotFormat
	ID            string    `json:"id"`             // "2025-06-01" or "2025-06-01.2"
	Date          time.Time `json:"date"`
	Semver        string    `json:"semver"` // "MAJOR.MINOR.PATCH"
	Commit        string    `json:"commit,omitempty"`
	Changelog     string    `json:"changelog,omitempty"`
	// Hash is "sha256:<hex>" of the canonical JSON of Routes; see
	// [Snapshot.ComputeHash].
	Hash       string     `json:"hash"`
	Deprecated *time.Time `json:"deprecated,omitempty"`
	Sunset     *time.Time `json:"sunset,omitempty"`
	// Routes are sorted by path, then method.
	Routes []RouteSchema `json:"routes"`
}

// RouteSchema describes one route of a [Snapshot].
type RouteSchema struct {
	Method string `json:"method"` // "GET"
	Path   string `json:"path"`   // "/users/{id}"
	// Status is the success status; ContentType that of the response
	// ("application/json").
	Status      int    `json:"status"`
	ContentType string `json:"content_type,omitempty"`
	// Params are the path, query, header and cookie parameters.
	Params []schema.Param `json:"params,omitempty"`
	// Request is the body's schema, nil when the route takes none;
	// Response the response body's, nil when it has none.
	Request  *schema.Schema `json:"request,omitempty"`
	Response *schema.Schema `json:"response,omitempty"`
}

// Key returns "METHOD /path", the route's name in reports.
func (r *RouteSchema) Key() string { return r.Method + " " + r.Path }

// SortRoutes sorts s.Routes by path, then method.
func (s *Snapshot) SortRoutes() {
	slices.SortStableFunc(s.Routes, compareRoutes)
}

func compareRoutes(a, b RouteSchema) int {
	return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
}

// ComputeHash returns "sha256:<hex>" of the canonical JSON of the routes,
// taken in path-then-method order: keywords in a fixed order, maps sorted
// by key, no HTML escaping. It does not modify s.
func (s *Snapshot) ComputeHash() string {
	routes := slices.Clone(s.Routes)
	slices.SortStableFunc(routes, compareRoutes)
	if routes == nil {
		routes = []RouteSchema{}
	}
	b, err := canonicalJSON(routes)
	if err != nil { // only a default, example or enum value that cannot be marshaled
		b = []byte(err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Version returns the snapshot's [Version], for [NewSet]. Its Status is
// StatusDeprecated when Deprecated is set; whether a version past its
// Sunset is still served is the caller's decision.
func (s *Snapshot) Version() Version {
	v := Version{ID: s.ID, Date: s.Date, Semver: s.Semver}
	if s.Deprecated != nil {
		v.Deprecated, v.Status = *s.Deprecated, StatusDeprecated
	}
	if s.Sunset != nil {
		v.Sunset = *s.Sunset
	}
	return v
}

func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ErrInvalidSnapshot is wrapped by every error about a snapshot's content
// that ReadSnapshot, ReadSnapshots and WriteSnapshot return.
var ErrInvalidSnapshot = errors.New("timescape: invalid snapshot")

// ErrSnapshotExists is wrapped by the error WriteSnapshot returns when the
// file exists with different content.
var ErrSnapshotExists = errors.New("timescape: snapshot exists with different content")

// check validates a snapshot's fields; it returns what is wrong or "".
func (s *Snapshot) check() string {
	switch {
	case s.FormatVersion == 0:
		return "format_version is missing"
	case s.FormatVersion != SnapshotFormat:
		return fmt.Sprintf("unknown format_version %d (this build reads %d; upgrade gati)", s.FormatVersion, SnapshotFormat)
	}
	if _, _, reason := parseID(s.ID); reason != "" {
		if s.ID == "" {
			return "id is missing"
		}
		return fmt.Sprintf("id %q is not a version ID (2025-06-01 or 2025-06-01.2): %s", s.ID, reason)
	}
	if s.Date.IsZero() {
		return "date is missing"
	}
	if day := s.Date.UTC().Format(time.DateOnly); day != s.ID[:10] {
		return fmt.Sprintf("date %s falls on %s (UTC), not on the day id %q names", s.Date.Format(time.RFC3339Nano), day, s.ID)
	}
	if _, n, reason := parseSemver(s.Semver); s.Semver == "" {
		return "semver is missing"
	} else if reason != "" || n != 3 {
		return fmt.Sprintf("semver %q is not MAJOR.MINOR.PATCH", s.Semver)
	}
	seen := make(map[string]bool, len(s.Routes))
	for i := range s.Routes {
		r := &s.Routes[i]
		if r.Method == "" || r.Path == "" {
			return fmt.Sprintf("route #%d has no method or path", i)
		}
		if seen[r.Key()] {
			return fmt.Sprintf("route %s appears twice", r.Key())
		}
		seen[r.Key()] = true
	}
	return ""
}

// ReadSnapshot reads and verifies the snapshot in the file at path. Any
// problem — invalid JSON (with its line and column), an unknown field or
// format_version, a missing id or semver, or routes that no longer match
// the hash ("content changed since the snapshot was taken") — is an error
// naming the file; ReadSnapshot never returns partial data.
func ReadSnapshot(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, reason := decodeSnapshot(data)
	if reason != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalidSnapshot, path, reason)
	}
	return s, nil
}

// decodeSnapshot parses and verifies data, or says what is wrong.
func decodeSnapshot(data []byte) (*Snapshot, string) {
	// Syntax first, so that its position is reported whatever the content.
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "the file is empty"
	}
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonReason(data, err)
	}
	if _, ok := raw.(map[string]any); !ok {
		return nil, "not a JSON object"
	}
	// format_version before the fields, which a later format may change.
	var head struct {
		FormatVersion json.RawMessage `json:"format_version"`
	}
	_ = json.Unmarshal(data, &head)
	if head.FormatVersion == nil {
		return nil, "format_version is missing"
	}
	var fv int
	if err := json.Unmarshal(head.FormatVersion, &fv); err != nil {
		return nil, fmt.Sprintf("format_version %s is not an integer", head.FormatVersion)
	}
	if reason := (&Snapshot{FormatVersion: fv}).check(); fv != SnapshotFormat {
		return nil, reason
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber() // default, example and enum values keep their exact text
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, jsonReason(data, err)
	}
	if reason := s.check(); reason != "" {
		return nil, reason
	}
	switch h := s.ComputeHash(); {
	case s.Hash == "":
		return nil, "hash is missing"
	case s.Hash != h:
		return nil, fmt.Sprintf("hash mismatch: content changed since the snapshot was taken (hash %s, routes hash to %s); regenerate it rather than editing it", s.Hash, h)
	}
	return &s, ""
}

// jsonReason describes a decoding error, with the line and column where
// encoding/json tells them.
func jsonReason(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at %s: %s", lineCol(data, syn.Offset), syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("at %s: %s is %s, want %s", lineCol(data, typ.Offset), field, typ.Value, typ.Type)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// lineCol returns "line L, column C" (1-based, columns in bytes) of the
// last byte read when a decoder stopped after off bytes.
func lineCol(data []byte, off int64) string {
	pos := int(min(max(off-1, 0), int64(len(data))))
	before := data[:pos]
	line := bytes.Count(before, []byte("\n")) + 1
	col := pos - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// WriteSnapshot writes s to dir/<id>.json, creating dir if needed, and
// returns the path. It sorts s.Routes and sets s.FormatVersion (when zero)
// and s.Hash (when empty; a Hash that does not match the routes is an
// error). The write is atomic: a temporary file renamed into place. A file
// that already exists is left alone: with the same content, WriteSnapshot
// succeeds; with different content, it fails with [ErrSnapshotExists], as
// a committed snapshot must never change.
func WriteSnapshot(dir string, s *Snapshot) (path string, err error) {
	if s.FormatVersion == 0 {
		s.FormatVersion = SnapshotFormat
	}
	s.SortRoutes()
	h := s.ComputeHash()
	if s.Hash == "" {
		s.Hash = h
	}
	name := s.ID
	if name == "" {
		name = "(no id)"
	}
	if reason := s.check(); reason != "" {
		return "", fmt.Errorf("%w: version %s: %s", ErrInvalidSnapshot, name, reason)
	}
	if s.Hash != h {
		return "", fmt.Errorf("%w: version %s: hash %s does not match the routes (%s)", ErrInvalidSnapshot, name, s.Hash, h)
	}
	data, err := encodeSnapshot(s)
	if err != nil {
		return "", fmt.Errorf("%w: version %s: %w", ErrInvalidSnapshot, name, err)
	}
	path = filepath.Join(dir, s.ID+".json")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if same, err := sameContent(path, data); err != nil || same {
		return path, err
	}
	tmp, err := os.CreateTemp(dir, "."+s.ID+".json.tmp*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // after a link or a failure
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	// A hard link never replaces an existing file, so a snapshot written
	// concurrently is not clobbered; rename where links are unsupported.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			if same, err2 := sameContent(path, data); err2 != nil || same {
				return path, err2
			}
			return "", fmt.Errorf("%w: %s", ErrSnapshotExists, path)
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			return "", err
		}
	}
	return path, nil
}

// sameContent reports whether the file at path holds data; an existing
// file with other content is an ErrSnapshotExists error.
func sameContent(path string, data []byte) (bool, error) {
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case bytes.Equal(old, data):
		return true, nil
	}
	return false, fmt.Errorf("%w: %s (a committed snapshot never changes; release a new version instead)", ErrSnapshotExists, path)
}

// encodeSnapshot writes s as indented JSON with a final newline.
func encodeSnapshot(s *Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadSnapshots reads every *.json snapshot in dir (not its
// subdirectories, nor files starting with a dot, nor lifecycle.json),
// sorted by date, then ID. Each file must be named after its version's
// ID. A directory that does not exist holds no snapshots. Errors name the
// file.
func ReadSnapshots(dir string) ([]*Snapshot, error) {
	return readSnapshotsFS(os.DirFS(dir), ".", func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) })
}
