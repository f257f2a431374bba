package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/module"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
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

func newPlaygroundExportCmd() *cobra.Command {
	var o playgroundExportOptions
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export saved requests to curl, a Go test, a node test or a TypeScript test",
		Long: `Export turns the saved requests of .gati/playground/ into
  curl  a shell script with one curl command per request, headers and body
        exactly as saved, shell-quoted;
  go    a Go test file for the app's main package: one TestPlayground<Collection>
        per collection that builds and starts the app with gatitest (or tests
        the app at $GATI_BASE_URL) and sends the requests in order, a subtest each,
        with net/http; with --go-client IMPORTPATH, it calls the app's generated
        Go client, imported from that package (copy .gati/generated/goclient
        there, or generate the client into it), for each request that maps to
        one of the app's JSON operations, and net/http for the others;
  js    an ES module for node --test (plain JavaScript with JSDoc types);
  ts    a TypeScript test for node --test that calls the app's generated
        TypeScript client (gati generate) for each request that maps to one of
        the app's operations, and fetch for the others; compile it with tsc
        beside the client (--ts-client is where it imports it from).
Tests assert each request's expect block. Variables come from the
environment chosen with --env (needed when there are several); the base URL
and secrets are read when the export runs, from $GATI_BASE_URL and
$GATI_PLAYGROUND_<ENV>_<NAME>, so no secret is ever written to the export.
Requests run in collection then file-name order. The ts format, and the
go format with --go-client, analyze the app to map requests to operations,
as gati generate does; the file says why beside each request that does not
map.`,
		Example: `  gati playground export --env test --format curl > tasks.sh
  gati playground export --env test --collection tasks --format go -o playground_test.go
  gati playground export --env test --format go --go-client example.com/tasks/client -o playground_test.go
  gati playground export --env test --format js -o tasks.test.mjs
  gati playground export --env test --format ts --ts-client ./client/index.js -o tests/tasks.test.ts`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := export.ParseFormat(o.format)
			if err != nil {
				return fmt.Errorf("playground export: --format %s %s", o.format, strings.TrimPrefix(err.Error(), strconv.Quote(o.format)+" "))
			}
			d, err := resolveDir("playground export", nil, o.dir)
			if err != nil {
				return err
			}
			o.dir = d
			b, err := playgroundExport(cmd.Context(), cmd.ErrOrStderr(), f, o)
			if err != nil {
				return err
			}
			if o.out == "" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			mode := os.FileMode(0o644)
			if f == export.FormatCurl {
				mode = 0o755
			}
			if err := os.WriteFile(o.out, b, mode); err != nil {
				return fmt.Errorf("playground export: -o: %w", err)
			}
			return nil
		},
	}
	addDirFlag(cmd, &o.dir)
	cmd.Flags().StringVar(&o.env, "env", "", "the environment whose variables to use (default: the only one)")
	cmd.Flags().StringVar(&o.coll, "collection", "", "export only this collection (default: all)")
	cmd.Flags().StringVar(&o.format, "format", "curl", "curl, go, js or ts")
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&o.pkg, "package", "main", "the package clause of a Go export")
	cmd.Flags().StringVar(&o.appDir, "app-dir", ".", "the app's directory, relative to the Go export's package, which its tests build and start")
	cmd.Flags().StringVar(&o.tsClient, "ts-client", export.DefaultTSClient, `the module a TypeScript export imports the generated client from; "none" sends every request with fetch`)
	cmd.Flags().StringVar(&o.goClient, "go-client", "", "a Go export calls the app's generated Go client, imported from the package `IMPORTPATH`, for the requests that map to an operation (default: every request is sent with net/http)")
	return cmd
}

type playgroundExportOptions struct {
	dir, env, coll, format, out, pkg, appDir, tsClient, goClient string
}

// playgroundExport loads the playground files of o.dir and exports the
// chosen requests. Any malformed file fails the export: CI must not pass
// on a collection that lost a request.
func playgroundExport(ctx context.Context, w io.Writer, f export.Format, o playgroundExportOptions) ([]byte, error) {
	set, errs := collection.Load(o.dir)
	if len(errs) > 0 {
		return nil, fmt.Errorf("playground export: fix these files first:\n  %w", errors.Join(errs...))
	}
	env, err := pickEnvironment(set, o.env)
	if err != nil {
		return nil, err
	}
	var reqs []*collection.Request
	for _, c := range set.Collections {
		if o.coll == "" || c.Name == o.coll {
			reqs = append(reqs, c.Requests...)
		}
	}
	if o.coll != "" && set.Collection(o.coll) == nil {
		return nil, fmt.Errorf("playground export: --collection %s: no such collection in %s; %s", o.coll, filepath.Join(o.dir, collection.Dir), names("collections", collectionNames(set)))
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("playground export: no saved requests in %s: save some in the playground or write them as %s/<collection>/<request>.yaml", filepath.Join(o.dir, collection.Dir), collection.Dir)
	}
	opts := export.Options{Package: o.pkg, AppDir: o.appDir, TSClient: o.tsClient, GoClient: o.goClient}
	if o.goClient != "" {
		if f != export.FormatGo {
			return nil, fmt.Errorf("playground export: --go-client is for --format go")
		}
		if err := module.CheckImportPath(o.goClient); err != nil {
			return nil, fmt.Errorf("playground export: --go-client: %w", err)
		}
	}
	if f == export.FormatTS && o.tsClient != "none" || f == export.FormatGo && o.goClient != "" {
		r, err := analyzeApp(ctx, "playground export", o.dir, w, false, analyze.Options{ForClients: true})
		if err != nil {
			if f == export.FormatGo {
				return nil, fmt.Errorf("%w (without --go-client, the export does not need the app's API)", err)
			}
			return nil, fmt.Errorf("%w (--ts-client none exports without the client)", err)
		}
		if opts.API, err = api.Load(o.dir, r.Manifest, api.Head); err != nil {
			return nil, fmt.Errorf("playground export: %w", err)
		}
	}
	b, err := export.Export(f, reqs, env, opts)
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
