package analyze

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/tools/go/packages"
)

// directivePrefix starts every directive comment, like //go: directives.
const directivePrefix = "//gati:"

// directive is one //gati: comment line.
type directive struct {
	name string    // "route", "middleware", or whatever follows the prefix
	pos  token.Pos // start of the comment
	args []word    // the words after the name
	pkg  *packages.Package
	file string // absolute file name, for ordering
	line int
	decl ast.Decl // the declaration the comment documents, or nil
}

// word is a whitespace-separated word of a directive and its position.
type word struct {
	text string
	pos  token.Pos
}

// directives returns every directive of the app, in declaration order:
// package path, file name, line.
func (a *analysis) directives() []*directive {
	var ds []*directive
	for _, p := range a.pkgs {
		for _, f := range p.Syntax {
			ds = append(ds, a.fileDirectives(p, f)...)
		}
	}
	slices.SortStableFunc(ds, func(x, y *directive) int {
		return cmp.Or(cmp.Compare(x.pkg.PkgPath, y.pkg.PkgPath), cmp.Compare(x.file, y.file), cmp.Compare(x.line, y.line))
	})
	return ds
}

func (a *analysis) fileDirectives(p *packages.Package, f *ast.File) []*directive {
	docs := docTargets(f)
	var ds []*directive
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if !strings.HasPrefix(c.Text, directivePrefix) {
				a.nearMiss(c)
				continue
			}
			d := parseDirective(c)
			d.pkg, d.decl = p, docs[cg]
			pos := a.rep.fset.Position(c.Slash)
			d.file, d.line = pos.Filename, pos.Line
			ds = append(ds, d)
		}
	}
	return ds
}

// docTargets maps each doc comment of f to the declaration it documents.
func docTargets(f *ast.File) map[*ast.CommentGroup]ast.Decl {
	docs := map[*ast.CommentGroup]ast.Decl{}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			docs[d.Doc] = d
		case *ast.GenDecl:
			docs[d.Doc] = d
			for _, s := range d.Specs {
				docs[specDoc(s)] = d
			}
		}
	}
	delete(docs, nil)
	return docs
}

func specDoc(s ast.Spec) *ast.CommentGroup {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return s.Doc
	case *ast.ValueSpec:
		return s.Doc
	}
	return nil
}

// parseDirective splits a directive comment into its name and words.
func parseDirective(c *ast.Comment) *directive {
	d := &directive{pos: c.Slash}
	text := c.Text[len(directivePrefix):]
	off := len(directivePrefix)
	for text != "" {
		start := strings.IndexFunc(text, func(r rune) bool { return !unicode.IsSpace(r) })
		if start < 0 {
			break
		}
		end := strings.IndexFunc(text[start:], unicode.IsSpace)
		if end < 0 {
			end = len(text) - start
		}
		w := word{text: text[start : start+end], pos: c.Slash + token.Pos(off+start)}
		d.args = append(d.args, w)
		text, off = text[start+end:], off+start+end
	}
	if len(d.args) > 0 && d.args[0].pos == c.Slash+token.Pos(len(directivePrefix)) {
		d.name, d.args = d.args[0].text, d.args[1:]
	}
	return d
}

// funcOf returns the exported top-level func a directive documents, or
// reports why there is none.
func (a *analysis) funcOf(d *directive) (*ast.FuncDecl, *types.Func, bool) {
	fd, ok := d.decl.(*ast.FuncDecl)
	switch {
	case d.decl == nil:
		a.rep.at(d.pos, "//gati:%s must be in the doc comment directly above an exported top-level func", d.name)
		return nil, nil, false
	case !ok:
		a.rep.at(d.pos, "//gati:%s must be on a func, not a %s declaration", d.name, d.decl.(*ast.GenDecl).Tok)
		return nil, nil, false
	case fd.Recv != nil:
		a.rep.at(d.pos, "//gati:%s is on method %s; it must be on a top-level func", d.name, fd.Name.Name)
		return nil, nil, false
	case !fd.Name.IsExported():
		a.rep.at(d.pos, "//gati:%s is on func %s, which is not exported; directives apply to exported funcs only", d.name, fd.Name.Name)
		return nil, nil, false
	}
	if d.pkg.Types == nil {
		return nil, nil, false
	}
	fn, ok := d.pkg.Types.Scope().Lookup(fd.Name.Name).(*types.Func)
	return fd, fn, ok // not ok: a type error, already reported
}

// directiveNames are the directives there are.
var directiveNames = []string{"route", "middleware"}

// nearMiss reports a comment that looks like a directive but is not one,
// and would be silently ignored: "// gati:route" or "//  Gati:route GET /x"
// (Go directives take no space after //).
func (a *analysis) nearMiss(c *ast.Comment) {
	text, ok := strings.CutPrefix(c.Text, "//")
	if !ok {
		return
	}
	rest, ok := cutFold(strings.TrimSpace(text), "gati:")
	if !ok {
		return
	}
	name, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if closest(name) == "" {
		return
	}
	a.rep.at(c.Slash, "%q is not a directive, so it is ignored: write %s%s with no space after // (as in //go: directives)",
		c.Text, directivePrefix, closest(name))
}

// cutFold is strings.CutPrefix, ignoring case.
func cutFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// closest returns the directive name within two edits of name, or "".
func closest(name string) string {
	name = strings.ToLower(name)
	for _, d := range directiveNames {
		if editDistance(name, d) <= 2 {
			return d
		}
	}
	return ""
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// split sorts directives by name, reporting unknown ones.
func (a *analysis) split(ds []*directive) (routes, middleware []*directive) {
	for _, d := range ds {
		switch d.name {
		case "route":
			routes = append(routes, d)
		case "middleware":
			middleware = append(middleware, d)
		case "":
			if len(d.args) > 0 && closest(d.args[0].text) != "" {
				a.rep.at(d.pos, "a directive takes no space after the colon: write %s%s", directivePrefix, closest(d.args[0].text))
				continue
			}
			a.rep.at(d.pos, "directive %s has no name; want //gati:route or //gati:middleware", directivePrefix)
		default:
			if c := closest(d.name); c != "" {
				a.rep.at(d.pos, "unknown directive %s%s; did you mean %s%s?", directivePrefix, d.name, directivePrefix, c)
				continue
			}
			a.rep.at(d.pos, "unknown directive %s%s; want //gati:route or //gati:middleware", directivePrefix, d.name)
		}
	}
	return routes, middleware
}

// relFile returns d's file relative to the app directory, slash-separated.
func (a *analysis) relFile(d *directive) string {
	return a.rep.rel(filepath.Clean(d.file))
}
