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
	srv := &http.Server{Addr: addr(), Handler: h,
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second, WriteTimeout: 60 * time.Second}
	if os.Getenv("BASELINE") == "plain" {
		srv = &http.Server{Addr: addr(), Handler: h}
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
