package devserver

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// binDir holds the dev builds, under the app's .gati directory.
const binDir = ".gati/dev"

// buildError is a failed go build: the compiler's output.
type buildError struct{ output string }

func (e *buildError) Error() string { return e.output }

// build compiles the app in dir into .gati/dev/app-<n> with the go
// command, GOFLAGS and build cache as the user has them, plus flags and
// [buildEnv]. It runs go build -v, and while it runs writes a progress
// line to out every interval (none when interval is 0), so that a build
// that compiles the whole runtime on a cold build cache shows what it is
// doing.
func build(ctx context.Context, dir string, n int, flags []string, out io.Writer, interval time.Duration) (string, error) {
	bin := binPath(dir, n)
	args := append(append([]string{"build", "-v"}, flags...), "-o", bin, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = buildEnv()
	if interval <= 0 {
		interval = time.Duration(math.MaxInt64)
	}
	p := startProgress(out, interval)
	cmd.Stdout, cmd.Stderr = p, p
	err := cmd.Run()
	output, _ := p.finish()
	if ctx.Err() != nil {
		return "", errStopped
	}
	if err != nil {
		msg := strings.TrimSpace(output)
		if msg == "" {
			msg = fmt.Sprintf("go build: %v", err)
		}
		return "", &buildError{output: msg}
	}
	return bin, nil
}

// binPath names build n; build 0 is the session's first, whose binary
// the last session left in place: when the source has not changed since,
// go build finds it up to date and does not link again.
func binPath(dir string, n int) string {
	name := fmt.Sprintf("app-%d", n)
	if n == 0 {
		name = "app"
	}
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(dir, filepath.FromSlash(binDir), name)
}

// keepBinary moves the last binary of the session to build 0's name, for
// the next session to start from.
func keepBinary(dir, bin string) {
	if keep := binPath(dir, 0); bin != keep {
		_ = os.Rename(bin, keep)
	}
}

// removeBinary removes a build that is not build 0.
func removeBinary(dir, bin string) {
	if bin != binPath(dir, 0) {
		_ = os.Remove(bin)
	}
}

// cleanBinaries removes builds left by an earlier run, except build 0.
func cleanBinaries(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(binDir), "app-*"))
	for _, f := range old {
		_ = os.Remove(f)
	}
}

// buildFlags returns the flags dev builds add: -ldflags=-w, which leaves
// out the DWARF debug data and takes about a third off the link, the
// largest part of a small app's rebuild. Stack traces keep their
// file:line. -s as well saves no measurable time and would leave
// profilers without symbol names. Nothing is added when GOFLAGS sets
// -ldflags itself, which this would override.
func buildFlags(ctx context.Context, dir string) []string {
	cmd := exec.CommandContext(ctx, "go", "env", "GOFLAGS")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil || strings.Contains(string(out), "-ldflags") {
		return nil
	}
	return []string{"-ldflags=-w"}
}

// buildGOGC is the GOGC that dev builds run the compiler and linker with
// unless the user has set GOGC: the compiler of a large package spends a
// good part of its CPU collecting garbage. For a main package of 1,000
// typed routes it takes about 12% off the build's CPU, which shortens
// the build most when the cores are busy, for a quarter more peak memory
// (630 MB instead of 500); 800 gains nothing more. The binary and the
// build cache are the same: GOGC is not part of Go's cache keys.
const buildGOGC = "400"

// buildEnv returns the environment go build runs in: the dev server's,
// with GOGC=[buildGOGC] unless GOGC is set.
func buildEnv() []string {
	if os.Getenv("GOGC") != "" {
		return nil // the dev server's own
	}
	return append(os.Environ(), "GOGC="+buildGOGC)
}
