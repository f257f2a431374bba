package runtimemod

import (
	"archive/zip"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
)

//go:embed gati.zip
var zipData []byte

//go:embed cli.sum
var cliSum []byte

// Sums returns the go.sum lines of the runtime: its own two (the zip and
// its go.mod), then the runtime's go.sum and the CLI's, whose lines cover
// the dependencies at the versions the runtime asks for and at those the
// CLI was built with ([Requirements]). An app that starts with them needs
// neither the network nor the checksum database for those modules; go mod
// tidy drops the lines it does not need.
func Sums() ([]byte, error) {
	h, err := zipHash()
	if err != nil {
		return nil, err
	}
	gomod, err := zipFile("go.mod")
	if err != nil {
		return nil, err
	}
	hmod, err := modHash(gomod)
	if err != nil {
		return nil, err
	}
	deps, err := zipFile("go.sum")
	if err != nil {
		deps = nil // a runtime without dependencies has no go.sum
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s\n%s %s/go.mod %s\n", Path, Version, h, Path, Version, hmod)
	b.Write(deps)
	b.Write(cliSum)
	return b.Bytes(), nil
}

// Requirements returns the runtime's dependencies at the versions this
// program was built with, where they differ from those the runtime's
// go.mod asks for. The CLI compiled them, so the module cache has them;
// an app that requires them builds offline, where the runtime's own
// versions may never have been downloaded (MVS chose newer ones for the
// CLI).
func Requirements() ([]module.Version, error) {
	gomod, err := zipFile("go.mod")
	if err != nil {
		return nil, err
	}
	f, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil {
		return nil, err
	}
	built := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Replace == nil {
				built[d.Path] = d.Version
			}
		}
	}
	var reqs []module.Version
	for _, r := range f.Require {
		if v, ok := built[r.Mod.Path]; ok && semver.Compare(v, r.Mod.Version) > 0 {
			reqs = append(reqs, module.Version{Path: r.Mod.Path, Version: v})
		}
	}
	return reqs, nil
}

// zipHash is the h1: hash of the embedded zip, as go.sum records it.
func zipHash() (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return "", err
	}
	var names []string
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		byName[f.Name] = f
	}
	return dirhash.Hash1(names, func(name string) (io.ReadCloser, error) { return byName[name].Open() })
}

// modHash is the h1: hash of a go.mod file, as go.sum records it.
func modHash(gomod []byte) (string, error) {
	return dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gomod)), nil
	})
}

// Install puts the embedded runtime into the Go module cache. It writes a
// one-module proxy into a temporary directory and runs go mod download
// against it (GOPROXY=file://...), so the go command itself extracts the
// zip and records its hash; it then checks that hash against the
// embedded zip's. The checksum database is skipped for gati.dev/gati
// only, in that one command (GONOSUMDB): the module is not published
// there, and the check above takes its place. The app's go.sum, written
// from [Sums], guards every later build.
func Install(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "gati-proxy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeProxy(dir); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", Path+"@"+Version)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY="+fileURL(dir), "GONOSUMDB="+Path, "GOWORK=off")
	out, err := cmd.Output()
	var got struct{ Sum, Error string }
	_ = json.Unmarshal(out, &got)
	if err != nil {
		msg := got.Error
		if ee, ok := err.(*exec.ExitError); ok && msg == "" {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return fmt.Errorf("installing the Gati runtime %s into the module cache: go mod download: %v: %s", Version, err, msg)
	}
	want, err := zipHash()
	if err != nil {
		return err
	}
	if got.Sum != want {
		return fmt.Errorf("the module cache holds gati.dev/gati %s with hash %s, but this gati carries %s; run go clean -modcache, or rebuild gati", Version, got.Sum, want)
	}
	return nil
}

// writeProxy lays out a GOPROXY directory that serves the runtime.
func writeProxy(dir string) error {
	v := filepath.Join(dir, filepath.FromSlash(Path), "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		return err
	}
	gomod, err := zipFile("go.mod")
	if err != nil {
		return err
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{Version, Time()})
	files := map[string][]byte{
		"list":            []byte(Version + "\n"),
		Version + ".info": info,
		Version + ".mod":  gomod,
		Version + ".zip":  zipData,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(v, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Time is the time of the runtime's version: the pseudo-version's, or the
// generation time for a release tag.
func Time() time.Time { return generatedAt }

// fileURL is a file:// URL for GOPROXY.
func fileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x → /C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
