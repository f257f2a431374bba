// Package manifest defines .gati/manifest.json, the description of an app
// that the analyzer writes and every other tool reads: its routes,
// middleware and modules, with source positions and request and response
// types.
//
// The file is deterministic: no timestamps, lists in a fixed order, so it
// changes only when the app does. Its format is versioned by
// SchemaVersion; Read rejects files written by a newer format.
package manifest

import "gati.dev/gati/schema"

// SchemaVersion is the format version this package reads and writes.
const SchemaVersion = 1

// Manifest describes one app.
type Manifest struct {
	SchemaVersion int `json:"schema_version"`
	// Module is the app's module path, from its go.mod.
	Module string `json:"module"`
	// MainDir is the directory of the main package, relative to the app
	// directory, slash-separated: "." when it is the module root.
	MainDir string `json:"main_dir"`
	// GoVersion is the go directive of the app's go.mod.
	GoVersion string `json:"go_version"`
	// Packages lists the app packages that declare routes, middleware,
	// modules or enums, sorted by path.
	Packages []Package `json:"packages"`
	// Routes are sorted by path, then method.
	Routes []Route `json:"routes"`
	// Middleware is sorted by declaration: package path, file, line. That
	// is the order in which global middleware is registered.
	Middleware []Middleware `json:"middleware"`
	// Modules are sorted by package path, then type name.
	Modules []Module `json:"modules"`
	// Enums are the enum types the typed routes' request and response
	// types use, sorted by package path, then name; omitted when there
	// are none.
	Enums []Enum `json:"enums,omitempty"`
}

// Package is one Go package of the app.
type Package struct {
	Path string `json:"path"` // import path
	Name string `json:"name"` // package clause name
	Dir  string `json:"dir"`  // relative to the app directory, slash-separated
}

// HandlerKind tells the two handler forms apart.
type HandlerKind string

const (
	// Raw handlers are gati.HandlerFunc: func(*Request, *Response, *Global, *Local) error.
	Raw HandlerKind = "raw"
	// Typed handlers are func(*Global, *Local, In) (Out, error), wrapped by gati.Typed.
	Typed HandlerKind = "typed"
)

// Route is one //gati:route directive.
type Route struct {
	Method  string  `json:"method"`
	Path    string  `json:"path"`
	Pattern string  `json:"pattern"` // "METHOD /path", as given to App.Handle
	Handler Handler `json:"handler"`
	// File is relative to the app directory, slash-separated; Line is the
	// directive's line.
	File string `json:"file"`
	Line int    `json:"line"`
	// Status is the success status set with status=; 0 means the default.
	Status int    `json:"status,omitempty"`
	Name   string `json:"name,omitempty"`
	// Doc is the handler's doc comment, without directives.
	Doc string `json:"doc,omitempty"`
	// Middleware names the route's own middleware (use=), in order.
	Middleware []string `json:"middleware,omitempty"`
	// Until is set on an older implementation (until=2025-06-01): it
	// serves the API versions before that one (gati.Until).
	Until string `json:"until,omitempty"`
	// Timeout, ReadTimeout and WriteTimeout are the route's timeouts set
	// with timeout=, read_timeout= and write_timeout= (Go durations,
	// "2m0s"; negative turns one off); empty means the server's.
	Timeout      string `json:"timeout,omitempty"`
	ReadTimeout  string `json:"read_timeout,omitempty"`
	WriteTimeout string `json:"write_timeout,omitempty"`
	// Request and Response are the In and Out types of a typed handler.
	Request  *TypeRef `json:"request,omitempty"`
	Response *TypeRef `json:"response,omitempty"`
}

// Handler identifies a route's handler function.
type Handler struct {
	Package string      `json:"package"` // import path
	Func    string      `json:"func"`
	Kind    HandlerKind `json:"kind"`
	// Stream is set on a raw handler that answers with a stream the
	// analyzer recognizes in its body: Response.SSE or ws.Handler.
	Stream StreamKind `json:"stream,omitempty"`
}

// StreamKind names the streaming protocols of raw handlers.
type StreamKind string

const (
	// StreamSSE handlers call Response.SSE: Server-Sent Events.
	StreamSSE StreamKind = "sse"
	// StreamWebSocket handlers call ws.Handler: a WebSocket.
	StreamWebSocket StreamKind = "websocket"
)

// MiddlewareKind tells the two middleware forms apart.
type MiddlewareKind string

const (
	// Native middleware is gati.Middleware: func(gati.HandlerFunc) gati.HandlerFunc.
	Native MiddlewareKind = "native"
	// HTTP middleware is func(http.Handler) http.Handler.
	HTTP MiddlewareKind = "http"
)

// Middleware is one //gati:middleware directive.
type Middleware struct {
	// Name is the func name, unique within the app; routes refer to it
	// with use=.
	Name    string         `json:"name"`
	Kind    MiddlewareKind `json:"kind"`
	Global  bool           `json:"global"`
	Package string         `json:"package"`
	Func    string         `json:"func"`
	File    string         `json:"file"`
	Line    int            `json:"line"`
}

// Module is a named type of the app that implements gati.Module. Modules
// are registered by the app's main; the manifest only records them.
type Module struct {
	Package string `json:"package"`
	Type    string `json:"type"`
	// Pointer is true when only *Type implements gati.Module.
	Pointer bool   `json:"pointer"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	// Implements lists the optional interfaces *Type implements, sorted:
	// "HealthChecker", "Initializer", "Shutdowner".
	Implements []string `json:"implements"`
}

// Enum is a named string or integer type of the app whose package
// declares constants of the type: the schemas list their values, and the
// generated code registers them with schema.RegisterEnum.
type Enum struct {
	Package string `json:"package"` // import path
	Name    string `json:"name"`
	// Values are the constants' values in declaration order: strings or
	// integers.
	Values []any `json:"values"`
	// Consts names the constants, parallel to Values.
	Consts []string `json:"consts"`
	// File and Line locate the type's declaration; File is relative to
	// the app directory, slash-separated.
	File string `json:"file"`
	Line int    `json:"line"`
}

// TypeRef describes a typed handler's request or response type.
type TypeRef struct {
	// Package and Name identify a named type; both are empty for an
	// unnamed type such as struct{}.
	Package string `json:"package,omitempty"`
	Name    string `json:"name,omitempty"`
	// Type is the Go type as written in the handler, qualified by
	// package name: "users.User", "*users.User", "[]string".
	Type string `json:"type"`
	// Pointer is true when Type is a pointer to the named type.
	Pointer bool `json:"pointer,omitempty"`
	// Fields lists a struct type's fields as the wire sees them, in
	// declaration order, embedded structs flattened.
	Fields []Field `json:"fields,omitempty"`
	// Schema is the JSON Schema of Type, computed statically; it equals
	// what schema.For returns for the type at run time. For a request it
	// describes the body: fields bound to parameters are not in it.
	Schema *schema.Schema `json:"schema,omitempty"`
	// Params are a request's path, query, header and cookie parameters,
	// as schema.Params lists them.
	Params []schema.Param `json:"params,omitempty"`
}

// Source says where a request field comes from.
type Source string

const (
	SourceBody   Source = "body"
	SourcePath   Source = "path"
	SourceQuery  Source = "query"
	SourceHeader Source = "header"
	SourceCookie Source = "cookie"
)

// Field is one struct field of a TypeRef.
type Field struct {
	Name string `json:"name"` // Go name
	Type string `json:"type"` // Go type, qualified by package name
	// JSON is the field's name in a JSON body (Source body).
	JSON      string `json:"json,omitempty"`
	OmitEmpty bool   `json:"omitempty,omitempty"`
	Source    Source `json:"source"`
	// Param is the parameter name for path, query, header and cookie fields.
	Param string `json:"param,omitempty"`
}
