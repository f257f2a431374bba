// Package timescape resolves the API version a client asks for.
//
// Gati APIs never break old clients: a client sends
//
//	X-API-Version: 2025-03-15
//
// meaning "the API as it was that day", and gets that version's shapes. A
// [Set] holds an app's versions, validated once by [NewSet], and
// [Set.Resolve] maps each request's header value to a [Version] in well
// under a microsecond, without allocating.
//
// # Versions
//
// A version is named by the day it became current, "2025-06-01", or
// "2025-06-01.2" for a second version the same day. Each also has a
// semver ("2.0.0") that increases with its date, and may carry custom
// tags such as "stable" or "beta". "latest" always names the newest
// version, the head.
//
// # Values
//
// [Set.Resolve] accepts a date, an RFC 3339 time, a version ID, a semver
// prefix ("2", "v2.1", "2.1.3"), "latest" or a custom tag; an empty value
// means the default version, the head unless [DefaultVersion] says
// otherwise. A value that names no version yields a [*ResolveError] whose
// message tells the client what it may send.
package timescape
