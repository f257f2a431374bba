package ociimage

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// helloWorld is the example app every build test builds.
var helloWorld = filepath.Join("..", "..", "..", "..", "examples", "hello-world")

// built is the build of hello-world the tests share: two cross-compiles
// take a while.
var built struct {
	once     sync.Once
	res      *Result
	err      error
	progress string
	took     time.Duration
}

func helloOptions(progress io.Writer) Options {
	return Options{
		Dir: helloWorld, APIVersions: []string{"2025-01-01", "2025-06-01"},
		Labels: map[string]string{"com.example.team": "api"}, Progress: progress,
	}
}

// sharedBuild builds hello-world for the default platforms, once.
func sharedBuild(t *testing.T) *Result {
	t.Helper()
	built.once.Do(func() {
		var buf bytes.Buffer
		start := time.Now()
		built.res, built.err = Build(context.Background(), helloOptions(&buf))
		built.took, built.progress = time.Since(start), buf.String()
	})
	if built.err != nil {
		t.Fatalf("Build: %v\n%s", built.err, built.progress)
	}
	return built.res
}

// TestBuildReproducible builds hello-world a second time, from nothing
// the first build left, and expects the same digests.
func TestBuildReproducible(t *testing.T) {
	t.Parallel()
	first := sharedBuild(t)
	second, err := Build(t.Context(), helloOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if second.Digest != first.Digest {
		t.Errorf("second build's index is %s, the first's %s", second.Digest, first.Digest)
	}
	for p, d := range first.Images {
		if second.Images[p] != d {
			t.Errorf("%s: second build's image is %s, the first's %s", p, second.Images[p], d)
		}
	}
	t.Logf("first build took %s:\n%s", built.took, built.progress)
}

// TestBuildIndex checks the index's platforms and each image's config
// and progress lines.
func TestBuildIndex(t *testing.T) {
	t.Parallel()
	res := sharedBuild(t)
	im, err := res.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		platforms = append(platforms, m.Platform.String())
		if res.Images[m.Platform.String()] != m.Digest {
			t.Errorf("Result.Images[%s] = %s, the index says %s", m.Platform, res.Images[m.Platform.String()], m.Digest)
		}
	}
	if !slices.Equal(platforms, DefaultPlatforms) {
		t.Errorf("platforms %v, want %v", platforms, DefaultPlatforms)
	}
	if im.Annotations[LabelRevision] == "" || im.Annotations[LabelCreated] == "" {
		t.Errorf("index annotations %v lack the revision or creation time", im.Annotations)
	}
	for _, m := range im.Manifests {
		img, err := res.Index.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		checkConfig(t, m.Platform, cf)
	}
	for _, want := range []string{"compiling linux/amd64… (", "compiling linux/arm64… (", "  linux/amd64 sha256:", "(2 layers, ", "image " + res.Digest.String()} {
		if !strings.Contains(built.progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, built.progress)
		}
	}
}

func checkConfig(t *testing.T, p *v1.Platform, cf *v1.ConfigFile) {
	t.Helper()
	c := cf.Config
	if cf.OS != p.OS || cf.Architecture != p.Architecture {
		t.Errorf("%s: config is for %s/%s", p, cf.OS, cf.Architecture)
	}
	if c.User != "65532:65532" || !slices.Equal(c.Entrypoint, []string{"/app/hello-world"}) || c.WorkingDir != "/app" {
		t.Errorf("%s: user %q, entrypoint %q, working dir %q", p, c.User, c.Entrypoint, c.WorkingDir)
	}
	if !slices.Contains(c.Env, "PORT=8080") {
		t.Errorf("%s: env %v lacks PORT=8080", p, c.Env)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("%s: exposed ports %v", p, c.ExposedPorts)
	}
	for k, v := range map[string]string{
		LabelTitle: "hello-world", LabelAPIVersions: "2025-01-01,2025-06-01", "com.example.team": "api",
		LabelCreated: cf.Created.UTC().Format(time.RFC3339),
	} {
		if c.Labels[k] != v {
			t.Errorf("%s: label %s = %q, want %q", p, k, c.Labels[k], v)
		}
	}
	if !strings.HasPrefix(c.Labels[LabelRevision], gitHead(t)) || c.Labels[LabelVersion] == "" {
		t.Errorf("%s: labels %v: want the revision %s and a version", p, c.Labels, gitHead(t))
	}
}

func gitHead(t *testing.T) string {
	out, err := exec.Command("git", "-C", helloWorld, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("no git")
	}
	return strings.TrimSpace(string(out))
}

// TestBuildLayers checks the files of the amd64 image and their headers,
// and that the system layer is shared by the platforms.
func TestBuildLayers(t *testing.T) {
	t.Parallel()
	res := sharedBuild(t)
	var sys []v1.Hash
	for _, p := range DefaultPlatforms {
		img, err := res.Index.Image(res.Images[p])
		if err != nil {
			t.Fatal(err)
		}
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		d, _ := layers[0].Digest()
		sys = append(sys, d)
	}
	if sys[0] != sys[1] {
		t.Errorf("system layers differ between the platforms: %v", sys)
	}
	img, _ := res.Index.Image(res.Images["linux/amd64"])
	headers := tarHeaders(t, mutate.Extract(img))
	want := map[string]int64{
		"etc/passwd": 0o644, "etc/group": 0o644, "etc/ssl/certs/ca-certificates.crt": 0o644,
		"usr/share/zoneinfo/Europe/Paris": 0o644, "tmp": 0o1777, "home/nonroot": 0o700,
		"app": 0o755, "app/hello-world": 0o755, "app/gati.yaml": 0o644,
	}
	for name, mode := range want {
		h, ok := headers[name]
		if !ok {
			t.Errorf("the image lacks %s", name)
			continue
		}
		if h.Mode != mode {
			t.Errorf("%s: mode %o, want %o", name, h.Mode, mode)
		}
	}
	if h := headers["home/nonroot"]; h != nil && (h.Uid != UID || h.Gid != UID) {
		t.Errorf("home/nonroot is owned by %d:%d", h.Uid, h.Gid)
	}
	for name, h := range headers {
		if !h.ModTime.Equal(epoch) || h.Uname != "" || h.Gname != "" || (h.Uid != 0 && name != "home/nonroot") {
			t.Errorf("%s: header not normalized: mtime %s, owner %d %q:%q", name, h.ModTime, h.Uid, h.Uname, h.Gname)
		}
	}
}

// tarHeaders reads the headers of a tar stream, by name (mutate.Extract
// gives directories without their trailing slash).
func tarHeaders(t *testing.T, rc io.ReadCloser) map[string]*tar.Header {
	t.Helper()
	defer rc.Close()
	out := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = h
	}
}

// TestBuildRuns extracts the host's image, runs its binary from the
// image's working directory and waits for /healthz/ready.
func TestBuildRuns(t *testing.T) {
	t.Parallel()
	res := sharedBuild(t)
	d, ok := res.Images["linux/"+runtime.GOARCH]
	if !ok || runtime.GOOS != "linux" {
		t.Skipf("no image runs on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	img, err := res.Index.Image(d)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	extract(t, mutate.Extract(img), root)
	cf, _ := img.ConfigFile()
	port := freePort(t)
	cmd := exec.Command(filepath.Join(root, cf.Config.Entrypoint[0]))
	cmd.Dir = filepath.Join(root, cf.Config.WorkingDir)
	cmd.Env = []string{"PORT=" + strconv.Itoa(port), "ZONEINFO=" + filepath.Join(root, "usr/share/zoneinfo")}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz/ready"
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 in 20s (last: %v)\n%s", url, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// extract writes the regular files and directories of a tar stream under
// root.
func extract(t *testing.T, rc io.ReadCloser, root string) {
	t.Helper()
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsLocal(h.Name) {
			t.Fatalf("unsafe entry %q", h.Name)
		}
		p := filepath.Join(root, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				var data []byte
				if data, err = io.ReadAll(tr); err == nil {
					err = os.WriteFile(p, data, fs.FileMode(h.Mode)&0o777)
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newRegistry serves go-containerregistry's registry on loopback and
// returns its host:port.
func newRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestPushPull pushes the build and pulls it back by digest.
func TestPushPull(t *testing.T) {
	t.Parallel()
	res := sharedBuild(t)
	reg := newRegistry(t)
	if err := CheckPush(t.Context(), reg+"/hello:v1"); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	got, err := Push(t.Context(), res.Index, reg+"/hello:v1", &progress)
	if err != nil {
		t.Fatal(err)
	}
	if want := reg + "/hello@" + res.Digest.String(); got != want {
		t.Errorf("Push returned %q, want %q", got, want)
	}
	for _, want := range []string{"pushed linux/amd64 sha256:", "pushed linux/arm64 sha256:", "pushed " + got} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
	for _, ref := range []string{got, reg + "/hello:v1"} {
		r, err := ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := remote.Index(r, remote.WithContext(t.Context()))
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := idx.Digest(); d != res.Digest {
			t.Errorf("%s is %s, want %s", ref, d, res.Digest)
		}
		img, err := idx.Image(res.Images["linux/arm64"])
		if err != nil {
			t.Fatal(err)
		}
		if cf, err := img.ConfigFile(); err != nil || cf.Architecture != "arm64" {
			t.Errorf("the arm64 image pulled back: %v, %v", cf, err)
		}
	}
}

// TestPushUnreachable names the registry in the error.
func TestPushUnreachable(t *testing.T) {
	t.Parallel()
	ref := "127.0.0.1:1/hello:v1"
	err := CheckPush(t.Context(), ref)
	var re *RegistryError
	if !errors.As(err, &re) || re.Registry != "127.0.0.1:1" || !strings.Contains(err.Error(), "registry 127.0.0.1:1") {
		t.Fatalf("CheckPush(%s) = %v, want a RegistryError naming 127.0.0.1:1", ref, err)
	}
}

// TestWriteLayoutAndTarball reads the offline outputs back.
func TestWriteLayoutAndTarball(t *testing.T) {
	t.Parallel()
	res := sharedBuild(t)
	dir := t.TempDir()
	if err := WriteLayout(dir, res.Index); err != nil {
		t.Fatal(err)
	}
	if err := WriteLayout(dir, res.Index); err != nil { // again, over the first
		t.Fatal(err)
	}
	checkLayout(t, dir, res)

	tarball := filepath.Join(t.TempDir(), "image.tar")
	if err := WriteTarball(tarball, res.Index); err != nil {
		t.Fatal(err)
	}
	unpacked := t.TempDir()
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatal(err)
	}
	extract(t, f, unpacked)
	checkLayout(t, unpacked, res)

	again := filepath.Join(t.TempDir(), "again.tar")
	if err := WriteTarball(again, res.Index); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(tarball)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("two tarballs of the same index differ")
	}
}

func checkLayout(t *testing.T, dir string, res *Result) {
	t.Helper()
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != res.Digest {
		t.Fatalf("%s/index.json lists %v, want the index %s alone", dir, im.Manifests, res.Digest)
	}
	idx, err := top.ImageIndex(res.Digest)
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(res.Images["linux/amd64"])
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers { // every blob is there and whole
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
}

// TestBuildOnBase pushes a base index to a registry and builds on it.
func TestBuildOnBase(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	base := reg + "/base:1"
	baseImg := pushBase(t, base)
	res, err := Build(t.Context(), Options{Dir: helloWorld, Base: base, Platforms: []string{"linux/amd64"}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := res.Index.Image(res.Images["linux/amd64"])
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	baseLayers, _ := baseImg.Layers()
	if len(layers) != len(baseLayers)+1 {
		t.Fatalf("%d layers on a base of %d, want the app's alone on top", len(layers), len(baseLayers))
	}
	for i, bl := range baseLayers {
		want, _ := bl.Digest()
		if got, _ := layers[i].Digest(); got != want {
			t.Errorf("layer %d is %s, the base's %s", i, got, want)
		}
	}
	cf, _ := img.ConfigFile()
	baseDigest, _ := baseImg.Digest()
	c := cf.Config
	if c.Cmd != nil || !slices.Contains(c.Env, "BASE=1") || !slices.Contains(c.Env, "PORT=8080") || c.Labels["base.label"] != "kept" {
		t.Errorf("config %+v: want no Cmd, the base's env and labels, and PORT", c)
	}
	if c.Labels[LabelBaseName] != base || c.Labels[LabelBaseDigest] != baseDigest.String() {
		t.Errorf("base labels %q %q, want %s %s", c.Labels[LabelBaseName], c.Labels[LabelBaseDigest], base, baseDigest)
	}
}

// TestBuildOnBaseLacksPlatform fails before compiling.
func TestBuildOnBaseLacksPlatform(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	pushBase(t, reg+"/base:1")
	_, err := Build(t.Context(), Options{Dir: helloWorld, Base: reg + "/base:1", Platforms: []string{"linux/s390x"}})
	var be *BaseError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "no image for linux/s390x") {
		t.Fatalf("err = %v, want a BaseError for linux/s390x", err)
	}
	_, err = Build(t.Context(), Options{Dir: helloWorld, Base: reg + "/missing:1"})
	if !errors.As(err, &be) || be.Ref != reg+"/missing:1" {
		t.Fatalf("err = %v, want a BaseError naming the missing base", err)
	}
}

// pushBase pushes an index of random linux/amd64 and linux/arm64 images
// to ref and returns its amd64 image.
func pushBase(t *testing.T, ref string) v1.Image {
	t.Helper()
	idx := mutateIndex()
	var amd64 v1.Image
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		img, err := random.Image(256, 2)
		if err != nil {
			t.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = p.OS, p.Architecture
		cf.Config.Env = []string{"BASE=1", "PORT=1"}
		cf.Config.Cmd = []string{"/bin/sh"}
		cf.Config.Labels = map[string]string{"base.label": "kept"}
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
		if p.Architecture == "amd64" {
			amd64 = img
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	r, err := ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	return amd64
}
