// Package conflict has two routes that match the same paths.
package conflict

import "gati.dev/gati"

//gati:route GET /users/{id}
func ByID(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
