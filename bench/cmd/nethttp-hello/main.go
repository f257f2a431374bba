// Command nethttp-hello is the baseline of scripts/bench-http: the hello
// endpoint written by hand with net/http, as a user would without a
// framework. It deliberately does nothing else per request (no request id,
// logging or metrics), so that the ratio against Gati shows the whole price
// of the framework. Its http.Server, like the peers', has the timeouts
// Gati's server has by default (see internal/server): server settings a
// careful net/http user sets too. Set BASELINE=plain for a zero-config
// ServeMux server.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"encoding/json"
	"net/http"

	"gati.dev/gati/bench/internal/server"
)

type helloOutput struct {
	Message string `json:"message"`
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	body, err := json.Marshal(helloOutput{Message: "Hello, " + name + "!"})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", hello)
	server.ListenAndServe(mux)
}
