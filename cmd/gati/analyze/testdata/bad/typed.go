package main

import "gati.dev/gati"

// ItemIn has no field for {id}.
type ItemIn struct {
	Name string `query:"name"`
}

//gati:route GET /items/{id}
func Item(gctx *gati.Global, lctx *gati.Local, in ItemIn) (string, error) {
	return "", nil
}

// ThingIn has a path field the pattern lacks.
type ThingIn struct {
	ID    string `path:"id"`
	Extra string `path:"extra"`
}

//gati:route GET /things/{id}
func Thing(gctx *gati.Global, lctx *gati.Local, in ThingIn) (string, error) {
	return "", nil
}

//gati:route GET /named name=dup
func Named1(gctx *gati.Global, lctx *gati.Local, in struct{}) (string, error) {
	return "", nil
}

//gati:route GET /named2 name=dup
func Named2(gctx *gati.Global, lctx *gati.Local, in struct{}) (string, error) {
	return "", nil
}

//gati:route POST /typed-wrong
func TypedWrong(gctx *gati.Global, in struct{}) (string, error) {
	return "", nil
}

// BadTagIn has a bad tag value and a parameter with a bad tag.
type BadTagIn struct {
	Name  string `json:"name" maxLength:"x"`
	Limit int    `query:"limit" pattern:"^[0-9]+$"`
}

// BadOut has a field encoding/json cannot encode.
type BadOut struct {
	Done chan bool `json:"done"`
}

//gati:route POST /bad-schema
func BadSchema(gctx *gati.Global, lctx *gati.Local, in BadTagIn) (BadOut, error) {
	return BadOut{}, nil
}
