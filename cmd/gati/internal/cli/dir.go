package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// resolveDir picks the app directory, the one convention of every command
// that works on an app: a positional [dir] where the command's arguments
// leave room for one, or --dir; default the current directory. A
// directory that does not exist is an error naming it.
func resolveDir(command string, args []string, flagDir string) (string, error) {
	dir := "."
	switch {
	case len(args) == 1 && flagDir != "" && flagDir != args[0]:
		return "", fmt.Errorf("%s: give the directory as an argument or with --dir, not both", command)
	case len(args) == 1:
		dir = args[0]
	case flagDir != "":
		dir = flagDir
	}
	return dir, checkDir(command, dir, dir)
}

// checkDir requires path to be a directory; errors name it as given.
func checkDir(command, path, given string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: directory %s does not exist", command, given)
	case err != nil:
		return fmt.Errorf("%s: %w", command, err)
	case !info.IsDir():
		return fmt.Errorf("%s: %s is not a directory", command, given)
	}
	return nil
}

// addDirFlag adds --dir, the app directory, to cmd.
func addDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "dir", "", "the app directory (default: the current directory)")
}

// appDir checks that dir holds an app and returns its absolute path. Its
// errors start with command and name dir as given.
func appDir(command, dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := checkDir(command, abs, dir); err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(abs, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %s has no go.mod: run gati %s in an app's directory (or give it one: gati %s [dir]), or create an app with gati create", command, dir, command, command)
	}
	return abs, nil
}
