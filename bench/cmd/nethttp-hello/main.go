// Command nethttp-hello is the baseline of scripts/bench-http: the hello
// endpoint written by hand with net/http, as a user would without a
// framework. It deliberately does nothing else per request (no request id,
// logging or metrics), so that the ratio against Gati shows the whole price
// of the framework. Its http.Server has the timeouts Gati's server has by
// default (ReadHeaderTimeout 10s against slow-header attacks, IdleTimeout
// 120s against idle-connection exhaustion): they are server settings a
// careful net/http user sets too, and each costs timer updates per request,
// so leaving them out of one side would measure configuration, not the
// framework. Set BASELINE=plain for a zero-config ServeMux server.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// It listens on $HOST:$PORT (port 8080 by default).
package main

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"os"
	"time"
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
	srv := &http.Server{Addr: addr(), Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	if os.Getenv("BASELINE") == "plain" {
		srv = &http.Server{Addr: addr(), Handler: mux}
	}
	log.Fatal(srv.ListenAndServe())
}

func addr() string {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	return net.JoinHostPort(os.Getenv("HOST"), port)
}
