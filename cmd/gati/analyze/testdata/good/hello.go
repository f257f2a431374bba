package main

import "gati.dev/gati"

// Hello greets.
//
//gati:route GET /hello name=hello
func Hello(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return res.JSON(200, map[string]string{"hello": "world"})
}

// Timing is global native middleware declared in package main.
//
//gati:middleware global
func Timing(next gati.HandlerFunc) gati.HandlerFunc {
	return next
}
