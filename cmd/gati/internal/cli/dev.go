package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/devserver"
	"gati.dev/gati/manifest"
)

func newDevCmd() *cobra.Command {
	var (
		port    int
		timings bool
	)
	cmd := &cobra.Command{
		Use:   "dev [dir]",
		Short: "Run the app, rebuilding it when a file changes",
		Long: `Dev runs the app in dir (default: the current directory) behind a proxy
on --port. When a source file changes it regenerates the route
registration, builds and starts the new version, and switches to it once
it is ready, so no request fails. While a build is broken the last good
one keeps serving; the error shows in the terminal, in the browser and at
` + devserver.StatusPath + `.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return runDev(cmd, dir, port, timings)
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, "port to listen on (default $PORT, else 8080)")
	cmd.Flags().BoolVar(&timings, "timings", false, "print where each reload's time goes")
	return cmd
}

func runDev(cmd *cobra.Command, dir string, port int, timings bool) error {
	dir, err := appDir(dir)
	if err != nil {
		return err
	}
	return devserver.Run(cmd.Context(), devserver.Options{
		Dir: dir, Port: port, Prepare: prepare(dir), Out: cmd.OutOrStdout(), Began: processStart, Timings: timings,
	})
}

// appDir checks that dir holds an app and returns its absolute path.
func appDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(abs, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s has no go.mod: run gati dev in an app's directory, or create one with gati create", dir)
	}
	return abs, nil
}

// prepare analyzes the app and regenerates its manifest and route
// registration, before each build.
func prepare(dir string) func(context.Context) error {
	return func(ctx context.Context) error {
		m, err := analyze.Load(ctx, dir)
		if err != nil {
			return err
		}
		if err := manifest.Write(dir, m); err != nil {
			return err
		}
		_, _, err = analyze.Generate(dir, m)
		return err
	}
}
