package cli

import (
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"gati.dev/gati/cmd/gati/internal/ociimage"
)

// TestBuildImageOutputs builds the good fixture's image for linux/amd64
// into a registry, an OCI layout and an OCI archive at once, then again
// with no output, into .gati/image.
func TestBuildImageOutputs(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", map[string]string{"gati.yaml": goodConfig})
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	repo := strings.TrimPrefix(srv.URL, "http://") + "/fixture"
	out := t.TempDir()
	layoutDir, archive := filepath.Join(out, "layout"), filepath.Join(out, "image.tar")
	stdout, stderr, err := execute(t.Context(), newBuildCmd(), dir, "--platform", "linux/amd64",
		"--push", repo+":v1", "--oci-layout", layoutDir, "--tarball", archive)
	if err != nil {
		t.Fatalf("gati build --image: %v\n%s", err, stderr)
	}
	for _, want := range []string{"analyzing… 7 routes", "compiling linux/amd64… (", "  linux/amd64 sha256:", "wrote the OCI layout ", "wrote the OCI archive ", "pushed linux/amd64 sha256:", "pushed " + repo + "@sha256:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	pushed := strings.TrimSpace(stdout)
	if !strings.HasPrefix(pushed, repo+"@sha256:") {
		t.Fatalf("stdout %q, want %s@sha256:…", stdout, repo)
	}
	digest := strings.TrimPrefix(pushed, repo+"@")
	ref, err := ociimage.ParseReference(pushed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Index(ref, remote.WithContext(t.Context())); err != nil {
		t.Errorf("pulling %s back: %v", pushed, err)
	}
	checkLayoutHolds(t, layoutDir, digest)
	if info, err := os.Stat(archive); err != nil || info.Size() == 0 {
		t.Errorf("the archive: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bin", "fixture")); err == nil {
		t.Error("gati build --image built the host binary too")
	}

	stdout, stderr, err = execute(t.Context(), newBuildCmd(), dir, "--image", "--platform", "linux/amd64")
	if err != nil {
		t.Fatalf("gati build --image: %v\n%s", err, stderr)
	}
	if strings.TrimSpace(stdout) != digest {
		t.Errorf("the second build printed %q, the first built %s", stdout, digest)
	}
	if want := "no --push, --oci-layout or --tarball: writing the OCI layout "; !strings.Contains(stderr, want) {
		t.Errorf("progress lacks %q:\n%s", want, stderr)
	}
	checkLayoutHolds(t, filepath.Join(dir, ".gati", "image"), digest)
}

func checkLayoutHolds(t *testing.T, dir, digest string) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest.String() != digest {
		t.Errorf("the layout %s lists %v, want %s", dir, im.Manifests, digest)
	}
}

// TestBuildImageFlagErrors checks the errors that come before any
// analysis or compile.
func TestBuildImageFlagErrors(t *testing.T) {
	t.Parallel()
	dir := fixtureApp(t, "good", nil)
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--push", "127.0.0.1:1/app:v1"}, []string{"--push 127.0.0.1:1/app:v1", "registry 127.0.0.1:1", "reachable"}},
		{[]string{"--image", "-o", "x"}, []string{"-o names the host binary", "--oci-layout"}},
		{[]string{"--platform", "windows/amd64"}, []string{"--platform", "linux/<arch>"}},
		{[]string{"--image", "--push", "UPPER/Case"}, []string{"--push UPPER/Case"}},
	} {
		_, stderr, err := execute(t.Context(), newBuildCmd(), append([]string{dir}, tt.args...)...)
		if err == nil {
			t.Errorf("gati build %v succeeded", tt.args)
			continue
		}
		for _, want := range tt.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("gati build %v: %v: lacks %q", tt.args, err, want)
			}
		}
		if strings.Contains(stderr, "analyzing") {
			t.Errorf("gati build %v analyzed the app before failing:\n%s", tt.args, stderr)
		}
	}
}
