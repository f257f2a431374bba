package analyze

import (
	"cmp"
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"

	"gati.dev/gati/cmd/gati/analyze/staticschema"
	"gati.dev/gati/manifest"
)

// analysis is one run of Load over the app's packages.
type analysis struct {
	dir  string
	opts Options
	pkgs []*packages.Package // sorted by import path
	rep  reporter
	api  *gatiAPI

	main       *packages.Package
	middleware map[string]manifest.Middleware // by name
	declared   map[string]bool                // names of //gati:middleware funcs, valid or not
	routes     []manifest.Route
	mws        []manifest.Middleware             // in declaration order
	schemaCfg  *staticschema.Config              // see schemaConfig
	enums      map[*types.TypeName]manifest.Enum // found by the schemas
}

func (a *analysis) run() (*manifest.Manifest, error) {
	if err := a.findMain(); err != nil {
		return nil, err
	}
	a.loadErrors()
	a.api = findGatiAPI(a.pkgs)
	routes, middleware := a.split(a.directives())
	a.collectMiddleware(middleware)
	a.collectRoutes(routes)
	mods := a.modules()
	if err := a.rep.err(); err != nil {
		return nil, err
	}
	return a.manifest(mods), nil
}

// findMain finds the main package in the app directory.
func (a *analysis) findMain() error {
	for _, p := range a.pkgs {
		if len(p.GoFiles) > 0 && filepath.Dir(p.GoFiles[0]) == a.dir {
			if p.Name != "main" {
				return fmt.Errorf("analyze: %s holds package %s; the app's main package must be at its module root", a.dir, p.Name)
			}
			a.main = p
			return nil
		}
	}
	return fmt.Errorf("analyze: %s has no main package", a.dir)
}

// loadErrors reports the errors of the go command, the parser and the
// type checker, except those due to gati_gen.go, which is rewritten after
// analysis. When the compiler reports a package's errors, its one clear
// line per problem replaces go/packages' own copies (the parser's often
// come in threes for one typo).
func (a *analysis) loadErrors() {
	gen := filepath.Join(a.dir, GenFile)
	_, err := os.Stat(gen)
	hasGen := err == nil
	for _, p := range a.pkgs {
		compiler := slices.ContainsFunc(p.Errors, isCompilerOutput)
		typeErrs := slices.ContainsFunc(p.Errors, func(e packages.Error) bool { return e.Kind == packages.TypeError })
		for _, e := range p.Errors {
			switch {
			case isCompilerOutput(e) && typeErrs && !hasParseErrors(p):
			case isCompilerOutput(e):
				a.rep.compilerOutput(e.Msg, gen)
			case compiler && e.Kind == packages.ParseError:
			case strings.HasPrefix(e.Pos, gen+":"):
			case !hasGen && p == a.main && e.Msg == "undefined: gatiRegister":
			default:
				a.rep.packageError(e)
			}
		}
	}
}

// isCompilerOutput reports whether e carries the compiler's "# pkg" output.
func isCompilerOutput(e packages.Error) bool {
	return e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ")
}

func hasParseErrors(p *packages.Package) bool {
	return slices.ContainsFunc(p.Errors, func(e packages.Error) bool { return e.Kind == packages.ParseError })
}

func (a *analysis) manifest(mods []manifest.Module) *manifest.Manifest {
	m := &manifest.Manifest{
		SchemaVersion: manifest.SchemaVersion,
		MainDir:       ".",
		Routes:        a.routes,
		Middleware:    a.mws,
		Modules:       mods,
		Enums:         a.enumList(),
	}
	if mod := a.main.Module; mod != nil {
		m.Module, m.GoVersion = mod.Path, mod.GoVersion
	}
	used := map[string]bool{}
	for _, r := range m.Routes {
		used[r.Handler.Package] = true
	}
	for _, mw := range m.Middleware {
		used[mw.Package] = true
	}
	for _, mod := range m.Modules {
		used[mod.Package] = true
	}
	for _, e := range m.Enums {
		used[e.Package] = true
	}
	for _, p := range a.pkgs {
		if used[p.PkgPath] {
			m.Packages = append(m.Packages, manifest.Package{Path: p.PkgPath, Name: p.Name, Dir: a.pkgDir(p)})
		}
	}
	slices.SortStableFunc(m.Routes, func(x, y manifest.Route) int {
		// The current implementation first, then older ones, newest first.
		return cmp.Or(cmp.Compare(x.Path, y.Path), cmp.Compare(x.Method, y.Method), untilOrder(x.Until, y.Until))
	})
	return m
}

func (a *analysis) pkgDir(p *packages.Package) string {
	if len(p.GoFiles) == 0 {
		return ""
	}
	return a.rep.rel(filepath.Dir(p.GoFiles[0]))
}

// untilOrder sorts "" (the current implementation) first, then until=
// versions newest first.
func untilOrder(x, y string) int {
	switch {
	case x == y:
		return 0
	case x == "":
		return -1
	case y == "":
		return 1
	}
	return -cmp.Compare(x, y)
}
