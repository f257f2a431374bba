package main

import (
	"embed"
	"fmt"
	"os"

	"gati.dev/gati"
	"gati.dev/gati/timescape"
)

// versionFiles holds the committed snapshots of every API version and
// their life cycle, written by `gati version snapshot` and `deprecate`.
//
//go:embed .gati/versions
var versionFiles embed.FS

func main() {
	app := gati.New()
	app.Module(NewStore())
	gatiRegister(app) // generated from //gati:route directives into gati_gen.go
	if err := useVersions(app); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app.Main()
}

// useVersions serves the versions recorded in .gati/versions, translating
// with the changes declared in changes.go.
func useVersions(app *gati.App) error {
	set, _, err := timescape.LoadSetFS(versionFiles, ".gati/versions")
	if err != nil {
		return err
	}
	app.Versions(set, changes...)
	return nil
}
