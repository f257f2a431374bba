package timescape

import (
	"fmt"
	"testing"
	"time"
)

// bigSet returns a set of n versions, one every three days from 2015, with
// a second version on every tenth day and a tag on a few.
func bigSet(tb testing.TB, n int) *Set {
	tb.Helper()
	versions := make([]Version, 0, n)
	day := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		v := Version{ID: day.Format(time.DateOnly), Date: day.Add(9 * time.Hour), Semver: fmt.Sprintf("%d.%d.%d", i/100, i/10%10, i%10)}
		if i%10 == 1 {
			v.ID += ".2"
			v.Date = day.Add(15 * time.Hour)
		} else {
			day = day.AddDate(0, 0, 3)
			v.ID, v.Date = day.Format(time.DateOnly), day.Add(9*time.Hour)
		}
		if i%100 == 50 {
			v.Tags = []string{fmt.Sprintf("lts-%d", i/100)}
		}
		versions = append(versions, v)
	}
	s, err := NewSet(versions)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var benchValues = []struct{ name, value string }{
	{"date", "2019-07-04"},
	{"datetime", "2019-07-04T10:00:00.123+02:00"},
	{"id", "2015-01-31.2"},
	{"semver", "v5.3"},
	{"tag", "lts-4"},
	{"latest", "latest"},
	{"head", ""},
}

func TestResolveDoesNotAllocate(t *testing.T) {
	s := bigSet(t, 1000)
	for _, bv := range benchValues {
		if _, err := s.Resolve(bv.value); err != nil {
			t.Fatalf("%s: %v", bv.name, err)
		}
		allocs := testing.AllocsPerRun(100, func() { _, _ = s.Resolve(bv.value) })
		if allocs != 0 {
			t.Errorf("%s: Resolve(%q) allocates %v times, want 0", bv.name, bv.value, allocs)
		}
	}
}

func BenchmarkResolve(b *testing.B) {
	s := bigSet(b, 1000)
	for _, bv := range benchValues {
		b.Run(bv.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Resolve(bv.value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("error", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = s.Resolve("2025-13-45")
		}
	})
}
