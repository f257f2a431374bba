package main

import (
	"net/http"

	"gati.dev/gati"
)

//gati:middleware everywhere
func Bogus(next gati.HandlerFunc) gati.HandlerFunc { return next }

//gati:middleware
func Broken(next http.HandlerFunc) http.HandlerFunc { return next }

//gati:middleware
func Dup(next http.Handler) http.Handler { return next }

//gati:route GET /uses-broken use=Broken
func UsesBroken(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:middleware global
func Everywhere(next gati.HandlerFunc) gati.HandlerFunc { return next }

//gati:route GET /uses-global use=Everywhere
func UsesGlobal(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
