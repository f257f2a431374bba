package ociimage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/mod/modfile"

	"gati.dev/gati"
)

// Paths and settings of the image the deploy code relies on.
const (
	AppDir     = "/app"                         // the working directory, holding the binary and gati.yaml
	ConfigPath = AppDir + "/" + gati.ConfigFile // the app's gati.yaml, found as the working directory's
	Port       = 8080                           // $PORT and the exposed port
	UID        = 65532                          // the user and group the app runs as: nonroot
)

// Label keys set on each image's config (and the source, revision and
// creation time also as annotations of the index).
const (
	LabelSource      = "org.opencontainers.image.source"
	LabelRevision    = "org.opencontainers.image.revision"
	LabelCreated     = "org.opencontainers.image.created"
	LabelTitle       = "org.opencontainers.image.title"
	LabelVersion     = "org.opencontainers.image.version"
	LabelBaseName    = "org.opencontainers.image.base.name"
	LabelBaseDigest  = "org.opencontainers.image.base.digest"
	LabelAPIVersions = "dev.gati.api-versions" // comma-separated, oldest first
)

// DefaultPlatforms are the platforms built when Options.Platforms is
// empty.
var DefaultPlatforms = []string{"linux/amd64", "linux/arm64"}

// Options say what Build builds. Only Dir is required.
type Options struct {
	// Dir is the app's directory: a Go main package, with gati_gen.go
	// already generated (gati build does that before calling Build).
	Dir string
	// Name is the binary's name, at /app/<Name>, and the image title;
	// default the last element of the module path in Dir/go.mod, as for
	// gati build's binary.
	Name string
	// Platforms are os/arch[/variant] pairs, all linux; default
	// DefaultPlatforms. The variant of arm ("v7") sets GOARM, that of amd64
	// ("v3") GOAMD64.
	Platforms []string
	// Base is "" or "scratch" for no base, else an image reference pulled
	// from its registry: from an index, the manifest for each platform.
	// Registries on loopback hosts are spoken to over plain HTTP.
	Base string
	// Labels are added to the image config's, over the base's and ours.
	Labels map[string]string
	// Source and Revision label the image; default the URL of Dir's git
	// remote "origin" (credentials removed) and HEAD's commit, with
	// "-dirty" when Dir has changes.
	Source, Revision string
	// APIVersions are the API versions the app serves, labelled
	// LabelAPIVersions.
	APIVersions []string
	// Version is stamped into gati.BuildVersion and labelled; default git
	// describe as for gati build. The commit stamped is HEAD's.
	Version string
	// Created is the image's creation time; the zero value means HEAD's
	// commit time when Dir is in git and clean, else $SOURCE_DATE_EPOCH,
	// else the Unix epoch.
	Created time.Time
	// Progress gets human progress lines; nil is quiet.
	Progress io.Writer
}

// settings are the Options resolved.
type settings struct {
	Options
	platforms []v1.Platform
	commit    string
}

// resolve fills the defaults of o.
func resolve(ctx context.Context, o Options) (*settings, error) {
	if o.Dir == "" {
		return nil, errors.New("ociimage: Options.Dir is empty")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	o.Dir = dir
	if o.Name == "" {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			return nil, fmt.Errorf("ociimage: the app's name: %w", err)
		}
		o.Name = path.Base(modfile.ModulePath(data))
	}
	if o.Name == "" || o.Name == "." || o.Name == "/" || filepath.Base(o.Name) != o.Name {
		return nil, fmt.Errorf("ociimage: name %q is not a file name", o.Name)
	}
	s := &settings{Options: o}
	if s.platforms, err = parsePlatforms(o.Platforms); err != nil {
		return nil, err
	}
	g := readGit(ctx, dir)
	s.Version, s.commit = stampOf(ctx, dir, o.Version)
	s.Source = cmpOr(o.Source, g.source)
	s.Revision = cmpOr(o.Revision, g.revision())
	if s.Created.IsZero() {
		if s.Created, err = g.created(os.Getenv("SOURCE_DATE_EPOCH")); err != nil {
			return nil, err
		}
	}
	s.Created = s.Created.UTC()
	return s, nil
}

// CheckPlatforms reports whether Build takes list as Options.Platforms.
func CheckPlatforms(list []string) error {
	_, err := parsePlatforms(list)
	return err
}

// parsePlatforms parses os/arch[/variant] pairs, default
// DefaultPlatforms. Duplicates are errors.
func parsePlatforms(list []string) ([]v1.Platform, error) {
	if len(list) == 0 {
		list = DefaultPlatforms
	}
	var out []v1.Platform
	for _, s := range list {
		p, err := v1.ParsePlatform(s)
		if err != nil {
			return nil, fmt.Errorf("ociimage: platform %q: %w", s, err)
		}
		if p.OS != "linux" || p.Architecture == "" {
			return nil, fmt.Errorf("ociimage: platform %q: want linux/<arch>[/<variant>], such as linux/amd64 or linux/arm64", s)
		}
		if slices.ContainsFunc(out, p.Equals) {
			return nil, fmt.Errorf("ociimage: platform %q given twice", s)
		}
		out = append(out, *p)
	}
	return out, nil
}

// labels returns the labels of an image over the base image's.
func (s *settings) labels(base map[string]string, baseName string, baseDigest v1.Hash) map[string]string {
	l := map[string]string{}
	for k, v := range base {
		l[k] = v
	}
	set := func(k, v string) {
		if v != "" {
			l[k] = v
		}
	}
	set(LabelSource, s.Source)
	set(LabelRevision, s.Revision)
	set(LabelCreated, s.Created.Format(time.RFC3339))
	set(LabelTitle, s.Name)
	set(LabelVersion, s.Version)
	if len(s.APIVersions) > 0 {
		set(LabelAPIVersions, strings.Join(s.APIVersions, ","))
	}
	if baseName != "" {
		set(LabelBaseName, baseName)
		set(LabelBaseDigest, baseDigest.String())
	}
	for k, v := range s.Labels {
		l[k] = v
	}
	return l
}

// progress writes a line to the progress writer, if any.
func (s *settings) progress(format string, args ...any) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, format+"\n", args...)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
