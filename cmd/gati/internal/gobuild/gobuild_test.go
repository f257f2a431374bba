package gobuild

import "testing"

func TestVariantEnv(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ goarch, variant, want string }{
		{"arm64", "", ""},
		{"arm64", "v8", ""},
		{"arm", "v7", "GOARM=7"},
		{"amd64", "v3", "GOAMD64=v3"},
	} {
		if got := variantEnv(tt.goarch, tt.variant); got != tt.want {
			t.Errorf("variantEnv(%q, %q) = %q, want %q", tt.goarch, tt.variant, got, tt.want)
		}
	}
}

func TestStampOutsideGit(t *testing.T) {
	t.Parallel()
	version, commit := Stamp(t.Context(), t.TempDir(), "")
	if version != "dev" || commit != "unknown" {
		t.Errorf("Stamp outside git = %q, %q; want dev, unknown", version, commit)
	}
	if version, _ := Stamp(t.Context(), t.TempDir(), "v1.2.3"); version != "v1.2.3" {
		t.Errorf("Stamp kept %q, want v1.2.3", version)
	}
}
