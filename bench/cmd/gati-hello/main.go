// Command gati-hello is the hello endpoint in Gati, a copy of
// examples/hello-world: scripts/bench-http benchmarks that example when it
// exists and this command otherwise.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
//
// $GATI_ENV defaults to production, where the access log is off. It
// listens on $PORT (server.host in gati.yaml chooses the interface).
package main

import (
	"log"

	"gati.dev/gati"
)

// HelloInput is the request: the name comes from the query string.
type HelloInput struct {
	Name string `query:"name"`
}

// HelloOutput is the JSON response.
type HelloOutput struct {
	Message string `json:"message"`
}

func hello(_ *gati.Global, _ *gati.Local, in HelloInput) (HelloOutput, error) {
	name := in.Name
	if name == "" {
		name = "world"
	}
	return HelloOutput{Message: "Hello, " + name + "!"}, nil
}

func main() {
	app := gati.New()
	app.Handle("GET /hello", gati.Typed(hello))
	if err := app.Run(); err != nil {
		log.Fatal(err)
	}
}
