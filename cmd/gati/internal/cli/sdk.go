package cli

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/internal/sdk/npmpkg"
)

func newSDKCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sdk",
		Short: "Publish the SDK packages gati generate built",
		Long: `Sdk works with the npm packages that gati generate --npm writes to the
app's sdk directory.`,
		Example: `  gati sdk publish --registry https://npm.example.com/`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSDKPublishCmd())
	return cmd
}

func newSDKPublishCmd() *cobra.Command {
	var dir string
	var o npmpkg.PublishOptions
	cmd := &cobra.Command{
		Use:   "publish [package.tgz]",
		Short: "Publish an SDK package to an npm registry",
		Long: `Publish uploads an npm package built by gati generate --npm with npm
publish: the one given, or else the newest .tgz in the app's sdk
directory. npm's own credentials are used (npm login, or an auth token in
.npmrc). A version can be published once: record API changes with gati
version snapshot, which bumps the semver, before publishing again.`,
		Example: `  gati sdk publish --registry https://npm.example.com/
  gati sdk publish sdk/tasks-1.2.0.tgz --tag next
  gati sdk publish --dry-run`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var tgz string
			if len(args) == 1 {
				tgz = args[0]
			} else {
				d := dir
				if d == "" {
					d = "."
				}
				if err := checkDir("sdk publish", d, d); err != nil {
					return err
				}
				var err error
				if tgz, err = newestPackage(filepath.Join(d, "sdk")); err != nil {
					return fmt.Errorf("sdk publish: %w", err)
				}
			}
			npm, err := exec.LookPath("npm")
			if err != nil {
				return errors.New("sdk publish: npm is not on PATH; install Node.js and npm")
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "publishing %s…\n", tgz)
			out, err := npmpkg.Publish(cmd.Context(), npm, tgz, o)
			if err != nil {
				return fmt.Errorf("sdk publish: %w", err)
			}
			fmt.Fprint(cmd.OutOrStdout(), out)
			return nil
		},
	}
	addDirFlag(cmd, &dir)
	f := cmd.Flags()
	f.StringVar(&o.Registry, "registry", "", "registry URL (default: npm's configured registry)")
	f.StringVar(&o.Tag, "tag", "", "dist-tag (default latest)")
	f.BoolVar(&o.DryRun, "dry-run", false, "check everything, upload nothing")
	f.StringVar(&o.UserConfig, "userconfig", "", "an npmrc with the registry's credentials, instead of your own")
	return cmd
}

// newestPackage returns the most recently written .tgz in dir.
func newestPackage(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	type pkg struct {
		path string
		mod  int64
	}
	var pkgs []pkg
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tgz") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return "", err
		}
		pkgs = append(pkgs, pkg{filepath.Join(dir, e.Name()), info.ModTime().UnixNano()})
	}
	if len(pkgs) == 0 {
		return "", fmt.Errorf("no package in %s: build one with gati generate --npm, or name the .tgz", dir)
	}
	return slices.MaxFunc(pkgs, func(a, b pkg) int { return cmp.Compare(a.mod, b.mod) }).path, nil
}
