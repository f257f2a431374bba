package ociimage

import (
	"archive/tar"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func mutateIndex() v1.ImageIndex { return mutate.IndexMediaType(empty.Index, types.OCIImageIndex) }

func tarHeadersOf(t *testing.T, data []byte) map[string]*tar.Header {
	return tarHeaders(t, io.NopCloser(bytes.NewReader(data)))
}

func TestParsePlatforms(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   []string
		want []string
		err  string
	}{
		{nil, DefaultPlatforms, ""},
		{[]string{"linux/arm/v7", "linux/amd64/v3"}, []string{"linux/arm/v7", "linux/amd64/v3"}, ""},
		{[]string{"darwin/arm64"}, nil, "want linux/<arch>"},
		{[]string{"linux/amd64", "linux/amd64"}, nil, "given twice"},
	} {
		got, err := parsePlatforms(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parsePlatforms(%q) = %v, want an error with %q", tt.in, err, tt.err)
			}
			continue
		}
		var names []string
		for _, p := range got {
			names = append(names, p.String())
		}
		if err != nil || !slices.Equal(names, tt.want) {
			t.Errorf("parsePlatforms(%q) = %v, %v, want %v", tt.in, names, err, tt.want)
		}
	}
}

func TestPublicURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:token@github.com/acme/app.git": "https://github.com/acme/app.git",
		"https://github.com/acme/app":                "https://github.com/acme/app",
		"git@github.com:acme/app.git":                "git@github.com:acme/app.git",
		"":                                           "",
	} {
		if got := publicURL(in); got != want {
			t.Errorf("publicURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCreated(t *testing.T) {
	t.Parallel()
	commit := time.Unix(1700000000, 0)
	for _, tt := range []struct {
		name  string
		g     gitState
		epoch string
		want  time.Time
		err   bool
	}{
		{"clean: the commit's time", gitState{head: "abc", clean: true, time: commit}, "42", commit, false},
		{"dirty: SOURCE_DATE_EPOCH", gitState{head: "abc", time: commit}, "42", time.Unix(42, 0), false},
		{"dirty, no SOURCE_DATE_EPOCH: the epoch", gitState{head: "abc", time: commit}, "", time.Unix(0, 0), false},
		{"outside git", gitState{}, "", time.Unix(0, 0), false},
		{"bad SOURCE_DATE_EPOCH", gitState{}, "yesterday", time.Time{}, true},
	} {
		got, err := tt.g.created(tt.epoch)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("%s: created = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if r := (gitState{head: "abc"}).revision(); r != "abc-dirty" {
		t.Errorf("dirty revision %q", r)
	}
}

func TestSetEnv(t *testing.T) {
	t.Parallel()
	got := setEnv([]string{"PATH=/bin", "PORT=1", "PORTABLE=yes"}, "PORT", "8080")
	if want := []string{"PATH=/bin", "PORTABLE=yes", "PORT=8080"}; !slices.Equal(got, want) {
		t.Errorf("setEnv = %v, want %v", got, want)
	}
}

func TestParseReferenceLoopbackIsPlainHTTP(t *testing.T) {
	t.Parallel()
	for ref, scheme := range map[string]string{
		"127.0.0.1:5000/app:1": "http", "localhost:5000/app": "http", "[::1]:5000/app": "http",
		"registry.example.com/app": "https", "ghcr.io/acme/app:v1": "https",
	} {
		r, err := ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Context().Scheme(); got != scheme {
			t.Errorf("%s: scheme %s, want %s", ref, got, scheme)
		}
	}
}

func TestTarLayerNormalized(t *testing.T) {
	t.Parallel()
	a, err := tarLayer([]file{{name: "b/c/d", mode: 0o644, data: []byte("x")}, {name: "a", mode: 0o755, data: []byte("y")}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := tarLayer([]file{{name: "a", mode: 0o755, data: []byte("y")}, {name: "b/c/d", mode: 0o644, data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("the order of the files changed the tar")
	}
	var names []string
	for name := range tarHeadersOf(t, a) {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"a", "b/", "b/c/", "b/c/d"}; !slices.Equal(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
}

func TestCABundle(t *testing.T) {
	t.Parallel()
	pem := string(caBundle())
	if n := strings.Count(pem, "-----BEGIN CERTIFICATE-----"); n < 100 {
		t.Errorf("the CA bundle has %d certificates", n)
	}
}
