// Package router is the route table behind Gati's request pipeline: it maps
// (method, path pattern) pairs to values and finds the value for a request in
// a segment trie, without allocating.
//
// # Patterns
//
// Patterns use the path syntax of net/http.ServeMux (Go 1.22+), without
// hosts and without a method prefix (the method is a separate argument to
// [Table.Add]). A pattern starts with "/" and is split on "/" into segments:
//
//	/users/me         static segments match themselves exactly
//	/users/{id}       {name} matches one non-empty segment (never a "/")
//	/files/{path...}  {name...} matches the rest of the path, which may be
//	                  empty or contain "/"; it must be the last segment
//	/static/          a trailing "/" is an unnamed rest wildcard: it matches
//	                  "/static/" and "/static/anything/below", not "/static"
//	/                 hence "/" alone matches every path, as in ServeMux
//	/{$}              {$} ends the match after a trailing slash: "/{$}"
//	                  matches only "/", "/users/{$}" only "/users/"
//
// Wildcard names must be Go identifiers and unique within a pattern. A
// wildcard must be a whole segment ("/a{b}" is rejected), and a "}" outside a
// wildcard is rejected as a likely typo. Literal segments are not unescaped.
//
// Paths are matched as given (normally r.URL.Path): they are not cleaned,
// "/a//b" has an empty middle segment that only an empty pattern segment
// matches, and a trailing slash is significant ("/users" and "/users/" are
// different paths). Unlike ServeMux, the table never redirects: with only
// "/users/" registered, "/users" is NotFound; the caller may choose to
// redirect. Wildcard values are substrings of the path; they are not copied
// or unescaped.
//
// # Methods
//
// A route's method is an HTTP token such as "GET", or "" for a route that
// serves any method lacking a more specific route on the same pattern shape.
// For a given node of the trie the route is chosen in this order: the exact
// method, then the "" route, then, for HEAD only, the GET route. So an
// explicit HEAD route may sit beside GET and wins for HEAD. (ServeMux tries
// GET before the method-less pattern for HEAD; the two differ only when both
// exist for the same pattern shape.)
//
// # Precedence
//
// Lookup walks the path one segment at a time. At each segment a static
// child beats a {param} child, which beats a rest wildcard ({name...} or a
// trailing-slash prefix). If the preferred branch fails to produce a route
// for the request's method, the search backtracks and tries the next one. So
// "/users/me", "/users/{id}" and "/users/{id}/posts" coexist and every path
// finds the most specific pattern that serves its method: with
// "POST /users/me" and "GET /users/{id}", "GET /users/me" finds the latter.
// For route sets that ServeMux accepts this agrees with ServeMux's "most
// specific pattern wins" rule.
//
// Every trie node is visited at most once per Lookup, so backtracking never
// costs more than a walk of the matching part of the trie.
//
// If some pattern matches the path but none serves the method, Lookup
// reports [MethodNotAllowed] and [Table.Allowed] lists the methods that
// would be served; otherwise it reports [NotFound].
//
// # Conflicts
//
// Two routes conflict when they have the same method and their patterns
// have the same shape, that is, they are identical after erasing wildcard
// names ("/users/{id}" and "/users/{name}"; "/files/" and "/files/{p...}").
// The "" method conflicts only with another "" route. Add reports conflicts
// as [*ConflictError] and syntax errors as [*PatternError]; both carry the
// registration's source location.
package router
