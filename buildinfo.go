package gati

// Set at link time by `gati build` with
// -X gati.dev/gati.buildVersion=... -X gati.dev/gati.buildCommit=...,
// so every app reports its version without declaring variables itself.
var (
	buildVersion = "dev"
	buildCommit  = "unknown"
)

// BuildVersion returns the app's version as stamped by `gati build`
// ("dev" for other builds).
func BuildVersion() string { return buildVersion }

// BuildCommit returns the commit the app was built from, as stamped by
// `gati build` ("unknown" for other builds).
func BuildCommit() string { return buildCommit }
