// Package configcheck checks the modules.<name> sections of an app's
// gati.yaml against the types the modules decode them into, found
// statically by the analyzer, so that gati build reports a misspelt or
// mistyped setting before the app is deployed rather than when it starts.
//
// What it cannot check, it says so (see Result.Unchecked): a module whose
// name is not a constant, or whose Init does not decode its section with
// DecodeConfig on a value of a known type; values of types that decode
// themselves (UnmarshalYAML, UnmarshalText) or of interface type; and the
// checks modules make in code (a minimum, a required field). Sections that
// no module of the app claims are reported as notes: the module may come
// from a library, which the analysis does not see.
package configcheck

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"gati.dev/gati/cmd/gati/analyze"
)

// Result is what Check found.
type Result struct {
	// Errors are settings the modules would reject: "gati.yaml:7:
	// modules.store.max_taks: unknown field; the fields are max_tasks".
	Errors []string
	// Notes are sections nothing claims, and modules that could not be
	// checked, with the reason.
	Notes []string
}

// Err joins the errors, or returns nil.
func (r Result) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	return errors.New(strings.Join(r.Errors, "\n"))
}

// Check reads the config file at path (missing: nothing to check) and
// checks every modules.<name> section, in the base and in each
// environment, against mods.
func Check(path string, mods []analyze.ModuleConfig) (Result, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Result{}, nil
	}
	if err != nil {
		return Result{}, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return Result{}, nil // gati.ValidateConfig reports syntax errors
	}
	c := &checker{file: path, byName: map[string]analyze.ModuleConfig{}}
	for _, m := range mods {
		switch {
		case m.Name == "":
			c.res.Notes = append(c.res.Notes, fmt.Sprintf("module %s.%s: its name is not a constant, so its config section is not checked", m.Module.Package, m.Module.Type))
		case m.Shape == nil:
			c.byName[m.Name] = m
			c.res.Notes = append(c.res.Notes, fmt.Sprintf("module %s: its Init does not call DecodeConfig on a value of a known type, so modules.%s is not checked", m.Name, m.Name))
		default:
			c.byName[m.Name] = m
		}
	}
	root := doc.Content[0]
	c.modules(mapping(root, "modules"), "modules")
	if envs := mapping(root, "environments"); envs != nil {
		for i := 0; i+1 < len(envs.Content); i += 2 {
			env := envs.Content[i].Value
			c.modules(mapping(envs.Content[i+1], "modules"), "environments."+env+".modules")
		}
	}
	return c.res, nil
}

type checker struct {
	file   string
	byName map[string]analyze.ModuleConfig
	res    Result
}

// mapping returns the mapping value of key in n, or nil.
func mapping(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.MappingNode {
			return n.Content[i+1]
		}
	}
	return nil
}

func (c *checker) modules(n *yaml.Node, path string) {
	if n == nil {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, val := n.Content[i].Value, n.Content[i+1]
		m, ok := c.byName[name]
		if !ok {
			c.res.Notes = append(c.res.Notes, fmt.Sprintf("%s:%d: %s.%s: no module of the app is named %s (%s); unchecked",
				c.file, n.Content[i].Line, path, name, name, c.names()))
			continue
		}
		if m.Shape != nil && !(val.Kind == yaml.ScalarNode && val.Tag == "!!null") {
			c.check(val, m.Shape, path+"."+name)
		}
	}
}

func (c *checker) names() string {
	if len(c.byName) == 0 {
		return "it has none"
	}
	var names []string
	for n := range c.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return "modules: " + strings.Join(names, ", ")
}

func (c *checker) fail(n *yaml.Node, path, format string, args ...any) {
	c.res.Errors = append(c.res.Errors, fmt.Sprintf("%s:%d: %s: %s", c.file, n.Line, path, fmt.Sprintf(format, args...)))
}

// check checks node n against shape s as yaml.v3 would decode it.
func (c *checker) check(n *yaml.Node, s *analyze.Shape, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // null leaves the value as it was
	}
	switch s.Kind {
	case analyze.ShapeAny:
	case analyze.ShapeStruct:
		c.checkStruct(n, s, path)
	case analyze.ShapeMap:
		if n.Kind != yaml.MappingNode {
			c.fail(n, path, "want a mapping (key: value lines), not %s", describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if f, ok := s.Fields[k]; ok {
				c.check(n.Content[i+1], f, path+"."+k)
			} else {
				c.check(n.Content[i+1], s.Elem, path+"."+k)
			}
		}
	case analyze.ShapeSeq:
		if n.Kind != yaml.SequenceNode {
			c.fail(n, path, "want a list, not %s", describe(n))
			return
		}
		for i, e := range n.Content {
			c.check(e, s.Elem, fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		c.checkScalar(n, s.Kind, path)
	}
}

func (c *checker) checkStruct(n *yaml.Node, s *analyze.Shape, path string) {
	if n.Kind != yaml.MappingNode {
		c.fail(n, path, "want a mapping (key: value lines), not %s", describe(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		f, ok := s.Fields[k]
		if !ok {
			c.fail(n.Content[i], path+"."+k, "unknown field; the fields are %s", fieldList(s))
			continue
		}
		c.check(n.Content[i+1], f, path+"."+k)
	}
}

func fieldList(s *analyze.Shape) string {
	var names []string
	for k := range s.Fields {
		names = append(names, k)
	}
	if len(names) == 0 {
		return "none"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// checkScalar decodes n into a value of the kind, as yaml.v3 would.
func (c *checker) checkScalar(n *yaml.Node, k analyze.ShapeKind, path string) {
	if n.Kind != yaml.ScalarNode {
		c.fail(n, path, "want %s, not %s", kindName(k), describe(n))
		return
	}
	var err error
	if v := scalarOf(k); v != nil {
		err = n.Decode(v)
	}
	if err != nil {
		c.fail(n, path, "%q is not %s", n.Value, kindName(k))
	}
}

func kindName(k analyze.ShapeKind) string {
	switch k {
	case analyze.ShapeString:
		return "a string"
	case analyze.ShapeBool:
		return "true or false"
	case analyze.ShapeInt:
		return "an integer"
	case analyze.ShapeUint:
		return "a non-negative integer"
	case analyze.ShapeFloat:
		return "a number"
	case analyze.ShapeDuration:
		return `a duration such as "1m30s"`
	}
	return "a value"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// scalarOf returns a pointer to a Go value of scalar shape k, for yaml.v3
// to decode into, or nil for a shape that is not a scalar.
func scalarOf(k analyze.ShapeKind) any {
	switch k {
	case analyze.ShapeString:
		return new(string)
	case analyze.ShapeBool:
		return new(bool)
	case analyze.ShapeInt:
		return new(int64)
	case analyze.ShapeUint:
		return new(uint64)
	case analyze.ShapeFloat:
		return new(float64)
	case analyze.ShapeDuration:
		return new(time.Duration)
	}
	return nil
}
