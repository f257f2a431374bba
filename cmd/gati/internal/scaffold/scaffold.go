// Package scaffold writes a new Gati app from the embedded template: a
// module with one typed route, its generated registration, a test and a
// configuration file, ready to build and run offline.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

//go:embed template
var templateFS embed.FS

// Options configures Write. The zero value means defaults.
type Options struct {
	// Module is the module path; default: the base name of the directory.
	Module string
	// Version is the version of gati.dev/gati the app requires; default
	// v0.0.0 (tests only: no module cache has it).
	Version string
	// Require lists further requirements, "path version", each marked
	// indirect: the runtime's dependencies at the versions the CLI was
	// built with.
	Require []string
	// GoSum, when set, is written as the app's go.sum: the runtime's
	// checksums, so that go mod tidy needs neither network nor checksum
	// database for what the CLI carries.
	GoSum []byte
}

// RuntimeModule is the module path of the Gati runtime.
const RuntimeModule = "gati.dev/gati"

// data is what the templates see.
type data struct {
	Name      string // app name: the last element of the module path
	Module    string
	Version   string
	Require   []string
	HelloLine int // line of hello.go's //gati:route directive
}

// HelloDirective is the route directive of the template's handler.
const HelloDirective = "//gati:route GET /hello"

// Write creates dir (which must not exist or be empty) and writes the app
// into it. It returns the written files, relative to dir, in order.
func Write(dir string, opts Options) ([]string, error) {
	if err := checkEmpty(dir); err != nil {
		return nil, err
	}
	d, err := newData(dir, opts)
	if err != nil {
		return nil, err
	}
	files, err := render(d)
	if err != nil {
		return nil, err
	}
	if opts.GoSum != nil {
		files = append(files, file{name: "go.sum", body: opts.GoSum})
		slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.name, b.name) })
	}
	return writeFiles(dir, files)
}

func newData(dir string, opts Options) (data, error) {
	mod := opts.Module
	if mod == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return data{}, err
		}
		mod = filepath.Base(abs)
	}
	if err := checkModulePath(mod); err != nil {
		return data{}, err
	}
	v := opts.Version
	if v == "" {
		v = "v0.0.0"
	}
	return data{Name: path.Base(mod), Module: mod, Version: v, Require: opts.Require}, nil
}

// checkModulePath rejects what go.mod cannot hold unquoted; the go command
// checks the rest.
func checkModulePath(mod string) error {
	if mod == "" || mod == "." || strings.ContainsAny(mod, " \t\n\"'`\\") {
		return fmt.Errorf("%q is not a valid module path; choose one with --module (e.g. --module example.com/demo)", mod)
	}
	return nil
}

// CheckEmpty returns the error Write would for dir: it exists and is a
// file or a directory that is not empty.
func CheckEmpty(dir string) error { return checkEmpty(dir) }

// checkEmpty refuses an existing file or non-empty directory.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && len(entries) == 0 {
		return nil
	}
	next := freeSibling(dir)
	if err != nil {
		return fmt.Errorf("%s exists and is not a directory; choose another name (e.g. %s)", dir, next)
	}
	return fmt.Errorf("%s already exists and is not empty; choose another directory (e.g. %s)", dir, next)
}

// freeSibling suggests a name next to dir that is free: demo → demo2,
// demo2 → demo3.
func freeSibling(dir string) string {
	base := filepath.Base(dir)
	stem := strings.TrimRight(base, "0123456789")
	n, _ := strconv.Atoi(base[len(stem):])
	for n = max(n+1, 2); n < 100; n++ {
		name := stem + strconv.Itoa(n)
		if _, err := os.Stat(filepath.Join(filepath.Dir(dir), name)); errors.Is(err, fs.ErrNotExist) {
			return name
		}
	}
	return base + "-new"
}

// file is one rendered file of the app.
type file struct {
	name string
	body []byte
}

// render executes every template; hello.go first, since the generated
// registration needs its directive's line.
func render(d data) ([]file, error) {
	names, err := fs.Glob(templateFS, "template/*.tmpl")
	if err != nil {
		return nil, err
	}
	hello, err := execute("template/hello.go.tmpl", d)
	if err != nil {
		return nil, err
	}
	if d.HelloLine = lineOf(hello, HelloDirective); d.HelloLine == 0 {
		return nil, errors.New("scaffold: hello.go template has no route directive")
	}
	var files []file
	for _, name := range names {
		body, err := execute(name, d)
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: outputName(name), body: body})
	}
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.name, b.name) })
	return files, nil
}

func execute(name string, d data) ([]byte, error) {
	t, err := template.ParseFS(templateFS, name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("scaffold: %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// lineOf returns the 1-based line of src that is exactly line, or 0.
func lineOf(src []byte, line string) int {
	for i, l := range strings.Split(string(src), "\n") {
		if strings.TrimSpace(l) == line {
			return i + 1
		}
	}
	return 0
}

// outputName maps "template/gitignore.tmpl" to ".gitignore" and
// "template/main.go.tmpl" to "main.go". Templates are named so that embed
// keeps them (no leading dot) and the go command ignores them (no go.mod,
// no .go suffix).
func outputName(name string) string {
	base := strings.TrimSuffix(path.Base(name), ".tmpl")
	if base == "gitignore" {
		return ".gitignore"
	}
	return base
}

func writeFiles(dir string, files []file) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.body, 0o644); err != nil {
			return written, err
		}
		written = append(written, f.name)
	}
	return written, nil
}
