// Command gen regenerates the embedded Gati runtime (gati.zip and
// runtime_gen.go) from the gati.dev/gati checkout above the working
// directory. Run it with go generate ./internal/runtimemod in cmd/gati;
// for a release, go run ./internal/runtimemod/gen -version v1.2.0.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"gati.dev/gati/cmd/gati/internal/runtimemod"
)

func main() {
	release := flag.String("version", "", "release tag to give the runtime (default: a pseudo-version from its content)")
	flag.Parse()
	if err := run(*release); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(release string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := runtimemod.FindRoot(wd)
	if err != nil {
		return err
	}
	v, err := runtimemod.Generate(root, wd, release, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("gati.dev/gati %s\n", v)
	return nil
}
