// Package cli implements the gati command line: one file per command.
package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/internal/runtimemod"
)

// processStart approximates when the command started, for the start-up
// time gati dev reports.
var processStart = time.Now()

// Execute runs the command line and returns the process exit status. The
// first SIGINT or SIGTERM cancels the command's context, so commands stop
// cleanly; a second one ends the process at once.
func Execute(version, commit string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	root := newRootCmd(version, commit)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(root.ErrOrStderr(), errorLine(root, err))
		return 1
	}
	return 0
}

// errorLine prefixes an error with the command that failed: commands
// start their errors with their name ("build: ...", "version diff: ..."),
// which reads as "gati build: ..."; anything else reads "gati: ...".
func errorLine(root *cobra.Command, err error) string {
	msg := err.Error()
	for _, c := range root.Commands() {
		if strings.HasPrefix(msg, c.Name()+": ") || strings.HasPrefix(msg, c.Name()+" ") {
			return "gati " + msg
		}
	}
	return "gati: " + msg
}

// newRootCmd returns the gati command. "version" as a command is kept for
// API versions, so the CLI's own version is the --version flag.
func newRootCmd(version, commit string) *cobra.Command {
	root := &cobra.Command{
		Use:   "gati",
		Short: "Create, run, build and ship Gati apps",
		Long: `Create, run, build and ship Gati apps.

Commands that work on an app take its directory as --dir, or as a [dir]
argument where their arguments leave room; the default is the current
directory.`,
		Version:       versionText(version, commit),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}")
	root.AddCommand(newCreateCmd(), newDevCmd(), newBuildCmd(), newRoutesCmd(), newVersionCmd(), newGenerateCmd(), newSDKCmd(), newEffectsCmd(), newDeployCmd(), newRollbackCmd(), newConfigCmd(), newPlaygroundCmd())
	dateHelp(root, newExampleDates(versionNow()))
	return root
}

// versionText is what gati --version prints: the CLI's version and
// commit, the Go it was built with, and the runtime gati create puts in
// new apps. The version is the one stamped at release (-ldflags -X),
// else the module version go install recorded (gati.dev/gati/cmd/gati@v1.2.0),
// else "dev"; the commit likewise falls back to the VCS revision Go
// recorded.
func versionText(version, commit string) string {
	goVersion := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && commit == "unknown" {
				commit = s.Value[:min(len(s.Value), 12)]
			}
		}
	}
	return fmt.Sprintf("gati %s (commit %s)\nbuilt with %s %s/%s\nruntime %s %s\n",
		version, commit, goVersion, runtime.GOOS, runtime.GOARCH, runtimemod.Path, runtimemod.Version)
}
