package timescape

import (
	"errors"
	"testing"
)

func FuzzResolve(f *testing.F) {
	for _, v := range []string{
		"", "2025-03-15", "2025-13-45", "2024-06-01T10:30:00-05:00", "2025-06-01T10:00:00.123456789123Z",
		"2024-06-01.2", "2024-06-01.02", "v2.1.3", "2.01", "latest", "BETA", "yesterday", "stable!",
		"9999-12-31T23:59:59+23:59", "0000-01-01T00:00:00-23:59", "99999999999999999999", " \t",
	} {
		f.Add(v)
	}
	s := testSet(f)
	f.Fuzz(func(t *testing.T, value string) {
		v, err := s.Resolve(value)
		var re *ResolveError
		switch {
		case err == nil && v == nil:
			t.Fatalf("Resolve(%q) = nil, nil", value)
		case err != nil && (v != nil || !errors.As(err, &re) || re.Err == nil || err.Error() == ""):
			t.Fatalf("Resolve(%q) = %v, %#v", value, v, err)
		}
	})
}
