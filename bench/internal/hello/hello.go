// Package hello is what every peer server of scripts/bench-http and the
// in-process benchmarks answer, so that they all do the same work:
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}
package hello

// Output is the JSON response.
type Output struct {
	Message string `json:"message"`
}

// Greeting is the response for name, or for "world" when name is empty.
func Greeting(name string) Output {
	if name == "" {
		name = "world"
	}
	return Output{Message: "Hello, " + name + "!"}
}
