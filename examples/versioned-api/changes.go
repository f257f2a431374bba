package main

import (
	"fmt"
	"strings"

	"gati.dev/gati"
)

// changes translate between each API version and the one before it, so
// that the handlers in users.go only speak the newest version.
var changes = []gati.VersionChange{
	{
		Version:           "2025-06-01",
		Route:             "POST /users",
		Description:       "name is split into first_name and last_name",
		UpgradeRequest:    splitName,
		DowngradeResponse: joinName,
	},
	{
		Version:           "2025-06-01",
		Route:             "GET /users/{id}",
		Description:       "name is split into first_name and last_name",
		DowngradeResponse: joinName,
	},
}

// splitName upgrades a 2025-01-01 body {"name":"Ada Lovelace"} to
// {"first_name":"Ada","last_name":"Lovelace"}: the first word is the
// first name, the rest the last name.
func splitName(body map[string]any) error {
	name, ok := body["name"].(string)
	if !ok {
		return nil // leave it to validation: first_name will be missing
	}
	first, last, _ := strings.Cut(strings.TrimSpace(name), " ")
	delete(body, "name")
	body["first_name"], body["last_name"] = first, strings.TrimSpace(last)
	return nil
}

// joinName downgrades a 2025-06-01 user to 2025-01-01's {"name"}.
func joinName(body map[string]any) error {
	first, _ := body["first_name"].(string)
	last, _ := body["last_name"].(string)
	delete(body, "first_name")
	delete(body, "last_name")
	body["name"] = strings.TrimSpace(fmt.Sprint(first, " ", last))
	return nil
}
