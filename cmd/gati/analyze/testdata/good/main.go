package main

import (
	"example.com/fixture/store"
	"gati.dev/gati"
)

var version, commit = "dev", "unknown"

func main() {
	app := gati.New()
	app.Module(&store.Store{})
	app.Module(store.Cache{})
	gatiRegister(app)
	app.Global().Logger().Debug("starting", "version", version, "commit", commit)
	app.Main()
}
