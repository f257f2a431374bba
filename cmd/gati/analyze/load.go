// Package analyze reads a Gati app's source with go/packages and go/types
// and describes it as a manifest: the routes and middleware declared with
// //gati: directives and the modules the app defines. Generate turns the
// manifest into the app's registration code.
package analyze

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/tools/go/packages"

	"gati.dev/gati/manifest"
)

// GenFile is the name of the generated registration file in the app's
// main package.
const GenFile = "gati_gen.go"

// loadMode is what the analysis needs: syntax for the directives, types
// for the signatures. Dependencies come from export data, which the go
// command caches, rather than being type-checked from source.
//
// gati_gen.go is loaded as it is on disk, though it may be missing (a new
// app) or stale (naming a handler that was removed): analysis.loadErrors
// drops the errors that causes. An overlay replacing it would be cleaner,
// but the go command does not cache builds of overlaid packages, which
// made Load several times slower.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedModule

// Load analyzes the app whose module root (dir with go.mod) and main
// package are in dir. Source problems come back as *Errors (every problem,
// not just the first), each "file:line:col: message" with file relative
// to dir.
func Load(ctx context.Context, dir string) (*manifest.Manifest, error) {
	r, err := Analyze(ctx, dir)
	if err != nil {
		return nil, err
	}
	return r.Manifest, nil
}

// Result is what Analyze finds: the manifest, and what tools need besides.
type Result struct {
	Manifest *manifest.Manifest
	// ModuleConfigs has an entry per module of the manifest, in order.
	ModuleConfigs []ModuleConfig
}

// Options change what an analysis accepts.
type Options struct {
	// ForClients analyzes the app for generated clients: an interface
	// type other than any in a typed route's request or response is a
	// problem, reported at the field, since no client can type it.
	ForClients bool
}

// Analyze is Load, returning also the modules' configuration types.
func Analyze(ctx context.Context, dir string) (*Result, error) {
	return AnalyzeWith(ctx, dir, Options{})
}

// AnalyzeWith is Analyze with options.
func AnalyzeWith(ctx context.Context, dir string, o Options) (*Result, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("analyze: %s has no go.mod", dir)
	}
	fset := token.NewFileSet()
	pkgs, err := packages.Load(&packages.Config{
		Context: ctx,
		Mode:    loadMode,
		Dir:     dir,
		Fset:    fset,
	}, "./...")
	if err != nil {
		return nil, fmt.Errorf("analyze: loading %s: %w", dir, err)
	}
	slices.SortFunc(pkgs, func(a, b *packages.Package) int { return cmp.Compare(a.PkgPath, b.PkgPath) })
	a := &analysis{dir: dir, pkgs: pkgs, rep: reporter{dir: dir, fset: fset}, opts: o}
	m, err := a.run()
	if err != nil {
		if merr := moduleError(ctx, dir); merr != nil {
			return nil, merr
		}
		return nil, err
	}
	return &Result{Manifest: m, ModuleConfigs: append(a.moduleConfigs(m.Modules), a.libraryModuleConfigs()...)}, nil
}
