package timescape_test

import (
	"fmt"

	"gati.dev/gati/timescape"
)

func Example() {
	versions, err := timescape.NewSet([]timescape.Version{
		{ID: "2024-01-10", Semver: "1.0.0", Tags: []string{"stable"}},
		{ID: "2025-03-15", Semver: "2.0.0"},
		{ID: "2025-03-15.2", Semver: "2.0.1"},
		{ID: "2025-06-01", Semver: "2.1.0", Tags: []string{"beta"}},
	})
	if err != nil {
		panic(err)
	}
	for _, value := range []string{"", "2025-04-01", "2025-03-15T00:00:00+01:00", "v2.0", "stable", "2023-12-31"} {
		v, err := versions.Resolve(value)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q → %s (%s)\n", value, v.ID, v.Semver)
	}
	// Output:
	// "" → 2025-06-01 (2.1.0)
	// "2025-04-01" → 2025-03-15.2 (2.0.1)
	// "2025-03-15T00:00:00+01:00" → 2024-01-10 (1.0.0)
	// "v2.0" → 2025-03-15.2 (2.0.1)
	// "stable" → 2024-01-10 (1.0.0)
	// X-API-Version "2023-12-31" is before the first version, 2024-01-10 (2024-01-10T00:00:00Z); send a date (2025-06-01), an RFC 3339 time (2025-06-01T00:00:00Z), a semver (2, 2.1, 2.1.0) or a tag (latest, beta, stable)
}
