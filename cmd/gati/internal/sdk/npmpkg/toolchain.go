package npmpkg

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// toolchain is the package.json and lock file of the TypeScript compiler
// that builds SDK packages. The CLI carries them and installs them with
// npm ci on first use, so that every machine compiles with the same
// compiler.
//
//go:embed toolchain/package.json toolchain/package-lock.json
var toolchain embed.FS

// TSCEnv names the environment variable that points at a tsc to use
// instead of the one installed from the embedded lock file.
const TSCEnv = "GATI_TSC"

// Toolchain finds the programs packaging needs: node and npm on PATH, and
// the pinned TypeScript compiler.
type Toolchain struct {
	Node, NPM, TSC string
}

// FindToolchain locates node and npm and installs the pinned TypeScript
// compiler into cacheDir (os.UserCacheDir()/gati when empty) unless it is
// there already or $GATI_TSC names one. Progress goes to w.
func FindToolchain(ctx context.Context, cacheDir string, w io.Writer) (*Toolchain, error) {
	var t Toolchain
	var err error
	if t.Node, err = exec.LookPath("node"); err != nil {
		return nil, errors.New("node is not on PATH: packaging the TypeScript client needs Node.js 18 or newer (https://nodejs.org, or apt-get install nodejs npm)")
	}
	if t.NPM, err = exec.LookPath("npm"); err != nil {
		return nil, errors.New("npm is not on PATH: packaging the TypeScript client needs npm (it comes with Node.js; apt-get install npm)")
	}
	if tsc := os.Getenv(TSCEnv); tsc != "" {
		if _, err := os.Stat(tsc); err != nil {
			return nil, fmt.Errorf("$%s: %w", TSCEnv, err)
		}
		t.TSC = tsc
		return &t, nil
	}
	if t.TSC, err = installTSC(ctx, t.NPM, cacheDir, w); err != nil {
		return nil, err
	}
	return &t, nil
}

// installTSC runs npm ci for the embedded lock file in a directory named
// after its hash, once.
func installTSC(ctx context.Context, npm, cacheDir string, w io.Writer) (string, error) {
	lock, err := toolchain.ReadFile("toolchain/package-lock.json")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	if cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache directory for the TypeScript compiler: %w (set $%s to a tsc)", err, TSCEnv)
		}
		cacheDir = filepath.Join(base, "gati")
	}
	dir := filepath.Join(cacheDir, "typescript-"+hex.EncodeToString(sum[:6]))
	tsc := filepath.Join(dir, "node_modules", "typescript", "bin", "tsc")
	if _, err := os.Stat(tsc); err == nil {
		return tsc, nil
	}
	// Install into a fresh directory and rename it into place, so that an
	// interrupted install is never taken for a finished one.
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cacheDir, ".typescript-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := fs.WalkDir(toolchain, "toolchain", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := toolchain.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, filepath.Base(p)), b, 0o644)
	}); err != nil {
		return "", err
	}
	fmt.Fprintln(w, "installing the TypeScript compiler (npm ci, once) into", dir)
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci of the TypeScript compiler failed: %v\n%s\nnpm needs the registry once (or its cache); or set $%s to a tsc 5.x",
			err, strings.TrimSpace(string(out)), TSCEnv)
	}
	if err := os.Rename(tmp, dir); err != nil && !errors.Is(err, fs.ErrExist) {
		if _, serr := os.Stat(tsc); serr != nil { // not a concurrent install that won
			return "", err
		}
	}
	return tsc, nil
}
