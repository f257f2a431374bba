package openapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// operation describes op.
func (b *builder) operation(op *api.Operation) *operation {
	summary, description := splitDoc(op.Doc)
	if summary == "" {
		summary = op.Method + " " + pathKey(op.Path)
	}
	o := &operation{
		Tags:        tagsOf(op.Path),
		Summary:     summary,
		Description: description,
		OperationID: op.ID,
		Parameters:  b.parameters(op),
		Responses:   b.responses(op),
		Deprecated:  b.api.Deprecated != nil,
		Handler:     op.Handler,
		Source:      op.Source,
		Middleware:  op.Middleware,
		// A WebSocket starts as a GET answered 101 Switching Protocols;
		// OpenAPI has no way to describe the messages that follow, so
		// the extension tells tools (and the generated clients) to open
		// a WebSocket rather than send a request.
		WebSocket: op.Kind == api.WebSocket,
	}
	if op.Request != nil {
		o.RequestBody = &requestBody{Content: content("application/json", op.Request), Required: true}
	}
	if s := b.api.Sunset; s != nil {
		o.Sunset = s.UTC().Format(time.RFC3339)
	}
	return o
}

// tagsOf tags an operation with its path's first segment, unless that is
// a parameter: /tasks/{id} is under "tasks".
func tagsOf(path string) []string {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if first == "" || strings.HasPrefix(first, "{") {
		return nil
	}
	return []string{first}
}

// parameters returns op's parameters: the path's in path order, then the
// others as declared, then X-API-Version. A path parameter the API does
// not describe (a raw handler's) is a required string.
func (b *builder) parameters(op *api.Operation) []*parameter {
	var out []*parameter
	for _, name := range pathParams(op.Path) {
		p := &parameter{Name: name, In: "path", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}}
		for _, declared := range op.Params {
			if declared.In == "path" && declared.Name == name {
				p = parameterOf(declared)
			}
		}
		out = append(out, p)
	}
	hasVersion := false
	for _, p := range op.Params {
		if p.In == "path" {
			continue
		}
		out = append(out, parameterOf(p))
		hasVersion = hasVersion || p.In == "header" && strings.EqualFold(p.Name, versionHeader)
	}
	if versioned(b.api) && !hasVersion {
		out = append(out, &parameter{Ref: b.ref("parameters", versionParameter)})
	}
	return out
}

// parameterOf describes p, with its schema's description lifted to the
// parameter, where documentation tools show it.
func parameterOf(p api.Param) *parameter {
	out := &parameter{Name: p.Name, In: p.In, Required: p.Required || p.In == "path", Schema: p.Schema}
	switch {
	case p.Schema == nil:
		out.Schema = &schema.Schema{}
	case p.Schema.Description != "":
		s := *p.Schema
		out.Description, s.Description = s.Description, ""
		out.Schema = &s
	}
	return out
}

// pathParams returns the names of the pattern's parameters; the end
// anchor {$} is none.
func pathParams(pattern string) []string {
	var names []string
	for _, n := range api.PathParams(pattern) {
		if n != "$" {
			names = append(names, n)
		}
	}
	return names
}

// responses returns op's success response, by its kind, and its errors.
func (b *builder) responses(op *api.Operation) map[string]*response {
	rs := map[string]*response{}
	switch op.Kind {
	case api.JSON:
		b.typedResponses(op, rs)
	case api.SSE:
		rs["200"] = &response{
			Description: "OK: a stream of Server-Sent Events.",
			Headers:     b.successHeaders(),
			Content:     content("text/event-stream", &schema.Schema{Type: schema.Types{"string"}}),
		}
	case api.WebSocket:
		rs["101"] = &response{
			Description: "Switching Protocols: the connection becomes a WebSocket (RFC 6455); its messages are not described.",
			Headers:     b.successHeaders(),
		}
	default:
		// A raw handler writes what it likes: the range and */* say
		// that a success comes with a body of unknown type, or none.
		rs["2XX"] = &response{
			Description: "Raw handler: the response is not described.",
			Headers:     b.successHeaders(),
			Content:     map[string]*mediaType{"*/*": {}},
		}
	}
	b.errorResponses(op, rs)
	return rs
}

// typedResponses adds a typed handler's success: its status with the JSON
// response, and 204 when the response is a pointer, which is nil to write
// 204 No Content.
func (b *builder) typedResponses(op *api.Operation, rs map[string]*response) {
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	r := &response{Description: statusDescription(status), Headers: b.successHeaders()}
	body, nullable := nonNull(op.Response)
	if body != nil && status != http.StatusNoContent {
		r.Content = content("application/json", body)
	}
	rs[strconv.Itoa(status)] = r
	if nullable && status != http.StatusNoContent {
		rs["204"] = &response{Description: "No Content: the handler returned no value.", Headers: b.successHeaders()}
	}
}

func statusDescription(status int) string {
	if text := http.StatusText(status); text != "" {
		return text
	}
	return "Success"
}

// nonNull returns s without its null alternative, and whether it had
// one: a typed handler's nil pointer is written as 204, never as null.
func nonNull(s *schema.Schema) (*schema.Schema, bool) {
	switch {
	case s == nil:
		return nil, false
	case len(s.AnyOf) == 2 && isNull(s.AnyOf[1]):
		return s.AnyOf[0], true
	case len(s.Type) > 1 && s.Type.Has("null"):
		c := *s
		c.Type = nil
		for _, t := range s.Type {
			if t != "null" {
				c.Type = append(c.Type, t)
			}
		}
		return &c, true
	}
	return s, false
}

func isNull(s *schema.Schema) bool {
	return len(s.Type) == 1 && s.Type[0] == "null" && s.Ref == ""
}

func content(mediaTypeName string, s *schema.Schema) map[string]*mediaType {
	return map[string]*mediaType{mediaTypeName: {Schema: s}}
}
