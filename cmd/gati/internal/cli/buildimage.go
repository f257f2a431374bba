package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/internal/ociimage"
	"gati.dev/gati/cmd/gati/internal/versions"
)

// imageOptions are gati build's image flags.
type imageOptions struct {
	enabled   bool
	push      string
	ociLayout string
	tarball   string
	platforms []string
	base      string
}

// defaultLayout is where gati build --image writes its OCI layout when no
// output is given, under the app's directory.
var defaultLayout = filepath.Join(".gati", "image")

func addImageFlags(cmd *cobra.Command, o *imageOptions) {
	f := cmd.Flags()
	f.BoolVar(&o.enabled, "image", false, "build an OCI image instead of the host binary (see docs/deploy-image.md)")
	f.StringVar(&o.push, "push", "", "push the image to this registry `repository[:tag]` (implies --image)")
	f.StringVar(&o.ociLayout, "oci-layout", "", "write the image as an OCI layout into this `directory` (implies --image)")
	f.StringVar(&o.tarball, "tarball", "", "write the image as an OCI archive (a tar of its OCI layout) to this `file` (implies --image)")
	f.StringSliceVar(&o.platforms, "platform", nil, "the image's `platforms`, comma-separated (default linux/amd64,linux/arm64; implies --image)")
	f.StringVar(&o.base, "base", "", "the base image `reference` (default none: scratch; implies --image)")
}

// check validates the image flags before the analysis, output being -o,
// and asks the --push registry whether it takes the image, so that a
// mistake costs seconds rather than a cross-compile.
func (o *imageOptions) check(ctx context.Context, output string) error {
	o.enabled = o.enabled || o.push != "" || o.ociLayout != "" || o.tarball != "" || len(o.platforms) > 0 || o.base != ""
	if !o.enabled {
		return nil
	}
	if output != "" {
		return errors.New("build: -o names the host binary, which --image does not build: write the image with --oci-layout, --tarball or --push")
	}
	if err := ociimage.CheckPlatforms(o.platforms); err != nil {
		return fmt.Errorf("build: --platform: %w", err)
	}
	if o.push != "" {
		if err := ociimage.CheckPush(ctx, o.push); err != nil {
			return pushError(o.push, err)
		}
	}
	return nil
}

func pushError(ref string, err error) error {
	return fmt.Errorf("build: --push %s: %w\ncheck the --push reference (registry/repository[:tag]), that the registry is up and reachable from here, and your credentials (docker login)", ref, err)
}

// buildImage builds the image of the app in o.dir on base (the --base
// flag, or the deploy settings' base) and writes it where the flags say.
// It prints the digest, or the pushed reference, to stdout.
func buildImage(ctx context.Context, o buildOptions, base string, stdout, w io.Writer) error {
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	apis, err := apiVersions(dir)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	res, err := ociimage.Build(ctx, ociimage.Options{
		Dir: dir, Platforms: o.image.platforms, Base: base, APIVersions: apis, Version: o.version, Progress: w,
	})
	if err != nil {
		return imageBuildError(err, base, w)
	}
	out, err := writeImage(ctx, o.image, dir, res, w)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, out)
	return nil
}

// apiVersions returns the IDs of the API versions in .gati/versions,
// oldest first: those the binary serves.
func apiVersions(dir string) ([]string, error) {
	st, err := versions.Load(dir)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(st.Snapshots))
	for i, s := range st.Snapshots {
		ids[i] = s.ID
	}
	return ids, nil
}

// imageBuildError says which flag or step an error of ociimage.Build
// comes from.
func imageBuildError(err error, base string, w io.Writer) error {
	var ce *ociimage.CompileError
	var be *ociimage.BaseError
	switch {
	case errors.As(err, &ce):
		fmt.Fprint(w, ce.Output)
		fmt.Fprintf(w, "the Go compiler rejected the app for %s; fix the errors above and run gati build again\n", ce.Platform)
		return fmt.Errorf("build: --image: %w", err)
	case errors.As(err, &be):
		return fmt.Errorf("build: --base %s: %w\ncheck the reference, that its registry is reachable from here, and that it has an image for each --platform", base, err)
	}
	return fmt.Errorf("build: --image: %w", err)
}

// writeImage writes the image to each output the flags name, or to the
// default layout, and returns what to print on stdout: the pushed
// reference, else the digest.
func writeImage(ctx context.Context, o imageOptions, dir string, res *ociimage.Result, w io.Writer) (string, error) {
	if o.push == "" && o.ociLayout == "" && o.tarball == "" {
		o.ociLayout = filepath.Join(dir, defaultLayout)
		fmt.Fprintf(w, "no --push, --oci-layout or --tarball: writing the OCI layout %s\n", displayPath(o.ociLayout))
	}
	if o.ociLayout != "" {
		if err := ociimage.WriteLayout(o.ociLayout, res.Index); err != nil {
			return "", fmt.Errorf("build: --oci-layout %s: %w", o.ociLayout, err)
		}
		fmt.Fprintf(w, "wrote the OCI layout %s\n", displayPath(o.ociLayout))
	}
	if o.tarball != "" {
		if err := ociimage.WriteTarball(o.tarball, res.Index); err != nil {
			return "", fmt.Errorf("build: --tarball %s: %w", o.tarball, err)
		}
		info, err := os.Stat(o.tarball)
		if err != nil {
			return "", fmt.Errorf("build: --tarball %s: %w", o.tarball, err)
		}
		fmt.Fprintf(w, "wrote the OCI archive %s (%.1f MB)\n", displayPath(o.tarball), float64(info.Size())/1e6)
	}
	if o.push == "" {
		return res.Digest.String(), nil
	}
	ref, err := ociimage.Push(ctx, res.Index, o.push, w)
	if err != nil {
		return "", pushError(o.push, err)
	}
	return ref, nil
}
