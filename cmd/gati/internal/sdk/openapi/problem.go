package openapi

import (
	"fmt"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// The problem document, as the gati package writes it (problem.go there;
// a test holds the two together).
const (
	problemContentType = "application/problem+json"
	problemTypeBase    = "https://gati.dev/problems/"
)

// problemNames are the component names of the problem document's schemas.
type problemNames struct {
	problem, fieldError string
}

// problemNamesFor names the problem document's schemas Problem and
// ProblemFieldError, or GatiProblem and GatiProblemFieldError when the
// app has a type of either name: an app's types keep their names, which
// its code and its clients use. When both pairs are taken, it is an error
// rather than a third, surprising name.
func problemNamesFor(schemas map[string]*schema.Schema) (problemNames, error) {
	candidates := []problemNames{{"Problem", "ProblemFieldError"}, {"GatiProblem", "GatiProblemFieldError"}}
	for _, n := range candidates {
		_, p := schemas[n.problem]
		_, f := schemas[n.fieldError]
		if !p && !f {
			return n, nil
		}
	}
	return problemNames{}, fmt.Errorf("openapi: the app's types take the schema names Problem or ProblemFieldError, and GatiProblem or GatiProblemFieldError, " +
		"one pair of which the error responses' problem document needs: rename one of those types")
}

// problemSchema is the RFC 9457 problem document of every error response.
func problemSchema(names problemNames) *schema.Schema {
	str := func(description string) *schema.Schema {
		return &schema.Schema{Type: schema.Types{"string"}, Description: description}
	}
	status := &schema.Schema{Type: schema.Types{"integer"}, Description: "The HTTP status code.", Minimum: ptr(400.0), Maximum: ptr(599.0)}
	typ := str("A URI naming the kind of problem: " + problemTypeBase + " followed by the code.")
	typ.Format = "uri"
	return &schema.Schema{
		Type:        schema.Types{"object"},
		Description: "An RFC 9457 problem document: the body of every error response (" + problemContentType + ").",
		Properties: map[string]*schema.Schema{
			"type":       typ,
			"title":      str("The status's reason phrase (\"Not Found\")."),
			"status":     status,
			"detail":     str("What went wrong this time, for humans."),
			"instance":   str("The request's path."),
			"code":       str("A stable, machine-readable name of the problem (\"not_found\", \"validation_failed\")."),
			"request_id": str("The request's id, as in the X-Request-Id response header and the server's logs."),
			"errors": {
				Type:        schema.Types{"array"},
				Description: "The fields of the request that are wrong, when the problem is about some.",
				Items:       &schema.Schema{Ref: api.RefPrefix + names.fieldError},
			},
		},
		Required: []string{"code", "status", "title", "type"},
	}
}

// fieldErrorSchema is one wrong field of a problem document.
func fieldErrorSchema() *schema.Schema {
	return &schema.Schema{
		Type:        schema.Types{"object"},
		Description: "One wrong field of the request.",
		Properties: map[string]*schema.Schema{
			"pointer": {Type: schema.Types{"string"}, Description: "An RFC 6901 JSON pointer to the field: into the body (\"/title\"), " +
				"or /path/name, /query/name or /header/Name for a parameter."},
			"detail": {Type: schema.Types{"string"}, Description: "What is wrong with it."},
		},
		Required: []string{"detail", "pointer"},
	}
}

// problemResponses are the error responses operations refer to, by
// component name.
func (b *builder) problemResponses() map[string]*response {
	badRequest := "Bad Request: a parameter or the body cannot be read (codes invalid_parameter, malformed_json)."
	if versioned(b.api) {
		badRequest = "Bad Request: a parameter or the body cannot be read (codes invalid_parameter, malformed_json), " +
			"or X-API-Version names no version (invalid_api_version)."
	}
	descriptions := map[string]string{
		"BadRequest":           badRequest,
		"NotFound":             "Not Found: nothing matches the path; the code says what (not_found when no route does).",
		"Gone":                 "Gone: the API version the request names is past its sunset (code version_sunset).",
		"ContentTooLarge":      "Content Too Large: the body exceeds the server's limit (code body_too_large).",
		"UnsupportedMediaType": "Unsupported Media Type: the body is not JSON (code unsupported_media_type).",
		"ValidationFailed": "Unprocessable Content: the request breaks its schema or the handler's rules " +
			"(code validation_failed, or the handler's own); errors lists each wrong field by JSON pointer.",
		"InternalServerError": "Internal Server Error: the handler failed; outside development mode the detail is withheld.",
		"ServiceUnavailable":  "Service Unavailable: the request outlasted its timeout (code timeout), or the server is not ready.",
		"Error":               "Any other error: the status and the code say what.",
	}
	rs := make(map[string]*response, len(descriptions))
	for name, d := range descriptions {
		rs[name] = &response{
			Description: d,
			Headers:     map[string]*header{requestIDHeader: {Ref: "#/components/headers/" + requestIDHeader}},
			Content:     content(problemContentType, &schema.Schema{Ref: api.RefPrefix + b.problem.problem}),
		}
	}
	return rs
}

// errorResponses adds the problems op may answer with, by status:
// always 400, 500, 503 and default; 404 when the path has parameters;
// 410 when the version has a sunset; 413 and 415 with a request body;
// 422 for a typed handler that binds a body or parameters.
func (b *builder) errorResponses(op *api.Operation, rs map[string]*response) {
	add := func(status, name string) {
		rs[status] = &response{Ref: b.ref("responses", name)}
		b.ref("headers", requestIDHeader) // which every problem response carries
	}
	add("400", "BadRequest")
	if len(pathParams(op.Path)) > 0 {
		add("404", "NotFound")
	}
	if b.api.Sunset != nil {
		add("410", "Gone")
	}
	if op.Request != nil {
		add("413", "ContentTooLarge")
		add("415", "UnsupportedMediaType")
	}
	if op.Kind == api.JSON && (op.Request != nil || len(op.Params) > 0) {
		add("422", "ValidationFailed")
	}
	add("500", "InternalServerError")
	add("503", "ServiceUnavailable")
	add("default", "Error")
}

func ptr[T any](v T) *T { return &v }
