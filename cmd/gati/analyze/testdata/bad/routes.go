package main

import "gati.dev/gati"

//gati:rout GET /typo
func Typo(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route
func NoArgs(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route /no-method
func NoMethod(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET
func NoPath(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route get /lower
func Lower(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /a/{
func BadPattern(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /opts color=red status=99 name=bad-name use=Nope status=201 bare
func BadOptions(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /sig
func WrongSignature(res *gati.Response) error {
	return nil
}

//gati:route GET /unexported
func unexported(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

// T has a method with a directive.
type T struct{}

//gati:route GET /method
func (T) Method(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati:route GET /type
type NotAFunc struct{}

//gati:route GET /floating

func Floating(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	//gati:route GET /inside
	return nil
}

// gati:route GET /spaced
func Spaced(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//gati: route GET /spaced-after-colon
func SpacedAfterColon(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}

//  Gati:middlware
func Capitalized(next gati.HandlerFunc) gati.HandlerFunc { return next }

// gati: the framework's name in prose is not a directive.
func Prose(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	return nil
}
