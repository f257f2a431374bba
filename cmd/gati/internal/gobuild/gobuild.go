// Package gobuild compiles a Gati app's main package the way gati build
// does: CGO_ENABLED=0, -trimpath, stripped, with the version and commit
// stamped into gati.BuildVersion and gati.BuildCommit. gati build uses it
// for the host binary and the ociimage package for each platform of an
// image.
package gobuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Options say what to compile and for which platform. The zero value of
// each target field means the host's.
type Options struct {
	Dir     string // the app's directory, a Go main package
	Out     string // the binary's path
	Version string // stamped into gati.BuildVersion
	Commit  string // stamped into gati.BuildCommit

	GOOS, GOARCH string
	// GOARM or GOAMD64, from a platform's variant ("v7", "v3"); empty for
	// the toolchain's default.
	Variant string
	// NoVCS passes -buildvcs=false: the binary carries no git state
	// (revision, time, modified), which the stamps already give, so a
	// stray untracked file does not change it.
	NoVCS bool
}

// Build runs go build in o.Dir and returns the go command's combined
// output (errors, or warnings when err is nil).
func Build(ctx context.Context, o Options) ([]byte, error) {
	args := []string{"build", "-trimpath"}
	if o.NoVCS {
		args = append(args, "-buildvcs=false")
	}
	ldflags := fmt.Sprintf("-s -w -X gati.dev/gati.buildVersion=%s -X gati.dev/gati.buildCommit=%s", o.Version, o.Commit)
	args = append(args, "-ldflags", ldflags, "-o", o.Out, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if o.GOOS != "" {
		cmd.Env = append(cmd.Env, "GOOS="+o.GOOS)
	}
	if o.GOARCH != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+o.GOARCH)
	}
	if env := variantEnv(o.GOARCH, o.Variant); env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	return cmd.CombinedOutput()
}

// variantEnv returns the environment variable that selects a platform
// variant for goarch, or "".
func variantEnv(goarch, variant string) string {
	switch {
	case variant == "":
		return ""
	case goarch == "arm":
		return "GOARM=" + strings.TrimPrefix(variant, "v")
	case goarch == "amd64":
		return "GOAMD64=" + variant
	}
	return ""
}

// Stamp returns the version and commit to stamp into the binary: version
// when given, else "git describe --tags --always --dirty", else "dev";
// the commit is "git rev-parse HEAD", else "unknown".
func Stamp(ctx context.Context, dir, version string) (string, string) {
	if version == "" {
		version = GitOutput(ctx, dir, "dev", "describe", "--tags", "--always", "--dirty")
	}
	return version, GitOutput(ctx, dir, "unknown", "rev-parse", "HEAD")
}

// GitOutput runs a read-only git command in dir and returns its output's
// first line, or fallback when git fails or prints nothing usable (empty,
// or with spaces or quotes, which would break -ldflags).
func GitOutput(ctx context.Context, dir, fallback string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	line, _, _ := bytes.Cut(bytes.TrimSpace(out), []byte("\n"))
	if err != nil || len(line) == 0 || bytes.ContainsAny(line, " \t'\"") {
		return fallback
	}
	return string(line)
}
