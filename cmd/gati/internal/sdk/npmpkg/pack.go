// Package npmpkg packages the generated TypeScript client as an npm
// package (compiled ESM JavaScript, declarations, package.json and a README
// made from the routes) and publishes it with npm.
package npmpkg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/sdk/tsclient"
)

// Options of Pack.
type Options struct {
	// Name is the package's name ("tasks", "@acme/tasks"); the API's
	// title, made a valid npm name, when empty.
	Name string
	// License is an SPDX expression, or "UNLICENSED" (the default) for a
	// package that is not open source.
	License string
	// OutDir receives the .tgz.
	OutDir string
}

var validName = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)

// PackageName returns the npm package name of an app titled title:
// lower-cased, with characters npm does not allow turned into dashes.
func PackageName(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '~':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-._~")
	if name == "" {
		return "api-client"
	}
	return name
}

// Pack compiles ts, the files the TypeScript generator wrote for a, into
// an npm package and writes it to o.OutDir as <name>-<semver>.tgz, whose
// path it returns. Nothing is left behind when it fails.
func Pack(ctx context.Context, t *Toolchain, a *api.API, ts map[string][]byte, o Options) (string, error) {
	name := o.Name
	if name == "" {
		name = PackageName(a.Title)
	}
	if len(name) > 214 || !validName.MatchString(name) {
		return "", fmt.Errorf("%q is not a valid npm package name (lower-case letters, digits, - . _ ~, optionally @scope/)", name)
	}
	license := o.License
	if license == "" {
		license = "UNLICENSED"
	}
	build, err := os.MkdirTemp("", "gati-sdk-pack-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(build)
	src := filepath.Join(build, "src")
	for p, b := range ts {
		target := filepath.Join(src, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			return "", err
		}
	}
	if _, ok := ts["tsconfig.json"]; !ok {
		return "", fmt.Errorf("the TypeScript client has no tsconfig.json to compile it with")
	}
	cmd := exec.CommandContext(ctx, t.Node, t.TSC, "-p", filepath.Join(src, "tsconfig.json"), "--outDir", filepath.Join(build, "dist"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("compiling the TypeScript client failed (a bug in gati generate: please report it): %v\n%s", err, out)
	}
	files := map[string][]byte{"README.md": readme(a, name)}
	if files["package.json"], err = packageJSON(a, name, license); err != nil {
		return "", err
	}
	for f, b := range files {
		if err := os.WriteFile(filepath.Join(build, f), b, 0o644); err != nil {
			return "", err
		}
	}
	outDir, err := filepath.Abs(o.OutDir) // npm pack runs in the build directory
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	cmd = exec.CommandContext(ctx, t.NPM, "pack", "--json", "--pack-destination", outDir)
	cmd.Dir = build
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack failed: %v\n%s", err, stderr.String())
	}
	var packed []struct {
		Filename string `json:"filename"`
	}
	if err := json.Unmarshal(out, &packed); err != nil || len(packed) != 1 {
		return "", fmt.Errorf("npm pack printed %q: %v", out, err)
	}
	return filepath.Join(o.OutDir, packed[0].Filename), nil
}

// packageJSON is the package's manifest: ESM with its declarations, no
// dependencies, for Node.js 18 and newer (global fetch) and browsers.
func packageJSON(a *api.API, name, license string) ([]byte, error) {
	desc := fmt.Sprintf("TypeScript client of the %s API", a.Title)
	if a.Version != "" {
		desc += fmt.Sprintf(", version %s", a.Version)
	}
	type exportEntry struct {
		Types  string `json:"types"`
		Import string `json:"import"`
	}
	manifest := struct {
		Name        string                 `json:"name"`
		Version     string                 `json:"version"`
		Description string                 `json:"description"`
		License     string                 `json:"license"`
		Type        string                 `json:"type"`
		Main        string                 `json:"main"`
		Types       string                 `json:"types"`
		Exports     map[string]exportEntry `json:"exports"`
		Files       []string               `json:"files"`
		SideEffects bool                   `json:"sideEffects"`
		Engines     map[string]string      `json:"engines"`
		Gati        map[string]string      `json:"gati"`
	}{
		Name: name, Version: a.Semver, Description: desc, License: license,
		Type: "module", Main: "./dist/index.js", Types: "./dist/index.d.ts",
		Exports:     map[string]exportEntry{".": {Types: "./dist/index.d.ts", Import: "./dist/index.js"}},
		Files:       []string{"dist", "README.md"},
		SideEffects: false,
		Engines:     map[string]string{"node": ">=18"},
		Gati:        map[string]string{"apiVersion": a.Version, "module": a.Module},
	}
	b, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// readme documents the package from the API: how to install and call it,
// its version pinning, and every operation.
func readme(a *api.API, name string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", name)
	fmt.Fprintf(&b, "TypeScript client of the %s API, generated by `gati generate` from the\nserver's own types. It has no dependencies: it uses the global `fetch` of\nNode.js 18+, Deno and browsers.\n\n", a.Title)
	fmt.Fprintf(&b, "```sh\nnpm install %s\n```\n\n", name)
	if a.Version != "" {
		fmt.Fprintf(&b, "It is pinned to API version **%s**: every request sends\n`X-API-Version: %s`, and the server answers in that version's shapes\neven after newer versions change them.", a.Version, a.Version)
		if a.Deprecated != nil {
			fmt.Fprintf(&b, " This version is **deprecated**")
			if a.Sunset != nil {
				fmt.Fprintf(&b, " and stops being served on %s", a.Sunset.UTC().Format("2006-01-02"))
			}
			b.WriteString(".")
		}
		b.WriteString("\n\n")
	}
	class := tsclient.ClientClass(a)
	fmt.Fprintf(&b, "## Usage\n\n```ts\nimport { %s, ApiError } from %q;\n\n", class, name)
	fmt.Fprintf(&b, "const client = new %s({ baseUrl: \"http://localhost:8080\" });\n", class)
	if op := firstCall(a); op != nil {
		fmt.Fprintf(&b, "try {\n  const result = await client.%s(%s);\n  console.log(result);\n} catch (err) {\n  if (err instanceof ApiError) console.error(err.status, err.code, err.detail);\n}\n", op.ID, exampleArgs(op))
	}
	b.WriteString("```\n\n## Operations\n\n| Method | Path | Function |\n| --- | --- | --- |\n")
	for _, op := range a.Operations {
		fmt.Fprintf(&b, "| %s | `%s` | `%s` |\n", op.Method, op.Path, op.ID)
	}
	return b.Bytes()
}

// firstCall picks the operation the usage example calls: the first JSON
// GET, else the first JSON operation.
func firstCall(a *api.API) *api.Operation {
	var first *api.Operation
	for i := range a.Operations {
		op := &a.Operations[i]
		if op.Kind != api.JSON {
			continue
		}
		if op.Method == "GET" {
			return op
		}
		if first == nil {
			first = op
		}
	}
	return first
}

func exampleArgs(op *api.Operation) string {
	var args []string
	for _, p := range op.Params {
		if p.In == "path" {
			args = append(args, fmt.Sprintf("%q", p.Name))
		}
	}
	return strings.Join(args, ", ")
}
