package scaffold

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// RuntimeModule is the module path of the Gati runtime.
const RuntimeModule = "gati.dev/gati"

// SourceEnv names the environment variable that points at a Gati checkout.
const SourceEnv = "GATI_SOURCE"

// ErrNoSource is returned by FindSource when no checkout can be found.
var ErrNoSource = errors.New("scaffold: cannot find the Gati source checkout: " +
	"this gati was not built from one; set " + SourceEnv + " to the directory whose go.mod says \"module " + RuntimeModule + "\"")

// FindSource returns the absolute path of the gati.dev/gati checkout the
// new app should use: $GATI_SOURCE when set, else the checkout this
// program was built from (found from its source file paths, which
// -trimpath removes).
func FindSource() (string, error) {
	if dir := os.Getenv(SourceEnv); dir != "" {
		return checkSource(dir)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", ErrNoSource
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if modulePath(filepath.Join(dir, "go.mod")) == RuntimeModule {
			return dir, nil
		}
		if parent := filepath.Dir(dir); parent == dir {
			return "", ErrNoSource
		}
	}
}

func checkSource(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if got := modulePath(filepath.Join(abs, "go.mod")); got != RuntimeModule {
		return "", fmt.Errorf("scaffold: %s=%s: its go.mod must say \"module %s\" (found %q)", SourceEnv, dir, RuntimeModule, got)
	}
	return abs, nil
}

// modulePath returns the module path declared by the go.mod file at
// path, or "" when there is none.
func modulePath(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			if p, err := strconv.Unquote(f[1]); err == nil {
				return p
			}
			return f[1]
		}
	}
	return ""
}
