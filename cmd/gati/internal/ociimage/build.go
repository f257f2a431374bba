package ociimage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/internal/gobuild"
)

// Result is what Build built.
type Result struct {
	Index  v1.ImageIndex
	Digest v1.Hash            // the index's
	Images map[string]v1.Hash // platform ("linux/amd64") → its image manifest's digest
}

// Build cross-compiles the app in o.Dir for each platform, one after the
// other, and returns the index of their images. It builds nothing else:
// the app's generated code must be up to date.
func Build(ctx context.Context, o Options) (*Result, error) {
	s, err := resolve(ctx, o)
	if err != nil {
		return nil, err
	}
	base, err := openBase(ctx, s)
	if err != nil {
		return nil, err
	}
	config, err := os.ReadFile(filepath.Join(s.Dir, gati.ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		config = nil
	} else if err != nil {
		return nil, fmt.Errorf("ociimage: %w", err)
	}
	tmp, err := os.MkdirTemp("", "gati-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	res := &Result{Images: map[string]v1.Hash{}}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range s.platforms {
		img, err := s.platformImage(ctx, p, base, config, tmp)
		if err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		res.Images[p.String()] = d
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	res.Index = s.annotate(idx)
	if res.Digest, err = res.Index.Digest(); err != nil {
		return nil, err
	}
	s.progress("image %s (%s)", res.Digest, platformList(s.platforms))
	return res, nil
}

// annotate sets the source, revision and creation time on the index.
func (s *settings) annotate(idx v1.ImageIndex) v1.ImageIndex {
	a := map[string]string{}
	for _, k := range []string{LabelSource, LabelRevision, LabelCreated} {
		if v := s.labels(nil, "", v1.Hash{})[k]; v != "" {
			a[k] = v
		}
	}
	return mutate.Annotations(idx, a).(v1.ImageIndex)
}

// platformImage compiles the app for p and lays it on the base.
func (s *settings) platformImage(ctx context.Context, p v1.Platform, b *baseImage, config []byte, tmp string) (v1.Image, error) {
	img, baseDigest, err := b.forPlatform(p)
	if err != nil {
		return nil, err
	}
	bin, err := s.compile(ctx, p, tmp)
	if err != nil {
		return nil, err
	}
	layers := []v1.Layer{}
	mt := layerMediaType(img)
	if b.scratch() {
		sys, err := b.systemLayer(ctx, s.Dir, mt)
		if err != nil {
			return nil, err
		}
		layers = append(layers, sys)
	}
	app, err := layer(appFiles(s.Name, bin, config), mt)
	if err != nil {
		return nil, err
	}
	layers = append(layers, app)
	img, err = s.assemble(img, p, layers, b.ref, baseDigest)
	if err != nil {
		return nil, fmt.Errorf("ociimage: %s: %w", p, err)
	}
	s.progress("  %s %s", p, describeImage(img))
	return img, nil
}

// compile builds the binary for p and returns it.
func (s *settings) compile(ctx context.Context, p v1.Platform, tmp string) ([]byte, error) {
	out := filepath.Join(tmp, s.Name+"-"+p.Architecture+p.Variant)
	start := time.Now()
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, "compiling %s…", p)
	}
	output, err := gobuild.Build(ctx, gobuild.Options{
		Dir: s.Dir, Out: out, Version: s.Version, Commit: s.commit,
		GOOS: p.OS, GOARCH: p.Architecture, Variant: p.Variant, NoVCS: true,
	})
	var bin []byte
	if err == nil {
		bin, err = os.ReadFile(out)
	}
	if err != nil {
		s.progress("")
		return nil, &CompileError{Platform: p.String(), Output: string(output), Err: err}
	}
	s.progress(" (%s, %.1f MB)", seconds(time.Since(start)), float64(len(bin))/1e6)
	return bin, nil
}

// CompileError is a go build that failed for a platform.
type CompileError struct {
	Platform string
	Output   string // the go command's
	Err      error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("ociimage: go build for %s: %v", e.Platform, e.Err)
}

func (e *CompileError) Unwrap() error { return e.Err }

// assemble appends layers to img and sets its config for p.
func (s *settings) assemble(img v1.Image, p v1.Platform, layers []v1.Layer, baseName string, baseDigest v1.Hash) (v1.Image, error) {
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		adds[i] = mutate.Addendum{Layer: l, MediaType: layerMediaType(img), History: v1.History{
			Created: v1.Time{Time: s.Created}, CreatedBy: "gati build --image", Comment: layerComment(i, len(layers)),
		}}
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: s.Created}
	c := &cf.Config
	c.Entrypoint = []string{AppDir + "/" + s.Name}
	c.Cmd = nil // a base's command would become the app's arguments
	c.WorkingDir = AppDir
	c.User = fmt.Sprintf("%d:%d", UID, UID)
	c.Env = setEnv(c.Env, "PORT", strconv.Itoa(Port))
	if c.ExposedPorts == nil {
		c.ExposedPorts = map[string]struct{}{}
	}
	c.ExposedPorts[fmt.Sprintf("%d/tcp", Port)] = struct{}{}
	c.Labels = s.labels(c.Labels, baseName, baseDigest)
	return mutate.ConfigFile(img, cf)
}

func layerComment(i, n int) string {
	if i == n-1 {
		return "the app: binary and gati.yaml"
	}
	return "system files: users, CA roots, time zones"
}

// setEnv sets name=value in env, in place of any earlier value.
func setEnv(env []string, name, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if len(kv) > len(name) && kv[:len(name)+1] == name+"=" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, name+"="+value)
}

// layerMediaType is the media type of the layers added to img: Docker's
// on a Docker base, else OCI's.
func layerMediaType(img v1.Image) types.MediaType {
	if mt, err := img.MediaType(); err == nil && mt == types.DockerManifestSchema2 {
		return types.DockerLayer
	}
	return types.OCILayer
}

// describeImage summarizes img for progress: its digest, layers and
// compressed size.
func describeImage(img v1.Image) string {
	d, err := img.Digest()
	if err != nil {
		return err.Error()
	}
	layers, err := img.Layers()
	if err != nil {
		return err.Error()
	}
	var size int64
	for _, l := range layers {
		if n, err := l.Size(); err == nil {
			size += n
		}
	}
	return fmt.Sprintf("%s (%d layers, %.1f MB compressed)", d, len(layers), float64(size)/1e6)
}

func platformList(ps []v1.Platform) string {
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += ", "
		}
		out += p.String()
	}
	return out
}

// seconds formats a duration for progress lines: "0.42s", "12.3s".
func seconds(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
