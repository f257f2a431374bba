package versions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
	"gati.dev/gati/timescape/diff"
)

// NewOptions are the flags of gati version new.
type NewOptions struct {
	Version string // "" for the newest snapshot
	From    string // "" for the snapshot before Version
}

// NewResult is what NewChange did.
type NewResult struct {
	Version, From string
	// Path and TestPath are the files written; both "" when the version
	// has no breaking change a change function can translate.
	Path, TestPath string
	Var            string   // the changes variable: "changes20250601"
	Routes         []string // the routes translated, as "METHOD /path"
	Funcs          []string // the stubs written, in order
	// Untranslatable are breaking changes no VersionChange can translate:
	// removed routes, which need an older implementation kept instead.
	Untranslatable []diff.Change
}

// NewChange writes, into the main package in appDir, the change file of
// version o.Version: for each route with breaking changes since o.From,
// a gati.VersionChange with stubs for the request upgrade and response
// downgrade the changes call for, and a test file whose tests fail until
// the stubs are written. Existing files are never overwritten.
func NewChange(appDir string, st *State, o NewOptions) (*NewResult, error) {
	to, from, err := newPair(st, o)
	if err != nil {
		return nil, err
	}
	res := &NewResult{Version: to.ID, From: from.ID}
	g := &changeGen{from: from, to: to, suffix: idSuffix(to.ID)}
	g.base = "version_" + strings.NewReplacer("-", "_", ".", "_").Replace(to.ID)
	res.Var = "changes" + g.suffix

	report := diff.Compare(from, to)
	byRoute := map[string][]diff.Change{}
	for _, c := range report.Changes {
		if c.Severity != diff.Breaking {
			continue
		}
		if c.Pointer == "" { // route-removed: the route is gone from the code
			res.Untranslatable = append(res.Untranslatable, c)
			continue
		}
		if byRoute[c.Route] == nil {
			res.Routes = append(res.Routes, c.Route)
		}
		byRoute[c.Route] = append(byRoute[c.Route], c)
	}
	if len(res.Routes) == 0 {
		return res, nil
	}
	slices.SortFunc(res.Routes, func(a, b string) int { return compareRouteKeys(a, b) })

	path := filepath.Join(appDir, g.base+".go")
	testPath := filepath.Join(appDir, g.base+"_test.go")
	for _, p := range []string{path, testPath} {
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("%s exists already; not overwriting it", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if g.names, err = packageNames(appDir); err != nil {
		return nil, err
	}
	if file, ok := g.names[res.Var]; ok {
		return nil, fmt.Errorf("the package already declares %s (in %s)", res.Var, file)
	}
	g.varName = res.Var
	g.errName = "errChange" + g.suffix + "NotWritten"
	_, g.errExists = g.names[g.errName]
	g.use(g.varName)
	g.sampleName = g.unique("sampleBody" + g.suffix)
	g.requireName = g.unique("requireFields" + g.suffix)

	for _, route := range res.Routes {
		g.addRoute(route, byRoute[route])
	}
	for _, s := range g.stubs {
		res.Funcs = append(res.Funcs, s.name)
	}
	src, err := g.source()
	if err != nil {
		return nil, err
	}
	test, err := g.testSource()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(testPath, test, 0o644); err != nil {
		os.Remove(path)
		return nil, err
	}
	res.Path, res.TestPath = path, testPath
	return res, nil
}

// newPair picks the snapshots to compare.
func newPair(st *State, o NewOptions) (to, from *timescape.Snapshot, err error) {
	if len(st.Snapshots) < 2 && o.Version == "" && o.From == "" {
		return nil, nil, errors.New("take a snapshot of the new version first: gati version snapshot")
	}
	index := func(id string) (int, error) {
		if _, err := st.Find(id); err != nil {
			return 0, err
		}
		return slices.Index(st.IDs(), id), nil
	}
	ti := len(st.Snapshots) - 1
	if o.Version != "" {
		if ti, err = index(o.Version); err != nil {
			return nil, nil, err
		}
	}
	if ti < 0 {
		return nil, nil, errors.New("take a snapshot of the new version first: gati version snapshot")
	}
	fi := ti - 1
	if o.From != "" {
		if fi, err = index(o.From); err != nil {
			return nil, nil, err
		}
		if fi >= ti {
			return nil, nil, fmt.Errorf("--from %s is not older than version %s", o.From, st.Snapshots[ti].ID)
		}
	}
	if fi < 0 {
		if o.Version == "" {
			return nil, nil, errors.New("take a snapshot of the new version first: gati version snapshot")
		}
		return nil, nil, fmt.Errorf("version %s is the first: there is no earlier version to translate to", o.Version)
	}
	return st.Snapshots[ti], st.Snapshots[fi], nil
}

// compareRouteKeys orders "METHOD /path" keys by path, then method.
func compareRouteKeys(a, b string) int {
	ma, pa, _ := strings.Cut(a, " ")
	mb, pb, _ := strings.Cut(b, " ")
	if c := strings.Compare(pa, pb); c != 0 {
		return c
	}
	return strings.Compare(ma, mb)
}

// idSuffix turns a version ID into a Go identifier part: 2025-06-01 is
// 20250601, 2025-06-01.2 is 20250601_2.
func idSuffix(id string) string {
	day, n, ok := strings.Cut(id, ".")
	s := strings.ReplaceAll(day, "-", "")
	if ok {
		s += "_" + n
	}
	return s
}

// packageNames returns the top-level names the main package in dir
// declares, with the file of each; an error when dir holds another
// package.
func packageNames(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if f.Name.Name != "main" {
			if strings.HasSuffix(e.Name(), "_test.go") && strings.HasSuffix(f.Name.Name, "_test") {
				continue
			}
			return nil, fmt.Errorf("%s is package %s: change files belong in the app's main package", filepath.Join(dir, e.Name()), f.Name.Name)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = e.Name()
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = e.Name()
						}
					case *ast.TypeSpec:
						names[s.Name.Name] = e.Name()
					}
				}
			}
		}
	}
	return names, nil
}

// changeGen generates the change file and its test.
type changeGen struct {
	from, to    *timescape.Snapshot
	suffix      string // "20250601"
	base        string // "version_2025_06_01"
	names       map[string]string
	varName     string
	errName     string
	errExists   bool // the package declares errName already
	sampleName  string
	requireName string
	changes     []genChange
	stubs       []genStub
}

type genChange struct {
	route, description string
	upgrade, downgrade string // stub names, or ""
}

type genStub struct {
	name, test string
	route      string
	upgrade    bool
	changes    []diff.Change
	sample     string   // JSON object the test passes
	required   []string // top-level fields the result must have
}

// use reserves a name.
func (g *changeGen) use(name string) { g.names[name] = g.base + ".go" }

// unique returns name, or name with a number, not declared yet, and
// reserves it.
func (g *changeGen) unique(name string) string {
	n := name
	for i := 2; ; i++ {
		if _, ok := g.names[n]; !ok {
			break
		}
		n = name + "_" + strconv.Itoa(i)
	}
	g.use(n)
	return n
}

func (g *changeGen) addRoute(route string, changes []diff.Change) {
	var req, resp []diff.Change
	var msgs []string
	for _, c := range changes {
		if requestSide(c.Pointer) {
			req = append(req, c)
		} else {
			resp = append(resp, c)
		}
		if m := oneLine(c.Message); !slices.Contains(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	gc := genChange{route: route, description: strings.Join(msgs, " ")}
	name := routeName(route)
	if req != nil {
		s := g.stub("upgrade"+name+g.suffix, route, true, req)
		gc.upgrade = s.name
	}
	if resp != nil {
		s := g.stub("downgrade"+name+g.suffix, route, false, resp)
		gc.downgrade = s.name
	}
	g.changes = append(g.changes, gc)
}

func (g *changeGen) stub(name, route string, upgrade bool, changes []diff.Change) *genStub {
	s := genStub{route: route, upgrade: upgrade, changes: changes}
	s.name = g.unique(name)
	s.test = g.unique("Test" + upperFirst(s.name))
	var sampleFrom, target *schema.Schema
	if r := findRoute(g.from, route); r != nil && upgrade {
		sampleFrom = r.Request
	} else if r != nil {
		target = r.Response
	}
	if r := findRoute(g.to, route); r != nil && upgrade {
		target = r.Request
	} else if r != nil {
		sampleFrom = r.Response
	}
	s.sample = "{}"
	if sampleFrom != nil {
		if v, ok := sampleValue(sampleFrom, sampleFrom, "", 0).(map[string]any); ok {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if enc.Encode(v) == nil {
				s.sample = strings.TrimSpace(buf.String())
			}
		}
	}
	if target != nil {
		if t := resolve(target, target, 0); t != nil {
			s.required = slices.Sorted(slices.Values(t.Required))
		}
	}
	g.stubs = append(g.stubs, s)
	return &g.stubs[len(g.stubs)-1]
}

// requestSide reports whether a change's pointer is in what the client
// sends: the request body or the parameters.
func requestSide(pointer string) bool {
	return pointer == "/request" || strings.HasPrefix(pointer, "/request/") ||
		pointer == "/params" || strings.HasPrefix(pointer, "/params/")
}

func findRoute(s *timescape.Snapshot, key string) *timescape.RouteSchema {
	for i := range s.Routes {
		if s.Routes[i].Key() == key {
			return &s.Routes[i]
		}
	}
	return nil
}

// initialisms are the path words written in capitals in names.
var initialisms = map[string]string{"id": "ID", "ids": "IDs", "url": "URL", "api": "API", "uuid": "UUID", "http": "HTTP", "json": "JSON"}

// routeName turns "GET /users/{id}" into "GetUsersID".
func routeName(route string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(route, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if s, ok := initialisms[strings.ToLower(w)]; ok {
			b.WriteString(s)
			continue
		}
		if w == strings.ToUpper(w) { // the method
			w = strings.ToLower(w)
		}
		b.WriteString(upperFirst(w))
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// resolve follows $refs into root's $defs; nil past a depth limit or for
// an unknown ref.
func resolve(root, s *schema.Schema, depth int) *schema.Schema {
	for s != nil && s.Ref != "" {
		if depth > 16 || root.Defs == nil {
			return nil
		}
		s = root.Defs[strings.TrimPrefix(s.Ref, "#/$defs/")]
		depth++
	}
	return s
}

// sampleValue returns a value of the schema's type: its first example,
// default or enum value, or one made up from the type, with every
// property of an object filled in.
func sampleValue(root, s *schema.Schema, key string, depth int) any {
	s = resolve(root, s, 0)
	if s == nil || depth > 8 {
		return nil
	}
	switch {
	case len(s.Examples) > 0:
		return s.Examples[0]
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	}
	for _, alt := range s.AnyOf {
		if a := resolve(root, alt, 0); a != nil && !(len(a.Type) == 1 && a.Type[0] == "null") {
			return sampleValue(root, alt, key, depth+1)
		}
	}
	typ := ""
	for _, t := range s.Type {
		if t != "null" {
			typ = t
			break
		}
	}
	if typ == "" && (s.Properties != nil || s.AdditionalProperties != nil) {
		typ = "object"
	}
	switch typ {
	case "string":
		switch s.Format {
		case "date-time":
			return "2025-01-01T00:00:00Z"
		case "date":
			return "2025-01-01"
		case "time":
			return "12:00:00"
		case "email":
			return "ada@example.com"
		case "uuid":
			return "00000000-0000-4000-8000-000000000000"
		case "uri", "url":
			return "https://example.com"
		}
		if key == "" {
			return "string"
		}
		return "sample " + key
	case "integer":
		if s.Minimum != nil && *s.Minimum > 1 {
			return math.Ceil(*s.Minimum)
		}
		return 1
	case "number":
		if s.Minimum != nil && *s.Minimum > 1.5 {
			return *s.Minimum
		}
		return 1.5
	case "boolean":
		return true
	case "array":
		if s.Items == nil {
			return []any{}
		}
		return []any{sampleValue(root, s.Items, key, depth+1)}
	case "object":
		obj := map[string]any{}
		for name, p := range s.Properties {
			obj[name] = sampleValue(root, p, name, depth+1)
		}
		if len(obj) == 0 && s.AdditionalProperties != nil {
			obj["key"] = sampleValue(root, s.AdditionalProperties, "key", depth+1)
		}
		return obj
	}
	return nil
}

// source returns the change file.
func (g *changeGen) source() ([]byte, error) {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("package main\n\nimport (\n")
	if !g.errExists {
		p("\"errors\"\n\n")
	}
	p("\"gati.dev/gati\"\n)\n\n")
	p("// %s keep %s clients working with version %s:\n", g.varName, g.from.ID, g.to.ID)
	p("// they translate the routes whose changes break those clients. Pass\n")
	p("// them to app.Versions, and write the functions below; see\n// docs/versioning.md.\n")
	p("//\n// Written by gati version new.\n")
	p("var %s = []gati.VersionChange{\n", g.varName)
	for _, c := range g.changes {
		p("{\nVersion: %s,\nRoute: %s,\nDescription: %s,\n", strconv.Quote(g.to.ID), strconv.Quote(c.route), goString(c.description))
		if c.upgrade != "" {
			p("UpgradeRequest: %s,\n", c.upgrade)
		}
		if c.downgrade != "" {
			p("DowngradeResponse: %s,\n", c.downgrade)
		}
		p("},\n")
	}
	p("}\n\n")
	if !g.errExists {
		p("// %s is what the functions of\n// %s.go return until they are written.\n", g.errName, g.base)
		p("var %s = errors.New(\"gati: version change not written yet\")\n\n", g.errName)
	}
	for _, s := range g.stubs {
		if s.upgrade {
			p("// %s upgrades a %s request body\n// written for %s to the shape of %s.", s.name, s.route, g.from.ID, g.to.ID)
		} else {
			p("// %s downgrades a %s response body\n// of %s to the shape of %s.", s.name, s.route, g.to.ID, g.from.ID)
		}
		p("\n// It must handle these changes:\n//\n")
		params := false
		for _, c := range s.changes {
			p("//   - %s %s: %s\n", c.Rule, c.Pointer, oneLine(c.Message))
			params = params || strings.HasPrefix(c.Pointer, "/params")
		}
		if params {
			p("//\n// Parameters are not part of the body: when a parameter change cannot be\n")
			p("// translated here, keep the older implementation (docs/versioning.md).\n")
		}
		p("func %s(body map[string]any) error {\nreturn %s\n}\n\n", s.name, g.errName)
	}
	return formatGo(g.base+".go", b.Bytes())
}

// testSource returns the change file's test.
func (g *changeGen) testSource() ([]byte, error) {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	needRequire := false
	for _, s := range g.stubs {
		needRequire = needRequire || len(s.required) > 0
	}
	p("package main\n\nimport (\n\"encoding/json\"\n\"errors\"\n\"testing\"\n)\n\n")
	p("// The tests of %s.go fail until its functions are written.\n// Written by gati version new.\n\n", g.base)
	for _, s := range g.stubs {
		what := fmt.Sprintf("turn a %s %s request body into a %s one", g.from.ID, s.route, g.to.ID)
		if !s.upgrade {
			what = fmt.Sprintf("turn a %s %s response body into a %s one", g.to.ID, s.route, g.from.ID)
		}
		msg := fmt.Sprintf("write %s in %s.go: it must %s (its comment lists the changes); see docs/versioning.md", s.name, g.base, what)
		p("func %s(t *testing.T) {\n", s.test)
		p("body := %s(t, %s)\n", g.sampleName, goString(s.sample))
		p("err := %s(body)\n", s.name)
		p("if errors.Is(err, %s) {\nt.Fatal(%s)\n}\n", g.errName, strconv.Quote(msg))
		p("if err != nil {\nt.Fatalf(\"%s: %%v\", err)\n}\n", s.name)
		if len(s.required) > 0 {
			qs := make([]string, len(s.required))
			for i, r := range s.required {
				qs[i] = strconv.Quote(r)
			}
			p("%s(t, body, %s)\n", g.requireName, strings.Join(qs, ", "))
		}
		p("}\n\n")
	}
	p("// %s decodes a sample JSON object body as the app does.\n", g.sampleName)
	p("func %s(t *testing.T, s string) map[string]any {\nt.Helper()\nvar body map[string]any\n", g.sampleName)
	p("if err := json.Unmarshal([]byte(s), &body); err != nil {\nt.Fatal(err)\n}\nreturn body\n}\n")
	if needRequire {
		p("\n// %s fails the test for each field the body lacks.\n", g.requireName)
		p("func %s(t *testing.T, body map[string]any, fields ...string) {\nt.Helper()\n", g.requireName)
		p("for _, f := range fields {\nif _, ok := body[f]; !ok {\n")
		p("t.Errorf(\"the body lacks the required field %%q: %%v\", f, body)\n}\n}\n}\n")
	}
	return formatGo(g.base+"_test.go", b.Bytes())
}

// goString writes s as a raw string literal when it can.
func goString(s string) string {
	if strings.ContainsAny(s, "`\r") || !strconv.CanBackquote(s) {
		return strconv.Quote(s)
	}
	return "`" + s + "`"
}

func formatGo(name string, src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("internal error: generating %s: %v\n%s", name, err, src)
	}
	return out, nil
}
