package cli

import (
	"slices"
	"testing"
)

func TestEffectsArgsTakesGatiFlagsOffTheFront(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		dir, env  string
		rest      []string
		wantError bool
	}{
		{args: []string{"dlq", "list", "-kind", "x"}, dir: ".", rest: []string{"dlq", "list", "-kind", "x"}},
		{args: []string{"--dir", "app", "--env=staging", "stats"}, dir: "app", env: "staging", rest: []string{"stats"}},
		{args: []string{"--dir=app", "dlq", "list", "--env", "x"}, dir: "app", rest: []string{"dlq", "list", "--env", "x"}},
		{args: []string{"--env"}, wantError: true},
	} {
		dir, env, rest, err := effectsArgs(tc.args)
		if tc.wantError {
			if err == nil {
				t.Errorf("effectsArgs(%q): no error", tc.args)
			}
			continue
		}
		if err != nil || dir != tc.dir || env != tc.env || !slices.Equal(rest, tc.rest) {
			t.Errorf("effectsArgs(%q) = %q %q %q %v, want %q %q %q", tc.args, dir, env, rest, err, tc.dir, tc.env, tc.rest)
		}
	}
}
