package openapi

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// componentName is what OpenAPI allows as a component's name.
var componentName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// check makes sure a's schemas can be written as components: every named
// type's name is a valid component name, and in every schema no $defs
// remain and every $ref names one of a.Schemas.
func check(a *api.API) error {
	for _, name := range a.SchemaNames() {
		if !componentName.MatchString(name) {
			return fmt.Errorf("openapi: schema %q: not a valid component name (letters, digits, '.', '-' and '_')", name)
		}
		if err := checkSchema(a, a.Schemas[name], ""); err != nil {
			return fmt.Errorf("openapi: schema %s: %w", name, err)
		}
	}
	for _, op := range a.Operations {
		roots := map[string]*schema.Schema{"/request": op.Request, "/response": op.Response}
		for _, p := range op.Params {
			roots["/parameters/"+p.In+"/"+pointerToken(p.Name)] = p.Schema
		}
		for _, at := range slices.Sorted(maps.Keys(roots)) {
			if err := checkSchema(a, roots[at], at); err != nil {
				return fmt.Errorf("openapi: %s %s: %w", op.Method, op.Path, err)
			}
		}
	}
	return nil
}

// checkSchema checks s, found at the JSON pointer at, and what it holds.
func checkSchema(a *api.API, s *schema.Schema, at string) error {
	if s == nil {
		return nil
	}
	if s.Defs != nil {
		return fmt.Errorf("%s: $defs remain; the API's named types belong in its Schemas", orRoot(at))
	}
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, api.RefPrefix)
		if _, found := a.Schemas[name]; !ok || !found {
			return fmt.Errorf("%s: $ref %q names no schema of the API", orRoot(at), s.Ref)
		}
	}
	children := map[string]*schema.Schema{"/items": s.Items, "/additionalProperties": s.AdditionalProperties}
	for k, p := range s.Properties {
		children["/properties/"+pointerToken(k)] = p
	}
	for i, alt := range s.AnyOf {
		children["/anyOf/"+strconv.Itoa(i)] = alt
	}
	for _, k := range slices.Sorted(maps.Keys(children)) {
		if err := checkSchema(a, children[k], at+k); err != nil {
			return err
		}
	}
	return nil
}

// pointerToken escapes a JSON pointer reference token (RFC 6901).
func pointerToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func orRoot(pointer string) string {
	if pointer == "" {
		return "(root)"
	}
	return pointer
}
