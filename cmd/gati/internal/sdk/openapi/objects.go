package openapi

import "gati.dev/gati/schema"

// The OpenAPI 3.1 objects the document is made of. Struct fields are in
// the order the specification lists them (vendor extensions last), so
// that encoding/json writes every object's members in a fixed order; maps
// are written sorted by key.

type document struct {
	OpenAPI    string               `json:"openapi"`
	Generated  string               `json:"x-gati-generated"`
	Info       info                 `json:"info"`
	Servers    []server             `json:"servers"`
	Tags       []tag                `json:"tags,omitempty"`
	Paths      map[string]*pathItem `json:"paths"`
	Components components           `json:"components"`
}

type info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

type server struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

type tag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// pathItem holds a path's operations, reads first, then writes from
// creation to deletion (the order Redocly's path-http-verbs-order checks).
type pathItem struct {
	Get     *operation `json:"get,omitempty"`
	Head    *operation `json:"head,omitempty"`
	Post    *operation `json:"post,omitempty"`
	Put     *operation `json:"put,omitempty"`
	Patch   *operation `json:"patch,omitempty"`
	Delete  *operation `json:"delete,omitempty"`
	Options *operation `json:"options,omitempty"`
	Trace   *operation `json:"trace,omitempty"`
}

// slot returns where the operation of method goes; nil for a method
// OpenAPI 3.1 cannot describe.
func (p *pathItem) slot(method string) **operation {
	switch method {
	case "GET":
		return &p.Get
	case "PUT":
		return &p.Put
	case "POST":
		return &p.Post
	case "DELETE":
		return &p.Delete
	case "OPTIONS":
		return &p.Options
	case "HEAD":
		return &p.Head
	case "PATCH":
		return &p.Patch
	case "TRACE":
		return &p.Trace
	}
	return nil
}

type operation struct {
	Tags        []string             `json:"tags,omitempty"`
	Summary     string               `json:"summary"`
	Description string               `json:"description,omitempty"`
	OperationID string               `json:"operationId"`
	Parameters  []*parameter         `json:"parameters,omitempty"`
	RequestBody *requestBody         `json:"requestBody,omitempty"`
	Responses   map[string]*response `json:"responses"`
	Deprecated  bool                 `json:"deprecated,omitempty"`

	Sunset     string   `json:"x-gati-sunset,omitempty"`
	WebSocket  bool     `json:"x-gati-websocket,omitempty"`
	Handler    string   `json:"x-gati-handler,omitempty"`
	Source     string   `json:"x-gati-source,omitempty"`
	Middleware []string `json:"x-gati-middleware,omitempty"`
}

// parameter is a Parameter Object, or a reference to one when Ref is set.
type parameter struct {
	Ref         string         `json:"$ref,omitempty"`
	Name        string         `json:"name,omitempty"`
	In          string         `json:"in,omitempty"`
	Description string         `json:"description,omitempty"`
	Required    bool           `json:"required,omitempty"`
	Schema      *schema.Schema `json:"schema,omitempty"`
}

type requestBody struct {
	Content  map[string]*mediaType `json:"content"`
	Required bool                  `json:"required"`
}

// response is a Response Object, or a reference to one when Ref is set.
type response struct {
	Ref         string                `json:"$ref,omitempty"`
	Description string                `json:"description,omitempty"`
	Headers     map[string]*header    `json:"headers,omitempty"`
	Content     map[string]*mediaType `json:"content,omitempty"`
}

// header is a Header Object, or a reference to one when Ref is set.
type header struct {
	Ref         string         `json:"$ref,omitempty"`
	Description string         `json:"description,omitempty"`
	Required    bool           `json:"required,omitempty"`
	Schema      *schema.Schema `json:"schema,omitempty"`
}

type mediaType struct {
	Schema *schema.Schema `json:"schema,omitempty"`
}

type components struct {
	Schemas    map[string]*schema.Schema `json:"schemas"`
	Responses  map[string]*response      `json:"responses,omitempty"`
	Parameters map[string]*parameter     `json:"parameters,omitempty"`
	Headers    map[string]*header        `json:"headers,omitempty"`
}
