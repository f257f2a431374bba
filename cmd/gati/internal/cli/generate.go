package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/configschema"
	"gati.dev/gati/cmd/gati/internal/sdk"
	"gati.dev/gati/cmd/gati/internal/sdk/npmpkg"
	"gati.dev/gati/manifest"
)

// generateOptions are the flags of gati generate.
type generateOptions struct {
	dir         string
	out         string // relative to dir unless absolute
	version     string
	allVersions bool
	targets     string
	goOut       string
	goPackage   string
	check       bool
	npm         bool
	npmName     string
	license     string
}

func newGenerateCmd() *cobra.Command {
	var o generateOptions
	cmd := &cobra.Command{
		Use:   "generate [dir]",
		Short: "Generate the OpenAPI document and the TypeScript and Go clients",
		Long: `Generate analyzes the app in dir (default: the current directory) and
writes, from the same schemas that validate its requests:

  .gati/generated/openapi.json   OpenAPI 3.1 of the current code
  .gati/generated/ts/            a TypeScript client (ESM, no dependencies)
  .gati/generated/goclient/      a Go client (standard library only)
  .gati/generated/gati.schema.json  the JSON Schema of gati.yaml, for editors

The clients send the API version they were generated for in X-API-Version:
the newest recorded version for the current code. With --version, the
outputs describe a recorded version's shapes (from .gati/versions) and go
to .gati/generated/versions/<id>/; an old client keeps working because the
server translates. --all-versions writes the current code's and every
recorded version's.

The output is deterministic: a second run changes nothing. Files that a
generator no longer writes are removed from ts/ and goclient/. If anything
fails, nothing is written. With --check nothing is written either: the
command fails, listing the files, when the outputs are not current.`,
		Example: `  gati generate
  gati generate ./api --targets openapi,ts
  gati generate --version {older}
  gati generate --go-out ./client --go-package client
  gati generate --check
  gati generate --npm --license MIT`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := resolveDir("generate", args, o.dir)
			if err != nil {
				return err
			}
			o.dir = dir
			return runGenerate(cmd, o)
		},
	}
	addDirFlag(cmd, &o.dir)
	f := cmd.Flags()
	f.StringVar(&o.out, "out", filepath.Join(".gati", "generated"), "output directory, relative to the app directory")
	f.StringVar(&o.version, "version", "", "generate for this recorded API version instead of the current code")
	f.BoolVar(&o.allVersions, "all-versions", false, "generate for the current code and every recorded version")
	f.StringVar(&o.targets, "targets", "openapi,ts,go,config", "what to generate: openapi, ts, go, config (gati.yaml's JSON Schema), comma-separated")
	f.StringVar(&o.goOut, "go-out", "", "directory of the Go client, relative to the app directory (default <out>/goclient)")
	f.StringVar(&o.goPackage, "go-package", "client", "package name of the Go client")
	f.BoolVar(&o.check, "check", false, "write nothing; fail when the generated files are not current")
	f.BoolVar(&o.npm, "npm", false, "also build the TypeScript client as an npm package: sdk/<name>-<semver>.tgz")
	f.StringVar(&o.npmName, "npm-name", "", "npm package name (default: the app's name)")
	f.StringVar(&o.license, "license", "UNLICENSED", "license of the npm package, an SPDX expression")
	return cmd
}

func runGenerate(cmd *cobra.Command, o generateOptions) error {
	w := cmd.ErrOrStderr()
	if o.version != "" && o.allVersions {
		return errors.New("generate: --version and --all-versions exclude each other; give one")
	}
	targets, err := sdk.ParseTargets(o.targets)
	if err != nil {
		return fmt.Errorf("generate: --targets: %w", err)
	}
	if !isGoIdentifier(o.goPackage) {
		return fmt.Errorf("generate: --go-package %q is not a Go package name", o.goPackage)
	}
	// The analysis below rewrites nothing, but a manifest from a newer
	// gati means this one is too old for the app's .gati directory.
	if _, err := manifest.Read(o.dir); errors.Is(err, manifest.ErrNewerFormat) {
		return fmt.Errorf("generate: %w", err)
	}
	r, err := analyzeApp(cmd.Context(), "generate", o.dir, w, true, analyze.Options{ForClients: true})
	if err != nil {
		return err
	}
	m := r.Manifest
	jobs, err := generateJobs(o, m)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	configSchema, err := configschema.Schema(r.ModuleConfigs)
	if err != nil {
		return fmt.Errorf("generate: the schema of gati.yaml: %w", err)
	}
	// Generate everything before writing anything: a version that fails
	// leaves every output as it was.
	type result struct {
		job   generateJob
		files sdk.Files
		owned sdk.Owned
		took  time.Duration
	}
	var results []result
	for _, j := range jobs {
		start := time.Now()
		opts := sdk.Options{Targets: targets, GoPackage: o.goPackage, GoDir: j.goDir}
		if j.api.Head {
			opts.ConfigSchema = configSchema
		}
		files, owned, err := sdk.Generate(j.api, opts)
		if err != nil {
			return fmt.Errorf("generate %s: %w", j.label, err)
		}
		results = append(results, result{j, files, owned, time.Since(start)})
	}
	var stale []string
	for _, r := range results {
		if o.check {
			s, err := sdk.Stale(r.job.out, r.files, r.owned)
			if err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			for _, p := range s {
				stale = append(stale, filepath.Join(r.job.out, filepath.FromSlash(p)))
			}
			continue
		}
		changed, err := sdk.Write(r.job.out, r.files, r.owned)
		if err != nil {
			return fmt.Errorf("generate: writing %s: %w", r.job.out, err)
		}
		fmt.Fprintf(w, "generated %s: %s → %s (%s, %s)\n", r.job.label, sdk.Summary(r.files), r.job.out,
			changedSummary(len(changed)), seconds(r.took))
	}
	if len(stale) > 0 {
		return fmt.Errorf("generate --check: %d generated files are not current:\n  %s\nrun gati generate to update them",
			len(stale), strings.Join(stale, "\n  "))
	}
	if o.check {
		fmt.Fprintln(w, "generated files are current")
		return nil
	}
	if o.npm {
		for _, r := range results {
			if err := packNPM(cmd.Context(), o, r.job.api, r.files, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// packNPM builds the npm package of a job's TypeScript client into the
// app's sdk directory.
func packNPM(ctx context.Context, o generateOptions, a *api.API, files sdk.Files, w io.Writer) error {
	ts := map[string][]byte{}
	for p, b := range files {
		if rest, ok := strings.CutPrefix(p, sdk.TSDir+"/"); ok {
			ts[rest] = b
		}
	}
	if len(ts) == 0 {
		return errors.New("generate: --npm packages the TypeScript client: add ts to --targets")
	}
	start := time.Now()
	tc, err := npmpkg.FindToolchain(ctx, "", w)
	if err != nil {
		return fmt.Errorf("generate --npm: %w", err)
	}
	fmt.Fprint(w, "packing the npm package…")
	tgz, err := npmpkg.Pack(ctx, tc, a, ts, npmpkg.Options{Name: o.npmName, License: o.license, OutDir: filepath.Join(o.dir, "sdk")})
	fmt.Fprintln(w)
	if err != nil {
		return fmt.Errorf("generate --npm: %w", err)
	}
	fmt.Fprintf(w, "packed %s (%s); publish it with gati sdk publish %s --registry <url>\n", tgz, seconds(time.Since(start)), tgz)
	return nil
}

// generateJob is one API version to generate, and where.
type generateJob struct {
	label string // "the current code (2025-06-01)", "version 2025-01-01"
	api   *api.API
	out   string
	goDir string // relative to out; "" for the default
}

func generateJobs(o generateOptions, m *manifest.Manifest) ([]generateJob, error) {
	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(o.dir, out)
	}
	var ids []string
	switch {
	case o.version != "":
		ids = []string{o.version}
	default:
		ids = []string{api.Head}
		if o.allVersions {
			head, err := api.Load(o.dir, m, api.Head)
			if err != nil {
				return nil, err
			}
			for _, v := range head.Versions {
				ids = append(ids, v.ID)
			}
		}
	}
	var jobs []generateJob
	for _, id := range ids {
		a, err := api.Load(o.dir, m, id)
		if err != nil {
			return nil, err
		}
		j := generateJob{api: a, out: out, label: "the current code"}
		if a.Version != "" && id == api.Head {
			j.label += " (" + a.Version + ")"
		}
		if id != api.Head {
			j.out, j.label = filepath.Join(out, "versions", id), "version "+id
		}
		if o.goOut != "" {
			goOut := o.goOut
			if !filepath.IsAbs(goOut) {
				goOut = filepath.Join(o.dir, goOut)
			}
			if id != api.Head {
				goOut = filepath.Join(goOut, id)
			}
			rel, err := filepath.Rel(j.out, goOut)
			if err != nil {
				return nil, fmt.Errorf("--go-out: %w", err)
			}
			j.goDir = filepath.ToSlash(rel)
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

func changedSummary(n int) string {
	switch n {
	case 0:
		return "unchanged"
	case 1:
		return "1 file changed"
	}
	return fmt.Sprintf("%d files changed", n)
}

func isGoIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
