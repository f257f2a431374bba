package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/internal/playground/collection"
	"gati.dev/gati/cmd/gati/internal/playground/export"
)

func newPlaygroundCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "playground",
		Short: "Work with the playground's saved requests",
		Long: `The playground keeps saved requests and environments as YAML files under
.gati/playground/ (see docs/playground-guide.md). Its subcommands use
them from the command line.`,
	}
	cmd.AddCommand(newPlaygroundExportCmd())
	return cmd
}

// playgroundFormats are the export formats, by --format value.
var playgroundFormats = []string{"curl", "go", "js"}

func newPlaygroundExportCmd() *cobra.Command {
	var dir, env, coll, format, out, pkg string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export saved requests to curl, a Go test or a node test",
		Long: `Export turns the saved requests of .gati/playground/ into
  curl  a shell script with one curl command per request;
  go    a Go test file, one TestPlayground... per request, standard library only;
  js    an ES module for node --test (plain JavaScript with JSDoc types; "ts" is
        accepted as the same format).
Tests assert each request's expect block. Variables come from the
environment chosen with --env (needed when there are several); the base URL
and secrets are read when the export runs, from $GATI_BASE_URL and
$GATI_PLAYGROUND_<ENV>_<NAME>, so no secret is ever written to the export.
Requests run in collection then file-name order.`,
		Example: `  gati playground export --env test --format curl > tasks.sh
  gati playground export --env test --collection tasks --format go -o playground_test.go
  gati playground export --env test --format js -o tasks.test.mjs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "ts" {
				format = "js"
			}
			if !slices.Contains(playgroundFormats, format) {
				return fmt.Errorf("playground export: --format %s is not a format: use one of %s", format, strings.Join(playgroundFormats, ", "))
			}
			d, err := resolveDir("playground export", nil, dir)
			if err != nil {
				return err
			}
			b, err := playgroundExport(d, env, coll, format, pkg)
			if err != nil {
				return err
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			mode := os.FileMode(0o644)
			if format == "curl" {
				mode = 0o755
			}
			if err := os.WriteFile(out, b, mode); err != nil {
				return fmt.Errorf("playground export: -o: %w", err)
			}
			return nil
		},
	}
	addDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&env, "env", "", "the environment whose variables to use (default: the only one)")
	cmd.Flags().StringVar(&coll, "collection", "", "export only this collection (default: all)")
	cmd.Flags().StringVar(&format, "format", "curl", "curl, go or js")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&pkg, "package", "main", "the package clause of a Go export")
	return cmd
}

// playgroundExport loads the playground files of dir and exports the
// chosen requests. Any malformed file fails the export: CI must not pass
// on a collection that lost a request.
func playgroundExport(dir, envName, coll, format, pkg string) ([]byte, error) {
	set, errs := collection.Load(dir)
	if len(errs) > 0 {
		return nil, fmt.Errorf("playground export: fix these files first:\n  %w", errors.Join(errs...))
	}
	env, err := pickEnvironment(set, envName)
	if err != nil {
		return nil, err
	}
	var reqs []*collection.Request
	for _, c := range set.Collections {
		if coll == "" || c.Name == coll {
			reqs = append(reqs, c.Requests...)
		}
	}
	if coll != "" && set.Collection(coll) == nil {
		return nil, fmt.Errorf("playground export: --collection %s: no such collection in %s; %s", coll, filepath.Join(dir, collection.Dir), names("collections", collectionNames(set)))
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("playground export: no saved requests in %s: save some in the playground or write them as %s/<collection>/<request>.yaml", filepath.Join(dir, collection.Dir), collection.Dir)
	}
	switch format {
	case "go":
		b, err := export.GoTest(reqs, env, pkg)
		return b, wrapExport(err)
	case "js":
		b, err := export.JSTest(reqs, env)
		return b, wrapExport(err)
	}
	b, err := export.Curl(reqs, env)
	return b, wrapExport(err)
}

func wrapExport(err error) error {
	if err != nil {
		return fmt.Errorf("playground export: %w", err)
	}
	return nil
}

// pickEnvironment is the environment named name, or the only one when
// name is empty.
func pickEnvironment(set *collection.Set, name string) (*collection.Environment, error) {
	var known []string
	for _, e := range set.Environments {
		known = append(known, e.Name)
	}
	switch {
	case name != "" && set.Environment(name) == nil:
		return nil, fmt.Errorf("playground export: --env %s: no such environment (%s/%s/%s.yaml); %s", name, collection.Dir, collection.EnvironmentsDir, name, names("environments", known))
	case name != "":
		return set.Environment(name), nil
	case len(known) == 1:
		return set.Environments[0], nil
	case len(known) > 1:
		return nil, fmt.Errorf("playground export: choose an environment with --env: %s", strings.Join(known, ", "))
	}
	return nil, nil
}

func collectionNames(set *collection.Set) []string {
	var out []string
	for _, c := range set.Collections {
		out = append(out, c.Name)
	}
	return out
}

func names(what string, list []string) string {
	if len(list) == 0 {
		return "there are no " + what
	}
	return "the " + what + " are " + strings.Join(list, ", ")
}
