package diff_test

import (
	"fmt"
	"os"
	"time"

	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
	"gati.dev/gati/timescape/diff"
)

func Example() {
	user := func(props ...string) *schema.Schema {
		s := &schema.Schema{Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{}}
		for _, p := range props {
			s.Properties[p] = &schema.Schema{Type: schema.Types{"string"}}
			s.Required = append(s.Required, p)
		}
		return s
	}
	v1 := &timescape.Snapshot{ID: "2025-01-01", Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Semver: "1.4.2",
		Routes: []timescape.RouteSchema{{Method: "GET", Path: "/users/{id}", Status: 200, Response: user("id", "name")}}}
	v2 := &timescape.Snapshot{ID: "2025-06-01", Date: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Semver: "2.0.0",
		Routes: []timescape.RouteSchema{{Method: "GET", Path: "/users/{id}", Status: 200, Response: user("id", "first_name", "last_name")}}}

	report := diff.Compare(v1, v2)
	report.Format(os.Stdout, "text")
	fmt.Println("\nfails --fail-on breaking:", report.Fails(diff.Breaking))
	// Output:
	// API changes from 2025-01-01 to 2025-06-01: 3 changes (1 breaking, 2 minor); next version 2.0.0
	//
	// breaking  response-field-removed  GET /users/{id}  /response/properties/name
	//           The response field "name" was removed; clients that read it break.
	//
	// minor     response-field-added  GET /users/{id}  /response/properties/first_name
	//           The response field "first_name" was added.
	//
	// minor     response-field-added  GET /users/{id}  /response/properties/last_name
	//           The response field "last_name" was added.
	//
	// fails --fail-on breaking: true
}
