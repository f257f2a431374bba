package api

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"gati.dev/gati/cmd/gati/internal/versions"
	"gati.dev/gati/manifest"
	"gati.dev/gati/timescape"
)

// Head is the version argument of Load that selects the current code.
const Head = ""

// Load builds the API of the app in dir, whose current code m describes:
// the current code's API when version is Head, else the recorded
// version's, from its snapshot in .gati/versions. An unknown version is
// an error listing the known ones.
func Load(dir string, m *manifest.Manifest, version string) (*API, error) {
	st, err := versions.Load(dir)
	if err != nil {
		return nil, err
	}
	name, err := title(dir, m)
	if err != nil {
		return nil, err
	}
	in := Input{Title: name, Manifest: m}
	for _, s := range st.Snapshots {
		in.Versions = append(in.Versions, versionOf(st, s))
	}
	if version == Head {
		in.Head = true
		in.Routes = versions.Routes(m)
		if newest := st.Newest(); newest != nil {
			// The current code serves the newest version's ID; its semver
			// is the newest's until the next snapshot records the changes.
			in.Version, in.Semver = newest.ID, newest.Semver
			in.Lifecycle = lifecycleOf(in.Versions[len(in.Versions)-1])
		}
		return Build(in)
	}
	s, err := st.Find(version)
	if err != nil {
		return nil, err
	}
	in.Routes, in.Version, in.Semver = s.Routes, s.ID, s.Semver
	for _, v := range in.Versions {
		if v.ID == s.ID {
			in.Lifecycle = lifecycleOf(v)
		}
	}
	return Build(in)
}

func versionOf(st *versions.State, s *timescape.Snapshot) Version {
	v := Version{ID: s.ID, Semver: s.Semver, Deprecated: s.Deprecated, Sunset: s.Sunset}
	if le := st.Lifecycle.Versions[s.ID]; le != nil {
		if le.Deprecated != nil {
			v.Deprecated = le.Deprecated
		}
		if le.Sunset != nil {
			v.Sunset = le.Sunset
		}
	}
	return v
}

func lifecycleOf(v Version) timescape.VersionLifecycle {
	return timescape.VersionLifecycle{Deprecated: v.Deprecated, Sunset: v.Sunset}
}

// title is gati.yaml's name, else the last element of the module path.
func title(dir string, m *manifest.Manifest) (string, error) {
	var cfg struct {
		Name string `yaml:"name"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "gati.yaml"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", err
	default:
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Join(dir, "gati.yaml"), err)
		}
	}
	if cfg.Name != "" {
		return cfg.Name, nil
	}
	return path.Base(m.Module), nil
}
