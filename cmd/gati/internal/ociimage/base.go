package ociimage

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// baseImage is the image the app is laid on: none (ref ""), or an image
// or index fetched from a registry.
type baseImage struct {
	ref    string // as given; "" for scratch
	digest v1.Hash
	index  v1.ImageIndex // when the reference names an index
	image  v1.Image      // when it names an image
	sys    v1.Layer      // the system layer, made once
}

// BaseError is a base image that could not be fetched or has no image for
// a platform.
type BaseError struct {
	Ref string
	Err error
}

func (e *BaseError) Error() string { return fmt.Sprintf("ociimage: base image %s: %v", e.Ref, e.Err) }

func (e *BaseError) Unwrap() error { return e.Err }

// openBase resolves s.Base; "" and "scratch" are no base.
func openBase(ctx context.Context, s *settings) (*baseImage, error) {
	if s.Base == "" || s.Base == "scratch" {
		return &baseImage{}, nil
	}
	ref, err := ParseReference(s.Base)
	if err != nil {
		return nil, &BaseError{Ref: s.Base, Err: err}
	}
	desc, err := remote.Get(ref, remoteOptions(ctx)...)
	if err != nil {
		return nil, &BaseError{Ref: s.Base, Err: err}
	}
	b := &baseImage{ref: s.Base, digest: desc.Digest}
	if desc.MediaType.IsIndex() {
		b.index, err = desc.ImageIndex()
	} else {
		b.image, err = desc.Image()
	}
	if err != nil {
		return nil, &BaseError{Ref: s.Base, Err: err}
	}
	s.progress("base %s is %s", s.Base, desc.Digest)
	return b, nil
}

func (b *baseImage) scratch() bool { return b.ref == "" }

// forPlatform returns the base image for p and its manifest's digest.
func (b *baseImage) forPlatform(p v1.Platform) (v1.Image, v1.Hash, error) {
	switch {
	case b.scratch():
		img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		return mutate.ConfigMediaType(img, types.OCIConfigJSON), v1.Hash{}, nil
	case b.image != nil:
		cf, err := b.image.ConfigFile()
		if err != nil {
			return nil, v1.Hash{}, &BaseError{Ref: b.ref, Err: err}
		}
		if got := cf.Platform(); got == nil || !got.Satisfies(p) {
			return nil, v1.Hash{}, &BaseError{Ref: b.ref, Err: fmt.Errorf("it is an image for %v, not %s: name an index that has %s, or build only for its platform", got, p, p)}
		}
		return b.image, b.digest, nil
	}
	im, err := b.index.IndexManifest()
	if err != nil {
		return nil, v1.Hash{}, &BaseError{Ref: b.ref, Err: err}
	}
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.Satisfies(p) && m.MediaType.IsImage() {
			img, err := b.index.Image(m.Digest)
			if err != nil {
				return nil, v1.Hash{}, &BaseError{Ref: b.ref, Err: err}
			}
			return img, m.Digest, nil
		}
	}
	return nil, v1.Hash{}, &BaseError{Ref: b.ref, Err: fmt.Errorf("its index has no image for %s", p)}
}

// systemLayer returns the layer of system files, made on first use.
func (b *baseImage) systemLayer(ctx context.Context, dir string, mt types.MediaType) (v1.Layer, error) {
	if b.sys != nil {
		return b.sys, nil
	}
	root, err := goroot(ctx, dir)
	if err != nil {
		return nil, err
	}
	files, err := systemFiles(filepath.Join(root, "lib", "time", "zoneinfo.zip"))
	if err != nil {
		return nil, err
	}
	b.sys, err = layer(files, mt)
	return b.sys, err
}

// ParseReference parses an image reference; a registry on a loopback
// host (localhost, 127.0.0.0/8, ::1) is spoken to over plain HTTP.
func ParseReference(s string) (name.Reference, error) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, err
	}
	if isLoopback(ref.Context().RegistryStr()) {
		return name.ParseReference(s, name.Insecure)
	}
	return ref, nil
}

func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// remoteOptions are the options of every registry request: the context
// and the credentials of the Docker config (docker login) and its helpers.
func remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithUserAgent("gati")}
}
