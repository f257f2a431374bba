package ociimage

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// RegistryError is a registry that could not be reached or refused a
// request.
type RegistryError struct {
	Registry string // host[:port]
	Ref      string // the reference pushed to
	Err      error
}

func (e *RegistryError) Error() string {
	return fmt.Sprintf("ociimage: registry %s (pushing %s): %v", e.Registry, e.Ref, e.Err)
}

func (e *RegistryError) Unwrap() error { return e.Err }

// CheckPush checks that the registry of ref (repository[:tag]) answers
// and lets the current credentials push to its repository, before a
// build spends minutes.
func CheckPush(ctx context.Context, ref string) error {
	r, err := ParseReference(ref)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := remote.CheckPushPermission(r, authn.DefaultKeychain, remote.DefaultTransport); err != nil {
		return &RegistryError{Registry: r.Context().RegistryStr(), Ref: ref, Err: err}
	}
	return nil
}

// Push pushes idx, image by image then the index, to ref (repository, or
// repository:tag; a tag defaults to "latest"), and returns the pushed
// index's reference by digest, "repository@sha256:…". Progress gets a
// line per image.
func Push(ctx context.Context, idx v1.ImageIndex, ref string, progress io.Writer) (string, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		return "", &RegistryError{Registry: r.Context().RegistryStr(), Ref: ref, Err: err}
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return "", err
	}
	for _, m := range im.Manifests {
		img, err := idx.Image(m.Digest)
		if err != nil {
			return "", err
		}
		start := time.Now()
		n, err := pushImage(ctx, r.Context().Digest(m.Digest.String()), img)
		if err != nil {
			return fail(err)
		}
		if progress != nil {
			fmt.Fprintf(progress, "pushed %s %s (%.1f MB sent, %s)\n", platformOf(m), m.Digest, float64(n)/1e6, seconds(time.Since(start)))
		}
	}
	if err := remote.WriteIndex(r, idx, remoteOptions(ctx)...); err != nil {
		return fail(err)
	}
	d, err := idx.Digest()
	if err != nil {
		return "", err
	}
	out := r.Context().Digest(d.String()).String()
	if progress != nil {
		fmt.Fprintf(progress, "pushed %s\n", out)
	}
	return out, nil
}

// pushImage writes img to ref and returns how many bytes were sent.
func pushImage(ctx context.Context, ref name.Reference, img v1.Image) (int64, error) {
	updates := make(chan v1.Update, 16)
	done := make(chan int64)
	go func() {
		var last int64
		for u := range updates {
			last = u.Complete
		}
		done <- last
	}()
	err := remote.Write(ref, img, append(remoteOptions(ctx), remote.WithProgress(updates))...)
	return <-done, err
}

func platformOf(d v1.Descriptor) string {
	if d.Platform == nil {
		return "image"
	}
	return d.Platform.String()
}

// WriteLayout writes idx as an OCI image layout in dir, created if
// needed. Its index.json lists one manifest, idx itself, so that the
// layout holds the multi-platform index (read it back with
// layout.ImageIndexFromPath(dir), whose first manifest is idx; crane push
// and skopeo copy oci:dir take it as it is). An index.json already there
// is replaced; blobs already there stay.
func WriteLayout(dir string, idx v1.ImageIndex) error {
	if err := os.Remove(filepath.Join(dir, "index.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	if err := p.AppendIndex(idx); err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	return nil
}

// WriteTarball writes idx to path as an OCI archive: the OCI layout of
// WriteLayout as an uncompressed tar (what skopeo calls oci-archive: and
// podman load reads), not docker save's format, which holds one platform. Its entries
// are sorted, with mtime 0, so that the same index gives the same file.
func WriteTarball(path string, idx v1.ImageIndex) (err error) {
	tmp, err := os.MkdirTemp("", "gati-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := WriteLayout(tmp, idx); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return tarDir(f, tmp)
}

// tarDir writes the tree under dir as a tar, entries in lexical order.
func tarDir(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, ModTime: epoch}
		if d.IsDir() {
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
			return tw.WriteHeader(h)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h.Typeflag, h.Size = tar.TypeReg, info.Size()
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	return tw.Close()
}
