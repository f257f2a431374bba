// Package hostile has no code of its own: it is the hostile-client suite.
// Its tests build real binaries (examples/hello-world, examples/tasks and
// testdata/misbehaving, an app whose routes misbehave on purpose), run
// each as a child process on a free loopback port with short timeouts
// from a gati.yaml in a temporary working directory, and talk to it over
// raw TCP connections, the way slow, broken or malicious clients do:
// headers one byte at a time, bodies that trickle, responses never read,
// Content-Length beside Transfer-Encoding, malformed queries and bodies.
// Each probe logs the status it got and how long the server took to close
// the connection, and asserts a bound on it.
//
// # Running
//
//	go test -race -v ./hostile
//
// The suite needs the go command (to build the binaries) and a Unix
// (SIGTERM). Under -short it is skipped, unless $CI is set: in CI a
// missing prerequisite fails the suite instead of skipping it.
//
// # Shutdown under load
//
// TestSIGTERMUnderLoadLosesNothing runs hello-world as in production in
// Kubernetes (a 5s drain delay) under 32 keep-alive connections, sends
// SIGTERM mid-run and asserts that no request written on an established
// connection goes unanswered. scripts/bench-drain does the same with wrk.
package hostile
