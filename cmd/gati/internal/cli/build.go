package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/configcheck"
	"gati.dev/gati/cmd/gati/internal/deploy"
	"gati.dev/gati/cmd/gati/internal/gobuild"
	"gati.dev/gati/cmd/gati/internal/versions"
	"gati.dev/gati/manifest"
)

func newBuildCmd() *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build [dir]",
		Short: "Build the app into a static binary",
		Long: `Build analyzes the app in dir (default: the current directory), writes
.gati/manifest.json and the route registration gati_gen.go, checks
gati.yaml for every environment it lists, then compiles a static binary:
CGO_ENABLED=0, -trimpath, stripped, with the version and commit stamped
(read them with gati.BuildVersion and gati.BuildCommit). The compile
starts beside the analysis; its binary is kept only when the analysis
left gati_gen.go and the manifest as they were, and otherwise it runs
again after it (always so with --release).

The version is --version-stamp, else "git describe --tags --always --dirty",
else "dev"; the commit is "git rev-parse HEAD", else "unknown". The binary
goes to dir/bin/<app> unless -o says otherwise, <app> being the last
element of the module path.

With --release, build also snapshots the API before compiling, as gati
version snapshot does with its defaults: when the API differs from the
newest version in .gati/versions, or there is none, it writes a new
version; otherwise it says the API is unchanged.

With --image, build makes an OCI image instead of the host binary, without
a Docker daemon: it compiles the app for each --platform (default
linux/amd64 and linux/arm64, one after the other) and lays the binary,
at /app/<app> with gati.yaml beside it, on --base (default none: a
scratch image with users, CA roots and time zones), to run as 65532:65532
with PORT=8080. The same commit gives the same digest. The image goes
to --push (a registry repository[:tag]), --oci-layout (a directory),
--tarball (an OCI archive) or several of them; with none, to the OCI
layout .gati/image in the app's directory. Each of these flags implies
--image. Progress goes to standard error, the digest (or, with --push,
repository@digest) to standard output. See docs/deploy-image.md.`,
		Example: `  gati build
  gati build ./demo -o /tmp/demo
  gati build --version-stamp v1.4.0
  gati build --release
  gati build --image --push ghcr.io/acme/demo:v1.4.0
  gati build --image --platform linux/amd64 --tarball demo.tar`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := resolveDir("build", args, o.dir)
			if err != nil {
				return err
			}
			o.dir = dir
			return runBuild(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addDirFlag(cmd, &o.dir)
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the binary to this path (default dir/bin/<app>)")
	cmd.Flags().StringVar(&o.version, "version-stamp", "", "version to stamp into the binary (default from git describe)")
	cmd.Flags().BoolVar(&o.release, "release", false, "snapshot the API into .gati/versions when it changed since the newest version")
	addImageFlags(cmd, &o.image)
	return cmd
}

// buildOptions are the arguments and flags of gati build.
type buildOptions struct {
	dir     string
	output  string
	version string
	release bool
	image   imageOptions
}

func runBuild(ctx context.Context, o buildOptions, stdout, w io.Writer) error {
	if strings.ContainsAny(o.version, " \t\n'\"") {
		return fmt.Errorf("build: --version-stamp %q must not contain spaces or quotes", o.version)
	}
	if err := o.image.check(ctx, o.output); err != nil {
		return err
	}
	var early *earlyCompile
	if !o.image.enabled {
		early = startEarlyCompile(ctx, o)
	}
	defer early.abandon()
	r, err := analyzeApp(ctx, "build", o.dir, w, true, analyze.Options{})
	if err != nil {
		return err
	}
	m := r.Manifest
	if err := checkConfig(o.dir, r.ModuleConfigs, w); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if err := writeGenerated(o.dir, m); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if o.release {
		if err := releaseSnapshot(ctx, o.dir, m, w); err != nil {
			return fmt.Errorf("build: --release: %w", err)
		}
	}
	if o.image.enabled {
		base := o.image.base
		if base == "" {
			if base, err = deploy.BaseImage(o.dir); err != nil {
				return fmt.Errorf("build: %w", err)
			}
		}
		return buildImage(ctx, o, base, stdout, w)
	}
	out, err := outputPath(o, m.Module)
	if err != nil {
		return err
	}
	if early.usable(out) {
		return early.finish(w)
	}
	early.abandon()
	return compile(ctx, o, out, w)
}

// checkConfig validates gati.yaml, if there is one, for the base settings
// and for every environment it lists, then the modules.<name> sections
// against the types the modules decode them into (what can be known
// statically; configcheck says what cannot, as notes written to w). It
// reports every problem.
func checkConfig(dir string, mods []analyze.ModuleConfig, w io.Writer) error {
	path := filepath.Join(dir, gati.ConfigFile)
	base := gati.ValidateConfig(path)
	res, err := configcheck.Check(path, mods)
	if err != nil {
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return errors.Join(base, res.Err(), deploy.Check(dir))
}

// writeGenerated writes the manifest and gati_gen.go for m, each only
// when its content changed: an unchanged file keeps its modification
// time, and go build and gati dev's watcher see nothing new.
func writeGenerated(dir string, m *manifest.Manifest) error {
	data, err := manifest.Encode(m)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if old, err := os.ReadFile(manifest.Path(dir)); err != nil || !bytes.Equal(old, data) {
		if err := manifest.Write(dir, m); err != nil {
			return err
		}
	}
	_, _, err = analyze.Generate(dir, m)
	return err
}

// outputPath returns the absolute path of the binary of the module at
// modPath.
func outputPath(o buildOptions, modPath string) (string, error) {
	out := o.output
	if out == "" {
		out = filepath.Join(o.dir, "bin", path.Base(modPath))
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", fmt.Errorf("build: -o %s: %w", out, err)
	}
	return abs, nil
}

// compile runs go build in the app directory.
func compile(ctx context.Context, o buildOptions, out string, w io.Writer) error {
	start := time.Now()
	fmt.Fprint(w, "building…")
	output, err := goBuild(ctx, o, out)
	return reportCompile(w, out, output, err, fmt.Sprintf(" (%s)", seconds(time.Since(start))))
}

// goBuild runs go build in the app directory, writing the binary to out,
// and returns the go command's output.
func goBuild(ctx context.Context, o buildOptions, out string) ([]byte, error) {
	version, commit := gobuild.Stamp(ctx, o.dir, o.version)
	return gobuild.Build(ctx, gobuild.Options{Dir: o.dir, Out: out, Version: version, Commit: commit})
}

// reportCompile reports the outcome of goBuild, after "building…" and
// took.
func reportCompile(w io.Writer, out string, output []byte, err error, took string) error {
	if err != nil {
		fmt.Fprintf(w, "\n%s", output)
		fmt.Fprintln(w, "the Go compiler rejected the app; fix the errors above and run gati build again")
		return fmt.Errorf("build: go build: %w", err)
	}
	fmt.Fprintln(w, took)
	_, _ = w.Write(output) // warnings, if any
	info, err := os.Stat(out)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	fmt.Fprintf(w, "built %s (%.1f MB)\n", displayPath(out), float64(info.Size())/1e6)
	return nil
}

// displayPath shows path relative to the working directory when it is
// inside it: "./bin/demo".
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	return "." + string(filepath.Separator) + rel
}

// releaseSnapshot snapshots the API m describes, as gati version snapshot
// does with its default ID, date, semver and changelog, unless it has not
// changed since the newest version.
func releaseSnapshot(ctx context.Context, dir string, m *manifest.Manifest, w io.Writer) error {
	st, err := versions.Load(dir)
	if err != nil {
		return err
	}
	o := versions.SnapshotOptions{Now: versionNow(), Commit: versions.Commit(ctx, dir)}
	res, err := versions.Snapshot(st, m, o)
	if err != nil {
		return err
	}
	if res.Unchanged {
		fmt.Fprintf(w, "API unchanged since %s\n", res.Previous.ID)
		return nil
	}
	printSnapshot(w, dir, res)
	return nil
}
