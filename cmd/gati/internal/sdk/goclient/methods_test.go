package goclient

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/api"
)

// TestMethodsMatchGenerate checks that Methods describes the methods
// Generate writes, for every golden client: each signature, and each
// field of each params struct.
func TestMethodsMatchGenerate(t *testing.T) {
	t.Parallel()
	for _, gd := range goldens {
		t.Run(gd.name, func(t *testing.T) {
			t.Parallel()
			a := gd.load(t)
			files, err := Generate(a, gd.pkg)
			if err != nil {
				t.Fatal(err)
			}
			methods, err := Methods(a, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(methods) != len(a.Operations) {
				t.Fatalf("%d methods for %d operations", len(methods), len(a.Operations))
			}
			src := string(files["operations.go"])
			for _, m := range methods {
				args := "ctx context.Context"
				if m.Params != "" {
					args += ", params " + m.Params
				}
				if m.Body != "" {
					args += ", body " + m.Body
				}
				sig := "func (c *Client) " + m.Name + "(" + args
				switch {
				case m.Op.Kind != api.JSON: // a raw body's arguments may follow
				case m.Result != "":
					sig += ") (" + m.Result + ", *Response, error) {"
				default:
					sig += ") (*Response, error) {"
				}
				if !strings.Contains(src, sig) {
					t.Errorf("no %q in operations.go", sig)
				}
				if m.Params == "" {
					if len(m.Fields) > 0 {
						t.Errorf("%s: fields without a params struct", m.Name)
					}
					continue
				}
				decl := regexp.MustCompile(`(?s)\ntype ` + m.Params + ` struct \{\n(.*?)\n\}\n`).FindStringSubmatch(src)
				if decl == nil {
					t.Errorf("no type %s in operations.go", m.Params)
					continue
				}
				for _, p := range m.Fields {
					line := regexp.MustCompile(`(?m)^\t` + regexp.QuoteMeta(p.Field) + ` +` + regexp.QuoteMeta(p.Type) + `$`)
					if !line.MatchString(decl[1]) {
						t.Errorf("%s has no field %s %s:\n%s", m.Params, p.Field, p.Type, decl[1])
					}
					if want := map[bool]string{true: "*", false: ""}[p.Pointer] + p.Elem; !p.List && p.Type != want || p.List && p.Type != "[]"+p.Elem {
						t.Errorf("%s.%s: Type %s, Elem %s", m.Params, p.Field, p.Type, p.Elem)
					}
				}
			}
		})
	}
}

// TestMethods checks what Methods says of the tasks example's client,
// and of the synthetic API's parameters, qualified for use outside the
// package.
func TestMethods(t *testing.T) {
	t.Parallel()
	methods, err := Methods(goldens[1].load(t), "tasks.")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Method{}
	for _, m := range methods {
		byName[m.Name] = m
	}
	create, list, get := byName["Create"], byName["List"], byName["Get"]
	if create.Op == nil || create.Op.Method != "POST" || create.Op.Path != "/tasks" || create.Body != "tasks.CreateInput" || create.Result != "tasks.Task" || create.Params != "" {
		t.Errorf("Create: %+v", create)
	}
	if list.Params != "tasks.ListParams" || list.Result != "tasks.TaskList" || len(list.Fields) != 2 ||
		list.Fields[0] != (Param{Field: "Done", In: "query", Name: "done", Type: "*string", Elem: "string", Kind: "string", Pointer: true}) ||
		list.Fields[1] != (Param{Field: "Limit", In: "query", Name: "limit", Type: "*int64", Elem: "int64", Kind: "integer", Pointer: true}) {
		t.Errorf("List: %+v", list)
	}
	if get.Params != "tasks.GetParams" || len(get.Fields) != 1 || get.Fields[0] != (Param{Field: "ID", In: "path", Name: "id", Type: "string", Elem: "string", Kind: "string", Required: true}) {
		t.Errorf("Get: %+v", get)
	}
	if m := byName["Delete"]; m.Result != "" || m.Body != "" {
		t.Errorf("Delete: %+v", m)
	}

	methods, err = Methods(synthetic(), "shop.")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	var imports []string
	for _, m := range methods {
		if m.Name == "ListItems" {
			for _, p := range m.Fields {
				kinds[p.Field] = p.Type + " " + p.Kind
			}
			imports = m.Imports
		}
	}
	for field, want := range map[string]string{
		"Status": "*shop.Status string", "Priority": "*shop.Priority integer", "Tag": "[]string string",
		"Since": "*time.Time time", "Ratio": "*float64 number", "Flag": "bool boolean", "XRetry": "*int64 integer",
	} {
		if kinds[field] != want {
			t.Errorf("ListItems.%s: %q, want %q", field, kinds[field], want)
		}
	}
	if !strings.Contains(strings.Join(imports, " "), "time") {
		t.Errorf("ListItems imports %v", imports)
	}
}

// TestCheckBody checks which bodies make the round trip through the
// tasks client's body types, and what it says of those that do not.
func TestCheckBody(t *testing.T) {
	t.Parallel()
	a := goldens[1].load(t)
	ops := map[string]*api.Operation{}
	for i := range a.Operations {
		ops[a.Operations[i].Method+" "+a.Operations[i].Path] = &a.Operations[i]
	}
	for _, c := range []struct {
		op, body, want string // want: "" when it fits
	}{
		{"POST /tasks", `{"title": "Write docs", "due": "2026-03-01T17:00:00Z"}`, ""},
		{"POST /tasks", `{"title": "   "}`, ""},
		{"POST /tasks", `{"title": ""}`, ""}, // required: never left out
		{"POST /tasks", `{"title": 5}`, "/title is not a string"},
		{"POST /tasks", `{"title": "x", "extra": 1}`, `the body has a member "extra", which the Go type has no field for`},
		{"POST /tasks", `{"Title": "x"}`, `the body has a member "Title", which the Go type has no field for`},
		{"POST /tasks", `{"title": "x", "due": "tomorrow"}`, "/due is not a date-time (RFC 3339)"},
		{"POST /tasks", `{"title": "x", "due": null}`, "/due is left out when empty, as the Go type says"},
		{"POST /tasks", `{"title": null}`, "/title is null, which a string cannot hold"},
		{"POST /tasks", `[1]`, "the body is not an object"},
		{"POST /tasks", `{"title": "x"} {}`, "more than one JSON value"},
		{"PATCH /tasks/{id}", `{"done": false}`, ""},
		{"PATCH /tasks/{id}", `{"title": ""}`, ""},
		{"GET /tasks", `{}`, "the operation takes no body"},
	} {
		err := CheckBody(a, ops[c.op], []byte(c.body))
		if got := fmt.Sprint(err); err == nil && c.want != "" || err != nil && got != c.want {
			t.Errorf("%s %s: %v, want %q", c.op, c.body, err, c.want)
		}
	}
}
