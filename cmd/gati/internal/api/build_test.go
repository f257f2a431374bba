package api

import (
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
)

func obj(props map[string]*schema.Schema, defs map[string]*schema.Schema, ref string) *schema.Schema {
	return &schema.Schema{Ref: ref, Type: schema.Types{"object"}, Properties: props, Defs: defs}
}

func str() *schema.Schema { return &schema.Schema{Type: schema.Types{"string"}} }

// TestBuildMergesNamedTypes guards the merge of each route's $defs into
// one table: the same type in two routes is one entry, a different type
// with the same name gets a numbered name, and a type referring to a
// renamed one is renamed with it.
func TestBuildMergesNamedTypes(t *testing.T) {
	userA := obj(map[string]*schema.Schema{"id": str()}, nil, "")
	userB := obj(map[string]*schema.Schema{"name": str()}, nil, "")
	page := func(user *schema.Schema) *schema.Schema {
		return &schema.Schema{Ref: "#/$defs/Page", Defs: map[string]*schema.Schema{
			"Page": obj(map[string]*schema.Schema{"user": {Ref: "#/$defs/User"}}, nil, ""),
			"User": user,
		}}
	}
	m := &manifest.Manifest{Module: "example.com/app", Routes: []manifest.Route{
		{Method: "GET", Path: "/a", Handler: manifest.Handler{Func: "ListA", Kind: manifest.Typed}},
		{Method: "GET", Path: "/b", Handler: manifest.Handler{Func: "ListB", Kind: manifest.Typed}},
		{Method: "GET", Path: "/c", Handler: manifest.Handler{Func: "ListC", Kind: manifest.Typed}},
	}}
	routes := []timescape.RouteSchema{
		{Method: "GET", Path: "/a", Status: 200, ContentType: "application/json", Response: page(userA)},
		{Method: "GET", Path: "/b", Status: 200, ContentType: "application/json", Response: page(userA)},
		{Method: "GET", Path: "/c", Status: 200, ContentType: "application/json", Response: page(userB)},
	}
	a, err := Build(Input{Manifest: m, Routes: routes, Head: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(a.SchemaNames(), ","), "Page,Page2,User,User2"; got != want {
		t.Fatalf("schemas %s, want %s", got, want)
	}
	refs := []string{a.Operations[0].Response.Ref, a.Operations[1].Response.Ref, a.Operations[2].Response.Ref}
	if refs[0] != RefPrefix+"Page" || refs[1] != RefPrefix+"Page" || refs[2] != RefPrefix+"Page2" {
		t.Errorf("response refs %v", refs)
	}
	if got := a.Schemas["Page2"].Properties["user"].Ref; got != RefPrefix+"User2" {
		t.Errorf("Page2.user refers to %s, want User2", got)
	}
	if a.Schemas["User2"].Properties["name"] == nil {
		t.Errorf("User2 is not the second user type: %+v", a.Schemas["User2"])
	}
	for _, op := range a.Operations {
		if op.Response.Defs != nil {
			t.Errorf("%s: response keeps its $defs", op.Path)
		}
	}
}

// TestBuildOperations guards kinds, IDs, parameter order and statuses.
func TestBuildOperations(t *testing.T) {
	m := &manifest.Manifest{Module: "example.com/app",
		Packages: []manifest.Package{{Path: "example.com/app/a", Name: "a"}, {Path: "example.com/app/b", Name: "b"}},
		Routes: []manifest.Route{
			{Method: "GET", Path: "/a/{x}/{y}", File: "a/a.go", Line: 7, Handler: manifest.Handler{Package: "example.com/app/a", Func: "List", Kind: manifest.Typed}},
			{Method: "GET", Path: "/b", Handler: manifest.Handler{Package: "example.com/app/b", Func: "List", Kind: manifest.Typed}},
			{Method: "GET", Path: "/events", Handler: manifest.Handler{Func: "Events", Kind: manifest.Raw, Stream: manifest.StreamSSE}},
			{Method: "GET", Path: "/ws", Handler: manifest.Handler{Func: "Socket", Kind: manifest.Raw, Stream: manifest.StreamWebSocket}},
		}}
	routes := []timescape.RouteSchema{
		{Method: "GET", Path: "/a/{x}/{y}", Status: 200, ContentType: "application/json", Params: []schema.Param{
			{In: "query", Name: "q", Schema: str()},
			{In: "path", Name: "y", Required: true, Schema: str()},
			{In: "path", Name: "x", Required: true, Schema: str()},
		}},
		{Method: "GET", Path: "/b", Status: 200, ContentType: "application/json"},
		{Method: "GET", Path: "/events"},
		{Method: "GET", Path: "/ws"},
		{Method: "DELETE", Path: "/gone/{id}"},
	}
	a, err := Build(Input{Manifest: m, Routes: routes, Head: true})
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Operation{}
	for _, op := range a.Operations {
		byPath[op.Method+" "+op.Path] = op
	}
	checks := []struct {
		key, id string
		kind    Kind
	}{
		{"GET /a/{x}/{y}", "aList", JSON},
		{"GET /b", "bList", JSON},
		{"GET /events", "events", SSE},
		{"GET /ws", "socket", WebSocket},
		{"DELETE /gone/{id}", "deleteGoneById", Raw},
	}
	for _, c := range checks {
		op := byPath[c.key]
		if op.ID != c.id || op.Kind != c.kind {
			t.Errorf("%s: id %q kind %q, want %q %q", c.key, op.ID, op.Kind, c.id, c.kind)
		}
	}
	var names []string
	for _, p := range byPath["GET /a/{x}/{y}"].Params {
		names = append(names, p.In+":"+p.Name)
	}
	if got := strings.Join(names, ","); got != "path:x,path:y,query:q" {
		t.Errorf("params %s, want path parameters first in path order", got)
	}
	if got := byPath["GET /a/{x}/{y}"].Source; got != "a/a.go:7" {
		t.Errorf("source %q", got)
	}
	if byPath["GET /events"].Status != 0 {
		t.Error("an SSE operation has a status")
	}
}

func TestIdentifier(t *testing.T) {
	for in, want := range map[string]string{
		"tasks list":         "tasksList",
		"get users by id":    "getUsersById",
		"post v1-items":      "postV1Items",
		"9lives":             "_9lives",
		"":                   "op",
		"get files by path…": "getFilesByPath",
	} {
		if got := identifier(in); got != want {
			t.Errorf("identifier(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLoadExamples builds the API of every example, head and recorded
// versions, from a real analysis.
func TestLoadExamples(t *testing.T) {
	for _, ex := range []string{"hello-world", "tasks", "versioned-api"} {
		t.Run(ex, func(t *testing.T) {
			dir := "../../../../examples/" + ex
			m, err := analyze.Load(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Load(dir, m, Head)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Operations) == 0 || a.Title == "" {
				t.Fatalf("no operations or title: %+v", a)
			}
			for _, op := range a.Operations {
				if op.Handler == "" || op.Source == "" {
					t.Errorf("%s %s: handler %q source %q", op.Method, op.Path, op.Handler, op.Source)
				}
			}
			for _, v := range a.Versions {
				old, err := Load(dir, m, v.ID)
				if err != nil {
					t.Fatal(err)
				}
				if old.Version != v.ID || old.Head || old.Semver != v.Semver {
					t.Errorf("version %s: got version %q head %v semver %q", v.ID, old.Version, old.Head, old.Semver)
				}
			}
			if _, err := Load(dir, m, "1999-01-01"); err == nil || !strings.Contains(err.Error(), "unknown version") {
				t.Errorf("unknown version: %v", err)
			}
		})
	}
}
