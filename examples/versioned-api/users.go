package main

import (
	"net/http"

	"gati.dev/gati"
)

// User is a user as the newest API version shows it. Version 2025-06-01
// split the full name into first and last name; changes.go translates for
// clients of 2025-01-01.
type User struct {
	ID        string `json:"id"`
	FirstName string `json:"first_name" doc:"The user's first name."`
	LastName  string `json:"last_name" doc:"The user's last name."`
}

// CreateUser is the body of POST /users.
type CreateUser struct {
	FirstName string `json:"first_name" minLength:"1" maxLength:"100"`
	LastName  string `json:"last_name" maxLength:"100"`
}

// GetUserInput names the user to read.
type GetUserInput struct {
	ID string `path:"id"`
}

// CreateUserHandler adds a user.
//
//gati:route POST /users status=201
func CreateUserHandler(gctx *gati.Global, lctx *gati.Local, in CreateUser) (User, error) {
	return gati.ModuleOf[*Store](gctx).Add(User{FirstName: in.FirstName, LastName: in.LastName}), nil
}

// GetUser reads a user.
//
//gati:route GET /users/{id}
func GetUser(gctx *gati.Global, lctx *gati.Local, in GetUserInput) (User, error) {
	u, ok := gati.ModuleOf[*Store](gctx).Get(in.ID)
	if !ok {
		return User{}, gati.NewError(http.StatusNotFound, "user_not_found", "no user has id "+in.ID)
	}
	return u, nil
}
