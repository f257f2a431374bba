package collection

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FileError is a problem in one playground file, at a line when known.
type FileError struct {
	File string // relative to the app directory, slash-separated
	Line int    // 0 when unknown
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Valid keys of each mapping, in the order the docs list them.
var (
	requestKeys     = []string{"name", "method", "url", "version", "headers", "query", "body", "auth", "expect", "scripts"}
	authKeys        = []string{"type", "token", "username", "password", "name", "value", "in", "grant", "issuer", "token_url", "auth_url", "client_id", "client_secret", "client_auth", "scope", "audience"}
	expectKeys      = []string{"status", "json", "headers"}
	scriptKeys      = []string{"pre", "post"}
	environmentKeys = []string{"variables", "secrets"}
)

// Load reads every collection and environment under appDir's
// .gati/playground/. A file that cannot be read or decoded is reported as
// a *FileError naming it and its line, and the rest still loads. A
// missing directory is an empty Set.
func Load(appDir string) (*Set, []error) {
	set := &Set{}
	root := filepath.Join(appDir, Dir)
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return set, []error{err}
	}
	var errs []error
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), "."):
			continue
		case !e.IsDir():
			if strings.HasSuffix(e.Name(), ".yaml") {
				errs = append(errs, &FileError{File: Dir + "/" + e.Name(), Msg: "a request file belongs in a collection folder: move it to " + Dir + "/<collection>/"})
			}
		case e.Name() == EnvironmentsDir:
			errs = append(errs, loadEnvironments(appDir, set)...)
		default:
			c, cerrs := loadCollection(appDir, e.Name())
			errs = append(errs, cerrs...)
			set.Collections = append(set.Collections, c)
		}
	}
	return set, errs
}

// yamlFiles lists the .yaml files of dir (relative to appDir), sorted.
func yamlFiles(appDir, dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(appDir, filepath.FromSlash(dir)))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	return names, nil
}

func loadCollection(appDir, name string) (*Collection, []error) {
	c := &Collection{Name: name}
	slugs, err := yamlFiles(appDir, Dir+"/"+name)
	if err != nil {
		return c, []error{err}
	}
	var errs []error
	for _, slug := range slugs {
		r := &Request{Collection: name, Slug: slug}
		if ferrs := decodeFile(appDir, r.File(), r, checkRequest); len(ferrs) > 0 {
			errs = append(errs, ferrs...)
			continue
		}
		if r.Name == "" {
			r.Name = slug
		}
		c.Requests = append(c.Requests, r)
	}
	return c, errs
}

func loadEnvironments(appDir string, set *Set) []error {
	names, err := yamlFiles(appDir, Dir+"/"+EnvironmentsDir)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, name := range names {
		env := &Environment{Name: name}
		if ferrs := decodeFile(appDir, env.File(), env, checkEnvironment); len(ferrs) > 0 {
			errs = append(errs, ferrs...)
			continue
		}
		set.Environments = append(set.Environments, env)
	}
	return errs
}

// decodeFile decodes the YAML file rel into v after check accepted its
// document node.
func decodeFile(appDir, rel string, v any, check func(file string, n *yaml.Node) []error) []error {
	b, err := os.ReadFile(filepath.Join(appDir, filepath.FromSlash(rel)))
	if err != nil {
		return []error{&FileError{File: rel, Msg: err.Error()}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return []error{yamlError(rel, err)}
	}
	if len(doc.Content) == 0 {
		return []error{&FileError{File: rel, Line: 1, Msg: "the file is empty"}}
	}
	n := doc.Content[0]
	if errs := check(rel, n); len(errs) > 0 {
		return errs
	}
	if err := n.Decode(v); err != nil {
		return []error{yamlError(rel, err)}
	}
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// yamlError turns a yaml.v3 error ("yaml: line 3: ...", or a TypeError
// listing "line 3: ...") into a FileError with that line.
func yamlError(file string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FileError{File: file, Line: line, Msg: m[2]}
	}
	return &FileError{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// checkKeys reports n if it is not a mapping, and each key of it not in
// valid.
func checkKeys(file, where string, n *yaml.Node, valid []string) []error {
	if n.Kind != yaml.MappingNode {
		return []error{&FileError{File: file, Line: n.Line, Msg: where + " must be a mapping of keys to values"}}
	}
	var errs []error
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(valid, k.Value) {
			errs = append(errs, &FileError{File: file, Line: k.Line,
				Msg: fmt.Sprintf("unknown key %q in %s; valid keys: %s", k.Value, where, strings.Join(valid, ", "))})
		}
	}
	return errs
}

// value returns the value of key in mapping n, or nil.
func value(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func checkRequest(file string, n *yaml.Node) []error {
	errs := checkKeys(file, "a request", n, requestKeys)
	if len(errs) > 0 {
		return errs
	}
	if v := value(n, "expect"); v != nil {
		errs = append(errs, checkKeys(file, "expect", v, expectKeys)...)
		if j := value(v, "json"); j != nil && j.Kind == yaml.MappingNode {
			for i := 0; i < len(j.Content); i += 2 {
				if p := j.Content[i].Value; p != "" && !strings.HasPrefix(p, "/") {
					errs = append(errs, &FileError{File: file, Line: j.Content[i].Line,
						Msg: fmt.Sprintf("expect.json key %q is not a JSON pointer: start it with / (\"/%s\")", p, p)})
				}
			}
		}
	}
	if v := value(n, "scripts"); v != nil {
		errs = append(errs, checkKeys(file, "scripts", v, scriptKeys)...)
	}
	if v := value(n, "auth"); v != nil {
		errs = append(errs, checkAuth(file, v)...)
	}
	for _, key := range []string{"method", "url"} {
		if v := value(n, key); v == nil || v.Value == "" {
			errs = append(errs, &FileError{File: file, Line: n.Line, Msg: key + " is required"})
		}
	}
	if v := value(n, "method"); v != nil && v.Value != "" && strings.ToUpper(v.Value) != v.Value {
		errs = append(errs, &FileError{File: file, Line: v.Line, Msg: fmt.Sprintf("method %q must be upper case: %s", v.Value, strings.ToUpper(v.Value))})
	}
	return errs
}

// Auth types and what each one checks.
var (
	authTypes   = []string{"bearer", "basic", "apikey", "oauth2"}
	authGrants  = []string{"client_credentials", "authorization_code"}
	credentials = []string{"token", "password", "value", "client_secret"}
	onlyVarRef  = regexp.MustCompile(`^\{\{\s*[^{}\s]+\s*\}\}$`)
)

func checkAuth(file string, n *yaml.Node) []error {
	errs := checkKeys(file, "auth", n, authKeys)
	if len(errs) > 0 {
		return errs
	}
	if t := value(n, "type"); t == nil || !slices.Contains(authTypes, t.Value) {
		line, got := n.Line, ""
		if t != nil {
			line, got = t.Line, t.Value
		}
		errs = append(errs, &FileError{File: file, Line: line,
			Msg: fmt.Sprintf("auth.type %q is not a type: use one of %s", got, strings.Join(authTypes, ", "))})
	}
	if g := value(n, "grant"); g != nil && !slices.Contains(authGrants, g.Value) {
		errs = append(errs, &FileError{File: file, Line: g.Line,
			Msg: fmt.Sprintf("auth.grant %q is not a grant: use one of %s", g.Value, strings.Join(authGrants, ", "))})
	}
	if ca := value(n, "client_auth"); ca != nil && ca.Value != "basic" && ca.Value != "post" {
		errs = append(errs, &FileError{File: file, Line: ca.Line, Msg: fmt.Sprintf("auth.client_auth %q must be basic or post", ca.Value)})
	}
	if in := value(n, "in"); in != nil && in.Value != "header" && in.Value != "query" {
		errs = append(errs, &FileError{File: file, Line: in.Line, Msg: fmt.Sprintf("auth.in %q must be header or query", in.Value)})
	}
	for _, key := range credentials {
		if v := value(n, key); v != nil && v.Value != "" && !onlyVarRef.MatchString(v.Value) {
			errs = append(errs, &FileError{File: file, Line: v.Line,
				Msg: fmt.Sprintf("auth.%s holds a credential: keep it out of the committed file, as a secret of the environment, and write {{name}} here", key)})
		}
	}
	return errs
}

func checkEnvironment(file string, n *yaml.Node) []error {
	errs := checkKeys(file, "an environment", n, environmentKeys)
	if len(errs) > 0 {
		return errs
	}
	vars, secrets := value(n, "variables"), value(n, "secrets")
	if vars == nil || secrets == nil || secrets.Kind != yaml.SequenceNode || vars.Kind != yaml.MappingNode {
		return nil // Decode reports wrong types
	}
	for _, s := range secrets.Content {
		if v := value(vars, s.Value); v != nil {
			errs = append(errs, &FileError{File: file, Line: v.Line,
				Msg: fmt.Sprintf("%s is a secret: remove its value from variables and keep it in %s/%s/ or $%s", s.Value, Dir, SecretsDir, EnvVar(strings.TrimSuffix(filepath.Base(file), ".yaml"), s.Value))})
		}
	}
	return errs
}

// UnmarshalYAML decodes an expect block, keeping the values of json as
// JSON has them: a timestamp-looking scalar (due: 2026-03-01) stays the
// string it is in the response, not a time.
func (e *Expect) UnmarshalYAML(n *yaml.Node) error {
	type plain Expect
	if err := n.Decode((*plain)(e)); err != nil {
		return err
	}
	j := value(n, "json")
	if j == nil || j.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(j.Content); i += 2 {
		v, err := jsonValue(j.Content[i+1])
		if err != nil {
			return err
		}
		e.JSON[j.Content[i].Value] = v
	}
	return nil
}

// jsonValue decodes n into the value encoding/json would give the same
// text: timestamps stay strings, mappings have string keys.
func jsonValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return jsonValue(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := jsonValue(c)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := jsonValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[n.Content[i].Value] = v
		}
		return out, nil
	case yaml.ScalarNode:
		if n.ShortTag() == "!!timestamp" {
			return n.Value, nil
		}
	}
	var v any
	err := n.Decode(&v)
	return v, err
}
