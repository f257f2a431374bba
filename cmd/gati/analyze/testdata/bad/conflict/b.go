package conflict

import "gati.dev/gati"

//gati:route GET /users/{name}
func ByName(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
