// Package openapi writes the OpenAPI 3.1 document of one version of an
// app's API, as `gati generate` puts it in .gati/generated/openapi.json.
//
// The document is built from an [api.API] alone, so that it describes
// exactly what the TypeScript and Go clients generated from the same API
// call. Its schemas are the API's JSON Schema 2020-12 schemas, which
// OpenAPI 3.1 uses natively: the named types become components.schemas
// unchanged.
//
// # What it says
//
//   - Every operation has the handler's name as operationId, the first
//     sentence of its doc comment as summary and the rest as description,
//     its first path segment as tag, and where it comes from in
//     x-gati-handler, x-gati-source and x-gati-middleware.
//   - Parameters are path parameters in path order, then the query,
//     header and cookie parameters as declared, then X-API-Version when
//     the app has versions.
//   - The success response is the route's status with the JSON response
//     schema; a nullable (pointer) response also documents 204, which a
//     nil pointer writes. Server-Sent Events answer 200 text/event-stream,
//     WebSockets 101, and raw handlers 2XX with an undescribed body.
//   - Every error is an RFC 9457 problem document (application/problem+json,
//     the Problem component): 400, 404 when the path has parameters, 410
//     when the version has a sunset, 413 and 415 with a body, 422 for typed
//     handlers with a body or parameters, 500, 503 and default.
//   - A deprecated version's operations are deprecated, with the sunset in
//     x-gati-sunset, and its responses document the Deprecation, Sunset and
//     Link headers as always present.
//
// # Output
//
// [Document] writes JSON with a two-space indent and a trailing newline,
// members in a fixed order and maps sorted by key, without HTML escaping:
// the same API always gives the same bytes.
package openapi
