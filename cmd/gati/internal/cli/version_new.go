package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/internal/versions"
)

func newVersionNewCmd() *cobra.Command {
	var dir string
	var o versions.NewOptions
	const command = "version new"
	cmd := &cobra.Command{
		Use:   "new [dir]",
		Short: "Write the change file that keeps older clients working",
		Long: `New compares a version with the one before it and writes, into the main
package of the app in dir (default: the current directory), the change file
version_<id>.go: for each route with breaking changes, a gati.VersionChange
whose UpgradeRequest and DowngradeResponse are stubs to write, each with a
comment listing the changes it must handle. The file's variable,
changes<id>, goes to app.Versions.

It also writes version_<id>_test.go, with a test per stub that fails until
the stub is written. Existing files are never overwritten.

--version defaults to the newest snapshot and --from to the one before it.
Removed routes cannot be translated; keep an older implementation instead
(docs/versioning.md).`,
		Example: `  gati version snapshot
  gati version new
  gati version new ./demo --version {newer} --from {older}`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			appDir, err := resolveDir(command, args, dir)
			if err != nil {
				return err
			}
			st, err := loadVersions(command, appDir)
			if err != nil {
				return err
			}
			res, err := versions.NewChange(appDir, st, o)
			if err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			out := cmd.OutOrStdout()
			for _, c := range res.Untranslatable {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s: %s It cannot be translated; keep an older implementation (docs/versioning.md).\n", c.Route, c.Message)
			}
			if res.Path == "" {
				fmt.Fprintf(out, "version %s has no breaking changes since %s to translate; nothing written\n", res.Version, res.From)
				return nil
			}
			routes := "routes"
			if len(res.Routes) == 1 {
				routes = "route"
			}
			fmt.Fprintf(out, "wrote %s: %d %s to translate; add `%s` to app.Versions and write the functions; go test fails until you do.\n",
				filepath.Base(res.Path), len(res.Routes), routes, res.Var)
			fmt.Fprintf(out, "wrote %s: a test per function (%d)\n", filepath.Base(res.TestPath), len(res.Funcs))
			return nil
		},
	}
	f := cmd.Flags()
	addDirFlag(cmd, &dir)
	f.StringVar(&o.Version, "version", "", "the version whose changes to translate (default: the newest)")
	f.StringVar(&o.From, "from", "", "the version to translate to (default: the one before --version)")
	return cmd
}
