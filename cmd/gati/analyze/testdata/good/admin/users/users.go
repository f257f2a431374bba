// Package users has the same name as example.com/fixture/users, so the
// generated code must alias one of them.
package users

import "gati.dev/gati"

// Delete removes a user.
//
//gati:route DELETE /admin/users/{id}
func Delete(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return res.NoContent()
}
