package goclient

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// check returns an *api.UnsupportedError for the first schema of a's
// operations that the client cannot express, in operation order.
func check(a *api.API) error {
	for _, op := range a.Operations {
		c := checker{api: a, op: op.Method + " " + op.Path, seen: map[string]bool{}}
		for _, p := range op.Params {
			if err := c.param(p); err != nil {
				return err
			}
		}
		if err := c.walk(op.Request, "/request"); err != nil {
			return err
		}
		if err := c.walk(op.Response, "/response"); err != nil {
			return err
		}
	}
	return nil
}

// checker walks the schemas of one operation, into the named types they
// refer to, each once; a pointer continues into a named type as if it
// were written in place.
type checker struct {
	api  *api.API
	op   string
	seen map[string]bool
}

func (c *checker) fail(ptr, format string, args ...any) error {
	return &api.UnsupportedError{Operation: c.op, Pointer: ptr, Reason: fmt.Sprintf(format, args...)}
}

func (c *checker) walk(s *schema.Schema, ptr string) error {
	if s == nil {
		return nil
	}
	if len(s.AnyOf) > 0 {
		if i := nullAlternative(s.AnyOf); len(s.AnyOf) == 2 && i >= 0 {
			return c.walk(s.AnyOf[1-i], fmt.Sprintf("%s/anyOf/%d", ptr, 1-i))
		}
	}
	n, reason := classify(s)
	if reason != "" {
		return c.fail(ptr, "%s", reason)
	}
	switch n.shape {
	case refShape:
		def := c.api.Schemas[n.ref]
		if def == nil {
			return c.fail(ptr, "$ref %q names no schema", s.Ref)
		}
		if c.seen[n.ref] {
			return nil
		}
		c.seen[n.ref] = true
		if err := c.enum(def, ptr); err != nil {
			return err
		}
		return c.walk(def, ptr)
	case arrayShape:
		return c.walk(s.Items, ptr+"/items")
	case mapShape:
		return c.walk(s.AdditionalProperties, ptr+"/additionalProperties")
	case structShape:
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := ptr + "/properties/" + escapePointer(name)
			if !validTag(name) {
				return c.fail(p, "the property name %q cannot be written in a Go json tag", name)
			}
			if err := c.walk(s.Properties[name], p); err != nil {
				return err
			}
		}
	}
	return nil
}

// enum checks that the values of a named enum type fit its type: they
// become the constants of a string or int64 type.
func (c *checker) enum(def *schema.Schema, ptr string) error {
	if len(def.Enum) == 0 {
		return nil
	}
	n, _ := classify(def)
	for i, v := range def.Enum {
		ok := false
		switch n.shape {
		case stringShape:
			_, ok = v.(string)
		case integerShape:
			_, ok = integral(v)
		default:
			ok = true // documented, not made constants
		}
		if !ok {
			return c.fail(fmt.Sprintf("%s/enum/%d", ptr, i), "the enum value %s is not of the enum's type", jsonText(v))
		}
	}
	return nil
}

// param checks a parameter: a scalar, or for a query or header parameter
// a list of them; other schemas are sent as text the caller writes.
func (c *checker) param(p api.Param) error {
	ptr := "/" + p.In + "/" + escapePointer(p.Name)
	if p.Schema == nil {
		return nil
	}
	n, reason := classify(p.Schema)
	if reason != "" {
		return c.fail(ptr, "%s", reason)
	}
	if n.shape == arrayShape {
		if p.In == "path" || p.In == "cookie" {
			return c.fail(ptr, "a %s parameter cannot be a list", p.In)
		}
		if n.s.Items != nil {
			n, _ = classify(n.s.Items)
		}
	}
	if def := c.api.Schemas[n.ref]; n.shape == refShape && def != nil {
		if d, reason := classify(def); reason == "" && !scalarShape(d.shape) {
			return nil // sent as the caller writes it: its type is not declared
		}
	}
	return c.walk(p.Schema, ptr)
}

// escapePointer escapes a JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// validTag reports whether encoding/json takes name from a struct tag:
// a name with other characters makes it fall back to the field's name.
func validTag(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r):
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return false
		}
	}
	return true
}
