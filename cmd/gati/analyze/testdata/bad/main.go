package main

import "gati.dev/gati"

func main() {
	app := gati.New()
	gatiRegister(app)
	app.Main()
}
