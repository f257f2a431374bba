package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/internal/runtimemod"
	"gati.dev/gati/cmd/gati/internal/scaffold"
)

func newCreateCmd() *cobra.Command {
	var module string
	cmd := &cobra.Command{
		Use:   "create <dir>",
		Short: "Create a new app in dir",
		Long: `Create writes a new app into dir (which must not exist or be empty): one
typed route, its generated registration, a test and gati.yaml. It then
puts the Gati runtime this gati carries into the Go module cache and runs
go mod tidy, so the app builds, tests and runs offline, with go build as
well as gati dev. Its go.mod requires gati.dev/gati at that runtime's
version (see gati --version); there is no replace directive.`,
		Example: "  gati create demo\n  gati create api --module example.com/api",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCreate(cmd.Context(), cmd.OutOrStdout(), args[0], module)
		},
	}
	cmd.Flags().StringVar(&module, "module", "", "module path of the app (default: the directory's name)")
	return cmd
}

func runCreate(ctx context.Context, out io.Writer, dir, module string) error {
	opts, err := scaffold.RuntimeOptions(module)
	if err != nil {
		return err
	}
	if err := scaffold.CheckEmpty(dir); err != nil {
		return err
	}
	fmt.Fprintf(out, "Installing the Gati runtime %s into the module cache…\n", runtimemod.Version)
	if err := runtimemod.Install(ctx); err != nil {
		return err
	}
	files, err := scaffold.Write(dir, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Created %s:\n", dir)
	for _, f := range files {
		fmt.Fprintf(out, "  %s\n", f)
	}
	fmt.Fprintln(out, "Running go mod tidy…")
	if err := scaffold.Tidy(ctx, dir, out); err != nil {
		return fmt.Errorf("%w\nthe app is written; fix the problem above, then run go mod tidy in %s", err, dir)
	}
	printNextSteps(out, dir)
	return nil
}

func printNextSteps(out io.Writer, dir string) {
	if strings.ContainsAny(dir, " \t'\"") {
		dir = "'" + strings.ReplaceAll(dir, "'", `'\''`) + "'"
	}
	fmt.Fprintf(out, `
Next steps:
  cd %s && gati dev
  curl 'http://127.0.0.1:8080/hello?name=Ada'
`, dir)
}
