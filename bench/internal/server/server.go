// Package server gives every net/http-based server of scripts/bench-http
// the same settings: the timeouts Gati's server has by default
// (ReadHeaderTimeout 10s against slow headers, IdleTimeout 120s against
// idle connections, WriteTimeout 60s = request_timeout 30s + write_timeout
// 30s against slow readers). Each costs timer updates per request, so
// leaving them out of one side would measure configuration, not the
// framework. BASELINE=plain gives a zero-config server instead.
package server

import (
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

// ListenAndServe serves h on $HOST:$PORT (port 8080 by default).
func ListenAndServe(h http.Handler) {
	srv := New(h)
	if os.Getenv("BASELINE") == "plain" {
		srv = &http.Server{Handler: h}
	}
	srv.Addr = addr()
	log.Fatal(srv.ListenAndServe())
}

// New returns a server for h with the timeouts every bench server has.
func New(h http.Handler) *http.Server {
	return &http.Server{Handler: h,
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second, WriteTimeout: 60 * time.Second}
}

func addr() string {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	return net.JoinHostPort(os.Getenv("HOST"), port)
}
