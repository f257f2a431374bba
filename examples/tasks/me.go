package main

import (
	"net/http"

	"gati.dev/gati"
)

// MeInput is the (empty) request of GET /me.
type MeInput struct{}

// Me answers who the request's access token speaks for.
//
//gati:route GET /me use=RequireJWT
func Me(_ *gati.Global, lctx *gati.Local, _ MeInput) (Identity, error) {
	id, ok := identityKey.Get(lctx)
	if !ok {
		return Identity{}, gati.NewError(http.StatusInternalServerError, "no_identity", "GET /me runs without RequireJWT")
	}
	return *id, nil
}
