// Package audit has net/http middleware.
package audit

import "net/http"

// Log is global HTTP middleware.
//
//gati:middleware global
func Log(next http.Handler) http.Handler { return next }

// Audit is per-route HTTP middleware.
//
//gati:middleware
func Audit(next http.Handler) http.Handler { return next }

// Unused is middleware no route uses: gati_gen.go must not import it.
//
//gati:middleware
func Unused(next http.Handler) http.Handler { return next }
