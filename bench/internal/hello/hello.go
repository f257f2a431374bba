// Package hello is what every peer server of scripts/bench-http and the
// in-process benchmarks answer, so that they all do the same work:
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
package hello

import (
	"encoding/json"
	"net/http"
)

// Output is the JSON response.
type Output struct {
	Message string `json:"message"`
}

// Greeting is the response for name, or for "world" when name is empty.
func Greeting(name string) Output {
	if name == "" {
		name = "world"
	}
	return Output{Message: "Hello, " + name + "!"}
}

// Serve answers GET /hello for routers that take net/http handlers (chi),
// encoding with encoding/json as a hand-written handler does.
func Serve(w http.ResponseWriter, r *http.Request) {
	body, err := json.Marshal(Greeting(r.URL.Query().Get("name")))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}
