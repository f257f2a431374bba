package analyze

import (
	"cmp"
	"fmt"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Diagnostic is one problem in the app's source.
type Diagnostic struct {
	File      string // relative to the app directory, slash-separated; empty when unknown
	Line, Col int
	Msg       string
}

// String formats d as "file:line:col: msg", or just msg when d has no
// position.
func (d Diagnostic) String() string {
	if d.File == "" {
		return d.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Msg)
}

// Errors is every problem Load found, sorted by position.
type Errors struct {
	Diagnostics []Diagnostic
}

// Error lists the diagnostics one per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// reporter collects diagnostics with file names relative to dir.
type reporter struct {
	dir   string
	fset  *token.FileSet
	diags []Diagnostic
}

// at reports a problem at pos.
func (r *reporter) at(pos token.Pos, format string, args ...any) {
	p := r.fset.Position(pos)
	r.diags = append(r.diags, Diagnostic{File: r.rel(p.Filename), Line: p.Line, Col: p.Column, Msg: fmt.Sprintf(format, args...)})
}

// loc returns "file:line" of pos, the form route locations take.
func (r *reporter) loc(pos token.Pos) string {
	p := r.fset.Position(pos)
	return fmt.Sprintf("%s:%d", r.rel(p.Filename), p.Line)
}

func (r *reporter) rel(file string) string {
	if file == "" {
		return ""
	}
	if rel, err := filepath.Rel(r.dir, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = rel
	}
	return filepath.ToSlash(file)
}

// packageError reports an error of the go command, the parser or the type
// checker, whose position is a string "file:line:col", "file:line", "-"
// or "".
func (r *reporter) packageError(e packages.Error) {
	d := Diagnostic{Msg: e.Msg}
	parts := strings.Split(e.Pos, ":")
	nums := 0
	for nums < 2 && len(parts)-nums > 1 {
		if _, err := strconv.Atoi(parts[len(parts)-1-nums]); err != nil {
			break
		}
		nums++
	}
	if e.Pos != "" && e.Pos != "-" {
		d.File = r.rel(strings.Join(parts[:len(parts)-nums], ":"))
	}
	if nums > 0 {
		d.Line, _ = strconv.Atoi(parts[len(parts)-nums])
	}
	if nums > 1 {
		d.Col, _ = strconv.Atoi(parts[len(parts)-1])
	}
	r.diags = append(r.diags, d)
}

// compilerOutput reports each "file:line:col: message" line of the
// compiler's output for one package (its first line is "# pkg"), except
// those about the file skip.
func (r *reporter) compilerOutput(msg, skip string) {
	for _, line := range strings.Split(msg, "\n")[1:] {
		pos, text, ok := strings.Cut(line, ": ")
		if !ok || !strings.Contains(pos, ".go:") {
			continue
		}
		pos = strings.TrimPrefix(pos, "./")
		if !filepath.IsAbs(pos) {
			pos = filepath.Join(r.dir, pos)
		}
		if strings.HasPrefix(pos, skip+":") {
			continue
		}
		r.packageError(packages.Error{Pos: pos, Msg: text})
	}
}

// err returns the diagnostics, sorted and without duplicates, as *Errors,
// or nil when there are none.
func (r *reporter) err() error {
	if len(r.diags) == 0 {
		return nil
	}
	slices.SortStableFunc(r.diags, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return &Errors{Diagnostics: slices.Compact(r.diags)}
}
