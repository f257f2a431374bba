// Package diff finds what changed between two API versions and whether the
// change breaks existing clients.
//
// [Compare] takes two [timescape.Snapshot]s, matches their routes by method
// and path, and walks the parameters, request and response schemas
// side by side: through properties, items, additionalProperties and anyOf,
// following $refs into each side's own root $defs. Named types are
// compared by structure, not by name, so renaming a Go type changes
// nothing; a recursive type is compared once per path. Keywords written
// beside a $ref (a field's description) apply to the referenced schema,
// and a nullable $ref (anyOf with {"type": "null"}) is that schema plus
// null.
//
// Every difference is a [Change] found by one rule, whose severity depends
// on the direction of the data. A request is what clients send: accepting
// less (a new required field, a lower maxLength) breaks them, accepting
// more is a new feature. A response is what clients read: sending more
// (null, a new enum value, a longer string) or less (a removed field)
// breaks them, while a stricter response is invisible to them.
//
// The [Report] has the changes, the highest severity and the semver the new
// version should take: the old one with its major, minor or patch number
// incremented. [Report.Fails] gates CI; [Report.Format] writes text, JSON
// or a Markdown table.
//
// # Pointers
//
// [Change.Pointer] is a JSON pointer into the route: "/request" and
// "/response" are the bodies' schemas, "/params/query/limit" a
// parameter's. Below them it follows the schema keywords with $refs
// resolved ("/response/properties/user/properties/name",
// "/request/properties/tags/items"). Changes to a field's presence, type or
// nullability point at the field; changes to one keyword point at the
// keyword ("/request/properties/name/maxLength").
//
// # Rules
//
// Rule IDs are stable. B is breaking, m minor, p patch.
//
//	| Rule                          | Sev | Example (old → new)                                  |
//	|-------------------------------|-----|------------------------------------------------------|
//	| route-removed                 | B   | DELETE /users/{id} is gone                           |
//	| success-status-changed        | B   | POST /users returns 201, was 200                     |
//	| content-type-changed          | B   | application/json → application/x-ndjson             |
//	| request-body-added            | B   | a route without a body now takes one                 |
//	| request-body-removed          | B   | a route no longer reads its body                     |
//	| response-body-removed         | B   | a route now answers without a body                   |
//	| request-param-added-required  | B   | new required query parameter "org"                   |
//	| request-param-removed         | B   | query parameter "sort" is gone (silently ignored)    |
//	| request-param-became-required | B   | query parameter "limit" must now be sent             |
//	| request-required-field-added  | B   | request gains required "first_name"                  |
//	| request-field-removed         | B   | request field "name" is gone (silently ignored)      |
//	| request-field-became-required | B   | request field "email" was optional                   |
//	| response-field-removed        | B   | response field "name" is gone                        |
//	| response-field-became-optional| B   | response field "email" may be absent                 |
//	| type-changed                  | B   | "age": string → integer                              |
//	| request-nullable-removed      | B   | request "nickname": string|null → string             |
//	| response-nullable-added       | B   | response "email": string → string|null               |
//	| request-enum-value-removed    | B   | request "role" no longer accepts "guest"             |
//	| response-enum-value-added     | B   | response "status" may now be "archived"              |
//	| request-constraint-tightened  | B   | maxLength 200 → 100, minLength/minimum/minItems up,  |
//	|                               |     | maximum/maxItems down, pattern or format added or    |
//	|                               |     | changed, an enum introduced                          |
//	| response-constraint-loosened  | B   | maxLength 100 → 200 or removed, pattern changed,     |
//	|                               |     | format removed, enum dropped                         |
//	| request-default-changed       | B   | request "limit" default 20 → 50                      |
//	| route-added                   | m   | GET /teams is new                                    |
//	| response-body-added           | m   | a route that answered 204 now returns a body         |
//	| request-param-added-optional  | m   | new optional query parameter "cursor"                |
//	| request-param-became-optional | m   | query parameter "org" may now be omitted             |
//	| request-optional-field-added  | m   | request gains optional "nickname"                    |
//	| request-field-became-optional | m   | request field "phone" may now be omitted             |
//	| response-field-added          | m   | response gains "created_at"                          |
//	| request-type-widened          | m   | request "price": integer → number                    |
//	| request-nullable-added        | m   | request "nickname": string → string|null             |
//	| request-enum-value-added      | m   | request "role" also accepts "owner"                  |
//	| request-constraint-loosened   | m   | request maxLength 100 → 200, pattern removed         |
//	| field-deprecated              | m   | deprecated: true was added                           |
//	| response-field-became-required| p   | response "email" is now always present               |
//	| response-type-narrowed        | p   | response "score": number → integer                   |
//	| response-nullable-removed     | p   | response "email": string|null → string               |
//	| response-enum-value-removed   | p   | response "status" is never "pending" any more        |
//	| response-constraint-tightened | p   | response maxLength 200 → 100, enum introduced        |
//	| default-changed               | p   | a response default changed, or a default was added   |
//	|                               |     | to or removed from a request field                   |
//	| field-undeprecated            | p   | deprecated: true was removed                         |
//	| description-changed           | p   | doc:"..." text edited                                |
//	| example-changed               | p   | example:"..." values edited                          |
//
// A field renamed or split ("name" into "first_name" and "last_name") is a
// removal plus additions: response-field-removed and response-field-added,
// or request-field-removed and request-required-field-added.
//
// Changing a pattern or a format is reported as tightened in requests and
// loosened in responses, since the two sets of valid values cannot be
// compared. A type change stops the walk below the field; the types are
// compared as sets, where integer is within number and a missing type
// means any value.
package diff
