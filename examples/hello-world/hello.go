package main

import "gati.dev/gati"

// HelloInput is the request of GET /hello.
type HelloInput struct {
	// Name is who to greet; "world" when empty.
	Name string `query:"name"`
}

// HelloOutput is the response of GET /hello.
type HelloOutput struct {
	Message string `json:"message"`
}

// Hello greets the caller by name.
//
//gati:route GET /hello
func Hello(gctx *gati.Global, lctx *gati.Local, in HelloInput) (HelloOutput, error) {
	name := in.Name
	if name == "" {
		name = "world"
	}
	return HelloOutput{Message: "Hello, " + name + "!"}, nil
}
