package cli

import (
	"net/http"
	"path/filepath"

	"github.com/spf13/cobra"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/internal/devserver"
	"gati.dev/gati/cmd/gati/internal/playground/export"
	"gati.dev/gati/cmd/gati/internal/playground/filesapi"
)

func newDevCmd() *cobra.Command {
	var (
		dir     string
		host    string
		port    int
		timings bool
	)
	cmd := &cobra.Command{
		Use:   "dev [dir]",
		Short: "Run the app, rebuilding it when a file changes",
		Long: `Dev runs the app in dir (default: the current directory) behind a proxy
on 127.0.0.1 (--host to change it, e.g. --host 0.0.0.0 for every
interface). The port is --port, else $PORT, else server.port in the app's
gati.yaml, else 8080; dev prints the address it serves on, and says so
when the port is taken. The first build on a cold build cache compiles
the runtime and its dependencies and may take a minute: dev reports its
progress every few seconds. When a source file changes it regenerates the route
registration, builds and starts the new version, and switches to it once
it is ready, so no request fails. While a build is broken the last good
one keeps serving; the error shows in the terminal, in the browser and at
` + devserver.StatusPath + `.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := resolveDir("dev", args, dir)
			if err != nil {
				return err
			}
			return runDev(cmd, dir, host, port, timings)
		},
	}
	addDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "interface to listen on (0.0.0.0: every interface)")
	cmd.Flags().IntVar(&port, "port", 0, "port to listen on (default $PORT, else server.port in gati.yaml, else 8080)")
	cmd.Flags().BoolVar(&timings, "timings", false, "print where each reload's time goes")
	return cmd
}

func runDev(cmd *cobra.Command, dir, host string, port int, timings bool) error {
	dir, err := appDir("dev", dir)
	if err != nil {
		return err
	}
	if port == 0 {
		port = configPort(dir)
	}
	p := &devPrep{dir: dir}
	return devserver.Run(cmd.Context(), devserver.Options{
		Dir: dir, Host: host, Port: port, Prepare: p.prepare, Unchanged: p.unchanged, Out: cmd.OutOrStdout(), Began: processStart, Timings: timings,
		Serve: map[string]http.Handler{filesapi.Prefix: &filesapi.Handler{Dir: dir, Export: export.Named}},
	})
}

// configPort returns the port the app's gati.yaml sets for development,
// with $PORT applied over it; 0 when neither says (or the file is
// invalid: the app reports that itself when it starts).
func configPort(dir string) int {
	cfg, err := gati.LoadConfig(filepath.Join(dir, gati.ConfigFile), "development")
	if err != nil {
		return 0
	}
	return cfg.Server.Port
}
