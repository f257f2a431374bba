// Command tasks serves a task list API: typed CRUD routes over an
// in-memory store module, bearer-token protection on the routes that
// change the list, and change streams over WebSocket and Server-Sent
// Events.
package main

import (
	"gati.dev/gati"

	"example.com/tasks/store"
)

func main() {
	app := gati.New()
	app.Module(store.New())
	app.Module(&tokenAuth{})
	gatiRegister(app) // generated from //gati: directives into gati_gen.go
	app.Main()
}
