// Command gati creates, runs, builds and ships Gati apps.
package main

import (
	"os"

	"gati.dev/gati/cmd/gati/internal/cli"
)

// Set at release with -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234".
var (
	version = "dev"
	commit  = "unknown"
)

func main() { os.Exit(cli.Execute(version, commit)) }
