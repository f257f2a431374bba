package main

import "gati.dev/gati"

// Tests are not analyzed: this directive is ignored.
//
//gati:route GET /from-test
func FromTest(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
