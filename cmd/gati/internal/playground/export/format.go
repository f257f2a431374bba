package export

import (
	"fmt"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/playground/collection"
)

// Format is an export format, as --format names it.
type Format string

// The formats.
const (
	FormatCurl Format = "curl" // a POSIX shell script of curl commands (Curl)
	FormatGo   Format = "go"   // a Go test file using gatitest (GoTest)
	FormatJS   Format = "js"   // an ES module for node --test (JSTest)
	FormatTS   Format = "ts"   // a TypeScript test using the generated client (TSTest)
)

// Formats lists every format, in the order the CLI shows them.
var Formats = []Format{FormatCurl, FormatGo, FormatJS, FormatTS}

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("%q is not a format: use one of %s", s, strings.Join(names, ", "))
}

// FileName is the name to save an export of format f under, for a
// collection (or request) named base: tasks.sh, playground_tasks_test.go,
// tasks.test.mjs, tasks.test.ts.
func (f Format) FileName(base string) string {
	switch f {
	case FormatGo:
		return "playground_" + strings.ReplaceAll(base, "-", "_") + "_test.go"
	case FormatJS:
		return base + ".test.mjs"
	case FormatTS:
		return base + ".test.ts"
	}
	return base + ".sh"
}

// MediaType is the Content-Type to serve an export of format f with.
func (f Format) MediaType() string {
	switch f {
	case FormatGo:
		return "text/x-go; charset=utf-8"
	case FormatJS:
		return "text/javascript; charset=utf-8"
	case FormatTS:
		return "text/x-typescript; charset=utf-8"
	}
	return "text/x-shellscript; charset=utf-8"
}

// Options are the settings of the formats that have some; the zero value
// is good for all.
type Options struct {
	// Package is the package clause of a Go test: "main" when empty.
	Package string
	// AppDir is the directory of the app a Go test builds and starts,
	// relative to the test's package: "." when empty.
	AppDir string
	// API is the app's API at the version the TypeScript or Go client
	// was generated for. With it, a TypeScript test calls the generated
	// client for the requests that map to an operation; without it, it
	// sends every request with fetch. A Go test does too when GoClient is
	// set.
	API *api.API
	// TSClient is the module a TypeScript test imports the client from:
	// DefaultTSClient when empty.
	TSClient string
	// GoClient is the import path of the package a Go test imports the
	// generated Go client from, such as "example.com/tasks/client". With
	// it and API, a Go test calls the client for the requests that map to
	// an operation (GoClientTest); without, it sends every request with
	// net/http (GoTest).
	GoClient string
}

// Named exports reqs in the format named format, with the zero Options:
// what the playground's file API does for the UI (filesapi.Exporter).
func Named(format string, reqs []*collection.Request, env *collection.Environment) ([]byte, error) {
	f, err := ParseFormat(format)
	if err != nil {
		return nil, err
	}
	return Export(f, reqs, env, Options{})
}

// Export exports reqs, resolved against env (nil for none), in format f.
// It is the one entry point for the CLI and the dev server alike: reqs
// may be one request or a collection, read from files (collection.Load)
// or built in memory, as long as each has its Collection and Slug set
// (they name the tests and the file in errors). It reads nothing from
// disk or the environment and is safe for concurrent use.
func Export(f Format, reqs []*collection.Request, env *collection.Environment, opts Options) ([]byte, error) {
	if len(reqs) == 0 {
		return nil, fmt.Errorf("nothing to export: no requests")
	}
	switch f {
	case FormatCurl:
		return Curl(reqs, env)
	case FormatGo:
		return GoClientTest(reqs, env, opts.Package, opts.AppDir, opts.API, opts.GoClient)
	case FormatJS:
		return JSTest(reqs, env)
	case FormatTS:
		return TSTest(reqs, env, opts.API, opts.TSClient)
	}
	_, err := ParseFormat(string(f))
	return nil, err
}
