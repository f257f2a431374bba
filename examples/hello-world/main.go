package main

import "gati.dev/gati"

func main() {
	app := gati.New()
	gatiRegister(app) // generated from //gati:route directives into gati_gen.go
	app.Main()
}
