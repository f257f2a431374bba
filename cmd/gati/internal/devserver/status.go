package devserver

import (
	"encoding/json"
	"net/http"
)

// StatusPath is served by the dev server itself: its state as JSON.
const StatusPath = "/_gati/dev/status"

// ErrorHeader marks every proxied response while the latest build is
// broken and an older one still serves.
const ErrorHeader = "X-Gati-Dev-Error"

// States of the dev server.
const (
	StateStarting    = "starting"     // the first build is running
	StateOK          = "ok"           // the latest build serves
	StateBuildFailed = "build_failed" // the latest build failed; see Error
	StateExited      = "exited"       // the app exited on its own; see Error
)

// Status is what StatusPath answers.
type Status struct {
	State string `json:"state"`
	// Error is the compiler's or analyzer's output, or why the app
	// stopped.
	Error string `json:"error"`
	// ChildPID is the process serving requests, 0 when none.
	ChildPID int `json:"child_pid"`
	// LastReloadMS is how long the last successful start or reload took.
	LastReloadMS int64 `json:"last_reload_ms"`
}

func serveStatus(w http.ResponseWriter, st *Status) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(st)
}
