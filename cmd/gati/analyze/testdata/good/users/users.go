// Package users serves the user API with typed handlers.
package users

import (
	"time"

	"gati.dev/gati"

	"example.com/fixture/store"
)

// Meta is embedded in User; its fields are promoted into the JSON object.
type Meta struct {
	Created time.Time `json:"created"`
}

// User is a user.
type User struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Email string     `json:"email,omitempty"`
	Plan  store.Plan `json:"plan" doc:"The user's plan."`
	Meta
	password string
}

// CreateIn is the request to create a user.
type CreateIn struct {
	Trace  string `header:"X-Trace"`
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
	Secret string `json:"-"`
	Note   string
}

// Create creates a user.
//
//gati:route POST /users status=201 name=createUser use=Auth,Audit
func Create(gctx *gati.Global, lctx *gati.Local, in CreateIn) (*User, error) {
	return &User{ID: "1", Name: in.Name, Email: in.Email}, nil
}

// GetIn selects a user.
type GetIn struct {
	ID string `path:"id"`
}

// Get returns a user.
//
//gati:route GET /users/{id}
//gati:route HEAD /users/{id}
func Get(gctx *gati.Global, lctx *gati.Local, in GetIn) (User, error) {
	return User{ID: in.ID}, nil
}

// ListIn pages through users.
type ListIn struct {
	Limit int      `query:"limit"`
	Tags  []string `query:"tag"`
	Auth  string   `cookie:"session"`
}

// List lists users.
//
//gati:route GET /users use=Auth
func List(gctx *gati.Global, lctx *gati.Local, in ListIn) ([]User, error) {
	return nil, nil
}

// Auth checks credentials.
//
//gati:middleware
func Auth(next gati.HandlerFunc) gati.HandlerFunc {
	return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
		return next(req, res, gctx, lctx)
	}
}

// FileIn names a file.
type FileIn struct {
	Path string `path:"path"`
}

// File serves a file under /files/.
//
//gati:route GET /files/{path...}
func File(gctx *gati.Global, lctx *gati.Local, in FileIn) (*struct{}, error) {
	return nil, nil
}
