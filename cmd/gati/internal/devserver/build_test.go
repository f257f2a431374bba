package devserver

import (
	"strings"
	"testing"
)

// TestBuildEnvLowersGCUnlessSet: go build runs with GOGC=400 unless the
// user chose a GOGC, which it then keeps.
func TestBuildEnvLowersGCUnlessSet(t *testing.T) {
	for _, tt := range []struct {
		gogc string
		want string // GOGC as go build sees it; "" when it inherits the environment
	}{
		{"", buildGOGC},
		{"50", ""},
		{"off", ""},
	} {
		t.Setenv("GOGC", tt.gogc)
		env := buildEnv()
		if tt.want == "" {
			if env != nil {
				t.Errorf("GOGC=%q: go build gets %d variables, want the dev server's environment (nil)", tt.gogc, len(env))
			}
			continue
		}
		if got := lastValue(env, "GOGC"); got != tt.want {
			t.Errorf("GOGC=%q: go build sees GOGC=%q, want %q", tt.gogc, got, tt.want)
		}
	}
}

// lastValue returns key's value in env as os/exec applies it: the last
// entry wins.
func lastValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}
