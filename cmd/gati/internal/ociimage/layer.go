package ociimage

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// file is an entry of a layer: a regular file, or a directory when dir.
type file struct {
	name     string // slash-separated, relative to the root: "etc/passwd"
	mode     int64
	data     []byte
	dir      bool
	uid, gid int
}

// epoch is the modification time of every entry.
var epoch = time.Unix(0, 0)

// tarLayer returns an uncompressed tar of files, normalized: entries
// sorted by name, each missing parent directory added (0755, root),
// mtime 0, no user or group names.
func tarLayer(files []file) ([]byte, error) {
	byName := map[string]file{}
	for _, f := range files {
		byName[f.name] = f
		for d := path.Dir(f.name); d != "."; d = path.Dir(d) {
			if _, ok := byName[d]; !ok {
				byName[d] = file{name: d, mode: 0o755, dir: true}
			}
		}
	}
	for _, f := range files { // explicit directories win over implied ones
		byName[f.name] = f
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		f := byName[n]
		h := &tar.Header{Name: f.name, Mode: f.mode, Uid: f.uid, Gid: f.gid, ModTime: epoch}
		if f.dir {
			h.Typeflag, h.Name = tar.TypeDir, f.name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// layer makes a v1.Layer of files, gzipped, of media type mt.
func layer(files []file, mt types.MediaType) (v1.Layer, error) {
	data, err := tarLayer(files)
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(mt), tarball.WithCompressedCaching)
}

// appFiles are the app layer's files: the binary at /app/<name> and the
// config, when there is one (nil).
func appFiles(name string, binary, config []byte) []file {
	dir := strings.TrimPrefix(AppDir, "/")
	files := []file{
		{name: dir, mode: 0o755, dir: true},
		{name: dir + "/" + name, mode: 0o755, data: binary},
	}
	if config != nil {
		files = append(files, file{name: strings.TrimPrefix(ConfigPath, "/"), mode: 0o644, data: config})
	}
	return files
}

const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group  = "root:x:0:\nnonroot:x:65532:\n"
)

// systemFiles are the files an empty base lacks: users, a writable /tmp,
// CA roots and time zones (from the zoneinfo.zip at zoneinfoZip).
func systemFiles(zoneinfoZip string) ([]file, error) {
	files := []file{
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: caBundle()},
		{name: "home/nonroot", mode: 0o700, dir: true, uid: UID, gid: UID},
		{name: "root", mode: 0o700, dir: true},
		{name: "tmp", mode: 0o1777, dir: true},
	}
	zones, err := zoneFiles(zoneinfoZip)
	if err != nil {
		return nil, err
	}
	return append(files, zones...), nil
}

// caBundle returns the PEM bundle of the Mozilla NSS roots in
// golang.org/x/crypto/x509roots/fallback, in its order. Roots with
// constraints a PEM file cannot carry (a distrust-after date) are left out
// rather than trusted without them.
func caBundle() []byte {
	var buf bytes.Buffer
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
	}
	return buf.Bytes()
}

// zoneFiles unpacks a Go zoneinfo.zip under usr/share/zoneinfo, where the
// time package (and the C library's tzfile readers) look.
func zoneFiles(zoneinfoZip string) ([]file, error) {
	zr, err := zip.OpenReader(zoneinfoZip)
	if err != nil {
		return nil, fmt.Errorf("ociimage: time zones: %w", err)
	}
	defer zr.Close()
	var files []file
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if !isLocalName(f.Name) {
			return nil, fmt.Errorf("ociimage: time zones: %s has an unsafe entry %q", zoneinfoZip, f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("ociimage: time zones: %s: %w", f.Name, err)
		}
		files = append(files, file{name: "usr/share/zoneinfo/" + f.Name, mode: 0o644, data: data})
	}
	return files, nil
}

func isLocalName(name string) bool {
	return filepath.IsLocal(name) && !strings.Contains(name, "\\") && path.Clean(name) == name
}

// goroot returns the GOROOT of the go command that builds in dir.
func goroot(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOROOT")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("ociimage: go env GOROOT: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
