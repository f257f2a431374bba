package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

func newRoutesCmd() *cobra.Command {
	var asJSON bool
	var dir string
	cmd := &cobra.Command{
		Use:   "routes [dir]",
		Short: "List the app's routes",
		Long: `Routes analyzes the app in dir (default: the current directory) and lists
the routes declared with //gati:route directives: method, path, handler,
handler kind (raw or typed) and where the directive is. Problems in the
directives are listed as file:line:col: message, and the command fails.

With --json it prints the routes as they appear in .gati/manifest.json,
with their request and response types. It writes no files.`,
		Example: `  gati routes
  gati routes ./demo
  gati routes --json | jq '.[].pattern'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := resolveDir("routes", args, dir)
			if err != nil {
				return err
			}
			m, err := loadApp(cmd.Context(), "routes", dir, cmd.ErrOrStderr(), false)
			if err != nil {
				return err
			}
			if asJSON {
				return printRoutesJSON(cmd.OutOrStdout(), m)
			}
			return printRoutes(cmd.OutOrStdout(), m)
		},
	}
	addDirFlag(cmd, &dir)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the routes as JSON, as in .gati/manifest.json")
	return cmd
}

// loadApp checks that dir holds an app and analyzes it. Problems in the
// source are written to w, one file:line:col: message per line with file
// relative to the working directory, followed by a hint. With progress,
// w also gets an "analyzing…" line.
func loadApp(ctx context.Context, command, dir string, w io.Writer, progress bool) (*manifest.Manifest, error) {
	r, err := analyzeApp(ctx, command, dir, w, progress, analyze.Options{})
	if err != nil {
		return nil, err
	}
	return r.Manifest, nil
}

// analyzeApp is loadApp, returning what the analysis found besides the
// manifest.
func analyzeApp(ctx context.Context, command, dir string, w io.Writer, progress bool, o analyze.Options) (*analyze.Result, error) {
	if _, err := appDir(command, dir); err != nil {
		return nil, err
	}
	start := time.Now()
	if progress {
		fmt.Fprint(w, "analyzing…")
	}
	r, err := analyze.AnalyzeWith(ctx, dir, o)
	if progress {
		if err == nil {
			m := r.Manifest
			fmt.Fprintf(w, " %s, %s (%s)\n", plural(len(m.Routes), "route"), plural(len(m.Modules), "module"), seconds(time.Since(start)))
		} else {
			fmt.Fprintln(w)
		}
	}
	var errs *analyze.Errors
	if !errors.As(err, &errs) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", command, err)
		}
		return r, nil
	}
	for _, d := range errs.Diagnostics {
		if d.File != "" {
			d.File = filepath.Join(dir, filepath.FromSlash(d.File))
		}
		fmt.Fprintln(w, d)
	}
	fmt.Fprintf(w, "fix the problems above and run gati %s again\n", command)
	return nil, fmt.Errorf("%s: %s in %s", command, plural(len(errs.Diagnostics), "problem"), dir)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// seconds formats a duration for progress lines: "0.42s", "12.3s".
func seconds(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// printRoutes writes the route table, aligned.
func printRoutes(w io.Writer, m *manifest.Manifest) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tHANDLER\tKIND\tSOURCE")
	for _, r := range m.Routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%d\n", r.Method, r.Path, handlerName(m, r.Handler), r.Handler.Kind, r.File, r.Line)
	}
	return tw.Flush()
}

// handlerName names a handler by its package's path inside the module:
// "users.Create", "admin/users.Delete", "main.Hello".
func handlerName(m *manifest.Manifest, h manifest.Handler) string {
	pkg := strings.TrimPrefix(h.Package, m.Module+"/")
	if h.Package == m.Module {
		pkg = "main"
	}
	return pkg + "." + h.Func
}

func printRoutesJSON(w io.Writer, m *manifest.Manifest) error {
	routes := m.Routes
	if routes == nil {
		routes = []manifest.Route{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(routes)
}
