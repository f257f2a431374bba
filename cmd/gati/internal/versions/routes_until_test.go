package versions

import (
	"testing"

	"gati.dev/gati/manifest"
)

// TestRoutesSkipOlderImplementations: a snapshot records the current API,
// so a route's until= implementation is left out.
func TestRoutesSkipOlderImplementations(t *testing.T) {
	m := &manifest.Manifest{Routes: []manifest.Route{
		{Method: "GET", Path: "/report", Handler: manifest.Handler{Kind: manifest.Raw}},
		{Method: "GET", Path: "/report", Handler: manifest.Handler{Kind: manifest.Raw}, Until: "2025-06-01"},
	}}
	if got := Routes(m); len(got) != 1 || got[0].Path != "/report" {
		t.Fatalf("Routes = %+v, want only the current implementation", got)
	}
}
