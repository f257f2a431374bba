// Package sub declares middleware whose name is taken in package main.
package sub

import "net/http"

//gati:middleware
func Dup(next http.Handler) http.Handler { return next }
