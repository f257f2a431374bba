// Package api is one version of an app's HTTP API as the code generators
// see it: the operations with their parameters, bodies and statuses, and
// the named types they share, merged into one table. It is built from the
// manifest (the current code) or from a version snapshot, and feeds the
// OpenAPI document and the TypeScript and Go clients, so that all three
// describe the same API and none walks Go types a second time.
package api

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gati.dev/gati/schema"
)

// RefPrefix starts every $ref in an API's schemas: the named types live in
// API.Schemas, as in an OpenAPI document's components.
const RefPrefix = "#/components/schemas/"

// API is one version of an app's API.
type API struct {
	// Title is the app's name: gati.yaml's name, else the last element
	// of its module path.
	Title string
	// Module is the app's Go module path.
	Module string
	// Version is the API version the clients are pinned to, sent as
	// X-API-Version: a recorded version's ID, or "" when the app has no
	// versions (the clients then send no version header).
	Version string
	// Head is true when the API is the current code's rather than a
	// recorded version's.
	Head bool
	// Semver is the version's semantic version ("1.4.0"), the version of
	// the packages generated for it; "0.0.0" for an app without versions.
	Semver string
	// Versions lists every recorded version, oldest first.
	Versions []Version
	// Deprecated and Sunset are the version's life cycle; nil when unset.
	Deprecated *time.Time
	Sunset     *time.Time
	// Operations are sorted by path, then method.
	Operations []Operation
	// Schemas are the named types of every operation, keyed by name; the
	// operations' schemas refer to them with RefPrefix + name.
	Schemas map[string]*schema.Schema
}

// Version is one recorded API version.
type Version struct {
	ID         string
	Semver     string
	Deprecated *time.Time
	Sunset     *time.Time
}

// Kind is how an operation answers.
type Kind string

const (
	// JSON operations are typed handlers: a JSON response of a known
	// schema (or none).
	JSON Kind = "json"
	// Raw operations are raw handlers: the response is not described.
	Raw Kind = "raw"
	// SSE operations stream Server-Sent Events (text/event-stream).
	SSE Kind = "sse"
	// WebSocket operations upgrade the connection to a WebSocket.
	WebSocket Kind = "websocket"
)

// Operation is one route.
type Operation struct {
	// ID is unique in the API and a valid identifier in JavaScript and,
	// capitalized, in Go: the handler's name with its first letter
	// lowered ("listTasks" for ListTasks), else made of the method and
	// path ("getUsersById").
	ID     string
	Method string // "GET"
	Path   string // "/users/{id}", as in the route pattern
	Kind   Kind
	// Handler is the handler's name qualified by its package name
	// ("tasks.List"); empty when the route is known from a snapshot only.
	Handler string
	// Doc is the handler's doc comment; its first sentence summarizes
	// the operation. Empty when unknown.
	Doc string
	// Source is the route directive's position, "file:line" relative to
	// the app directory; empty when unknown.
	Source string
	// Middleware names the route's own middleware, in order.
	Middleware []string
	// Status is the success status (200, 201, 204…); 0 for raw,
	// SSE and WebSocket operations, whose status is not known.
	Status int
	// Params are the path, query, header and cookie parameters, path
	// parameters first in path order, then the rest as declared.
	Params []Param
	// Request is the JSON request body's schema; nil when there is none.
	Request *schema.Schema
	// Response is the JSON response body's schema; nil when the
	// operation answers without a body or the body is not described.
	Response *schema.Schema
}

// Param is one request parameter.
type Param struct {
	In       string // "path", "query", "header" or "cookie"
	Name     string
	Required bool
	Schema   *schema.Schema
}

// Idempotent reports whether the operation may be retried safely: GET,
// HEAD, OPTIONS, PUT and DELETE (RFC 9110 §9.2.2).
func (o *Operation) Idempotent() bool {
	switch o.Method {
	case "GET", "HEAD", "OPTIONS", "PUT", "DELETE":
		return true
	}
	return false
}

// PathParams returns the names of the path's {parameters}, in order.
func PathParams(path string) []string {
	var names []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return names
		}
		name := strings.TrimSuffix(path[i+1:i+j], "...")
		names = append(names, name)
		path = path[i+j+1:]
	}
}

// Resolve returns the schema s refers to, following one $ref into
// a.Schemas, or s itself.
func (a *API) Resolve(s *schema.Schema) *schema.Schema {
	if s == nil || s.Ref == "" {
		return s
	}
	if def := a.Schemas[strings.TrimPrefix(s.Ref, RefPrefix)]; def != nil {
		return def
	}
	return s
}

// SchemaNames returns the names of a.Schemas, sorted.
func (a *API) SchemaNames() []string {
	names := make([]string, 0, len(a.Schemas))
	for n := range a.Schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// UnsupportedError is a type a generator cannot express in its target
// language: where it occurs, and why.
type UnsupportedError struct {
	Operation string // "GET /users/{id}"
	Pointer   string // where in the operation: "/response/properties/ch"
	Reason    string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Operation, e.Pointer, e.Reason)
}
