// Package export turns playground requests into things that run without
// the playground: a shell script of curl commands (Curl), a Go test file
// that targets the app with gatitest (GoTest), calling its generated Go
// client where it can (GoClientTest), a JavaScript test for
// node --test (JSTest) and a TypeScript test that calls the app's
// generated client (TSTest).
//
// One entry point serves the CLI (gati playground export) and the dev
// server, which exports what the browser holds:
//
//	b, err := export.Export(export.FormatTS, reqs, env, export.Options{API: a})
//
// reqs are one request or a collection, loaded with collection.Load or
// built in memory (each with its Collection and Slug); env is the
// environment to resolve {{variables}} with, nil for none. Options carries
// the Go package clause and app directory, and for TypeScript and Go the
// app's API (api.Load, as gati generate builds it) and the module or
// package to import its generated client from. Format.FileName and Format.MediaType name and serve the
// result; ParseFormat reads a format's name. Export reads no file and no
// environment variable, and is safe for concurrent use.
//
// Every export resolves {{variables}} from the chosen environment, except
// two kinds that are read when the export runs, from environment
// variables:
//   - {{baseUrl}}, from $GATI_BASE_URL, defaulting to the environment's
//     value, so the same export runs against any address (a Go test with
//     no $GATI_BASE_URL builds and starts the app itself);
//   - secrets, from $GATI_PLAYGROUND_<ENV>_<NAME> (collection.EnvVar),
//     never written into the export.
//
// Scripts (pre and post) are the sandbox's business and are not exported;
// the declarative expect block is, as assertions.
package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"gati.dev/gati/cmd/gati/internal/playground/collection"
)

// BaseURLVar is the environment variable that overrides {{baseUrl}}.
const BaseURLVar = "GATI_BASE_URL"

// baseURLName is the variable an environment names its base URL with.
const baseURLName = "baseUrl"

// mark wraps the name of an environment variable read at run time inside
// resolved text; NUL does not occur in YAML text.
const mark = "\x00"

// text is resolved text: literal parts and, at odd indexes, the names of
// environment variables read at run time.
type text []string

func parse(s string) text { return strings.Split(s, mark) }

// concat joins texts, merging the literal parts that meet.
func concat(ts ...text) text {
	out := text{""}
	for _, t := range ts {
		out[len(out)-1] += t[0]
		out = append(out, t[1:]...)
	}
	return out
}

// runVar is an environment variable an export reads at run time.
type runVar struct {
	Name    string
	Default string // "" for a secret: it must be set
	Help    string
}

// request is a request ready to export.
type request struct {
	ID      string // collection/slug
	Name    string
	Method  string
	URL     text      // with the query
	Path    text      // the URL as saved, without the query
	Query   [][2]text // sorted by name
	Headers [][2]text // X-API-Version first, then sorted by name
	Body    text
	Expect  collection.Expect
	JSON    [][2]string // pointer, expected value as JSON, sorted by pointer
	ExpHdrs [][2]string // name, value, sorted by name
}

// prepare resolves reqs against env, keeping the base URL and secrets as
// run-time variables. It returns the requests and the run-time
// variables they use, sorted by name.
func prepare(reqs []*collection.Request, env *collection.Environment) ([]request, []runVar, error) {
	vars := map[string]runVar{}
	var fake *collection.Environment
	secrets := map[string]string{}
	if env != nil {
		fake = &collection.Environment{Name: env.Name, Secrets: env.Secrets, Variables: map[string]string{}}
		for k, v := range env.Variables {
			fake.Variables[k] = v
		}
		if def, ok := env.Variables[baseURLName]; ok {
			fake.Variables[baseURLName] = mark + BaseURLVar + mark
			vars[BaseURLVar] = runVar{BaseURLVar, def, "the app's base URL"}
		}
		for _, s := range env.Secrets {
			name := collection.EnvVar(env.Name, s)
			secrets[s] = mark + name + mark
			vars[name] = runVar{Name: name, Help: fmt.Sprintf("the secret %s of environment %s", s, env.Name)}
		}
	}
	used := map[string]bool{}
	var out []request
	for _, r := range reqs {
		res, err := collection.Resolve(r, fake, secrets)
		if err != nil {
			return nil, nil, err
		}
		p, err := prepareOne(r, res)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range append([]text{p.URL, p.Body}, flatten(p.Headers)...) {
			for i := 1; i < len(t); i += 2 {
				used[t[i]] = true
			}
		}
		out = append(out, p)
	}
	var list []runVar
	for name, v := range vars {
		if used[name] {
			list = append(list, v)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return out, list, nil
}

func flatten(hs [][2]text) []text {
	var out []text
	for _, h := range hs {
		out = append(out, h[0], h[1])
	}
	return out
}

func prepareOne(orig, r *collection.Request) (request, error) {
	p := request{ID: r.Collection + "/" + r.Slug, Name: r.Name, Method: r.Method, Body: parse(r.Body)}
	u := r.URL
	p.Path = parse(u)
	if len(r.Query) > 0 {
		keys := slices.Sorted(maps.Keys(r.Query))
		q := make([]string, len(keys))
		for i, k := range keys {
			q[i] = queryEscape(k) + "=" + queryEscape(r.Query[k])
			p.Query = append(p.Query, [2]text{parse(k), parse(r.Query[k])})
		}
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + strings.Join(q, "&")
	}
	p.URL = parse(u)
	if r.Version != "" {
		p.Headers = append(p.Headers, [2]text{{"X-API-Version"}, parse(r.Version)})
	}
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		p.Headers = append(p.Headers, [2]text{parse(k), parse(r.Headers[k])})
	}
	if r.Expect == nil {
		return p, nil
	}
	p.Expect = *r.Expect
	for _, ptr := range slices.Sorted(maps.Keys(r.Expect.JSON)) {
		b, err := jsonText(r.Expect.JSON[ptr])
		if err != nil {
			return p, fmt.Errorf("%s: expect.json %q: %v", orig.File(), ptr, err)
		}
		p.JSON = append(p.JSON, [2]string{ptr, b})
	}
	for _, k := range slices.Sorted(maps.Keys(r.Expect.Headers)) {
		p.ExpHdrs = append(p.ExpHdrs, [2]string{k, r.Expect.Headers[k]})
	}
	return p, nil
}

// queryEscape escapes the literal parts of s, not the run-time variables.
func queryEscape(s string) string {
	t := parse(s)
	for i := 0; i < len(t); i += 2 {
		t[i] = url.QueryEscape(t[i])
	}
	return strings.Join(t, mark)
}

// jsonText is v as compact JSON without HTML escaping.
func jsonText(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// source describes where the export came from, for headers.
func source(env *collection.Environment) string {
	if env == nil {
		return "from .gati/playground (no environment)"
	}
	return "from .gati/playground, environment " + env.Name
}
