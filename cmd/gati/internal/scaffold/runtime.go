package scaffold

import (
	"context"
	"io"

	"gati.dev/gati/cmd/gati/internal/runtimemod"
)

// RuntimeOptions returns Options for an app on the runtime this gati
// carries: its version, the dependency versions the CLI was built with,
// and the go.sum lines for them.
func RuntimeOptions(module string) (Options, error) {
	sums, err := runtimemod.Sums()
	if err != nil {
		return Options{}, err
	}
	reqs, err := runtimemod.Requirements()
	if err != nil {
		return Options{}, err
	}
	var require []string
	for _, r := range reqs {
		require = append(require, r.Path+" "+r.Version)
	}
	return Options{Module: module, Version: runtimemod.Version, Require: require, GoSum: sums}, nil
}

// New writes the app into dir with RuntimeOptions, installs the runtime
// into the module cache and runs go mod tidy: what gati create does,
// without its messages. Tests use it.
func New(ctx context.Context, dir, module string, out io.Writer) error {
	opts, err := RuntimeOptions(module)
	if err != nil {
		return err
	}
	if _, err := Write(dir, opts); err != nil {
		return err
	}
	if err := runtimemod.Install(ctx); err != nil {
		return err
	}
	return Tidy(ctx, dir, out)
}
