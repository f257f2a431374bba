package goclient

import (
	"errors"
	"strings"
	"testing"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

func typ(names ...string) schema.Types { return schema.Types(names) }

func ref(name string) *schema.Schema { return &schema.Schema{Ref: api.RefPrefix + name} }

func nullable(s *schema.Schema) *schema.Schema {
	return &schema.Schema{AnyOf: []*schema.Schema{s, {Type: typ("null")}}}
}

func ptr[T any](v T) *T { return &v }

func stringSchema() *schema.Schema { return &schema.Schema{Type: typ("string")} }

// synthetic is an API with every kind of schema, parameter and operation
// the generator handles: its client is a golden file, is vetted with the
// examples', and is tested against a fake server
// (testdata/e2e/synthetic_test.go).
func synthetic() *api.API {
	item := &schema.Schema{
		Type:        typ("object"),
		Description: "Item is one thing in the shop.",
		Properties: map[string]*schema.Schema{
			"id":       {Type: typ("integer"), Minimum: ptr(0.0)},
			"status":   ref("Status"),
			"priority": nullable(ref("Priority")),
			"tags":     {Type: typ("array"), Items: stringSchema(), MinItems: ptr(1), MaxItems: ptr(10)},
			"attrs":    {Type: typ("object"), AdditionalProperties: stringSchema()},
			"data":     {},
			"blob":     {Type: typ("string"), Format: "byte"},
			"when":     {Type: typ("string", "null"), Format: "date-time"},
			"score":    {Type: typ("number"), Default: 0.5, Maximum: ptr(1.0)},
			"nested": {Type: typ("object"), Properties: map[string]*schema.Schema{
				"a": {Type: typ("string"), Pattern: "^[a-z]+$", Description: "A is lower-case."},
			}, Required: []string{"a"}},
			"empty":   {Type: typ("object")},
			"user-id": {Type: typ("string"), Format: "uuid"},
			"userId":  {Type: typ("string"), Deprecated: true},
			"-":       stringSchema(),
			"child":   nullable(ref("Item")),
			"meta":    ref("Meta"),
			"kind":    {Type: typ("string"), Enum: []any{"a", "b"}},
			"ratio":   {Type: typ("number", "null")},
		},
		Required: []string{"id", "status", "tags", "nested", "child"},
	}
	return &api.API{
		Title: "shop", Module: "example.com/shop", Version: "2026-01-01", Semver: "3.1.0", Head: true,
		Schemas: map[string]*schema.Schema{
			"Item":      item,
			"Status":    {Type: typ("string"), Enum: []any{"open", "in_progress", ""}},
			"Priority":  {Type: typ("integer"), Enum: []any{1.0, 2.0, -1.0}},
			"Cursor":    stringSchema(),
			"Meta":      {Type: typ("object"), Properties: map[string]*schema.Schema{"version": {Type: typ("integer")}}, Required: []string{"version"}},
			"Event":     {Type: typ("object"), Properties: map[string]*schema.Schema{"name": stringSchema()}, Required: []string{"name"}},
			"Page_Item": {Type: typ("object"), Properties: map[string]*schema.Schema{"items": {Type: typ("array"), Items: ref("Item")}, "next": ref("Cursor")}, Required: []string{"items"}},
			"Unused":    {Type: typ("object"), Properties: map[string]*schema.Schema{"x": stringSchema()}},
		},
		Operations: []api.Operation{
			{ID: "root", Method: "GET", Path: "/", Kind: api.JSON, Status: 200, Response: ref("Event")},
			{ID: "events", Method: "GET", Path: "/events", Kind: api.SSE, Handler: "shop.Events", Doc: "Events streams the shop's news."},
			{ID: "getFilesByPath", Method: "GET", Path: "/files/{path...}", Kind: api.Raw},
			{ID: "listItems", Method: "GET", Path: "/items", Kind: api.JSON, Status: 200, Handler: "shop.ListItems",
				Doc: "ListItems lists items, a page at a time.",
				Params: []api.Param{
					{In: "query", Name: "status", Schema: ref("Status")},
					{In: "query", Name: "priority", Schema: ref("Priority")},
					{In: "query", Name: "tag", Schema: &schema.Schema{Type: typ("array"), Items: stringSchema()}},
					{In: "query", Name: "cursor", Schema: ref("Cursor")},
					{In: "query", Name: "since", Schema: &schema.Schema{Type: typ("string"), Format: "date-time"}},
					{In: "query", Name: "ratio", Schema: &schema.Schema{Type: typ("number")}},
					{In: "query", Name: "flag", Required: true, Schema: &schema.Schema{Type: typ("boolean")}},
					{In: "query", Name: "filter", Schema: ref("Meta")},
					{In: "header", Name: "X-Trace-Id", Required: true, Schema: stringSchema()},
					{In: "header", Name: "X-Retry", Schema: &schema.Schema{Type: typ("integer")}},
					{In: "cookie", Name: "session", Schema: stringSchema()},
				},
				Response: ref("Page_Item")},
			{ID: "createItem", Method: "POST", Path: "/items", Kind: api.JSON, Status: 201, Request: ref("Item"), Response: ref("Item")},
			{ID: "bulk", Method: "POST", Path: "/items/bulk", Kind: api.JSON, Status: 200,
				Request:  &schema.Schema{Type: typ("object"), AdditionalProperties: &schema.Schema{Type: typ("array"), Items: ref("Item")}},
				Response: &schema.Schema{Type: typ("array"), Items: ref("Item")}},
			{ID: "deleteItem", Method: "DELETE", Path: "/items/{id}", Kind: api.JSON, Status: 204,
				Params: []api.Param{{In: "path", Name: "id", Required: true, Schema: &schema.Schema{Type: typ("integer"), Minimum: ptr(0.0)}}}},
			{ID: "putItem", Method: "PUT", Path: "/items/{id}/{status}", Kind: api.JSON, Status: 200,
				Params: []api.Param{
					{In: "path", Name: "id", Required: true, Schema: &schema.Schema{Type: typ("integer")}},
					{In: "path", Name: "status", Required: true, Schema: ref("Status")},
				},
				Request: nullable(ref("Item")), Response: nullable(ref("Item"))},
			{ID: "upload", Method: "POST", Path: "/upload", Kind: api.Raw},
			{ID: "watch", Method: "GET", Path: "/watch/{room}", Kind: api.WebSocket,
				Params: []api.Param{{In: "query", Name: "since", Schema: &schema.Schema{Type: typ("integer")}}}},
		},
	}
}

// TestUnsupported guards that a schema no Go type expresses fails with
// the operation and the JSON pointer to it, also inside a named type.
func TestUnsupported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(a *api.API)
		op, ptr  string
		contains string
	}{
		{"several types", func(a *api.API) {
			a.Schemas["Meta"].Properties["version"] = &schema.Schema{Type: typ("string", "integer")}
		}, "GET /items", "/response/properties/items/items/properties/meta/properties/version", "several types (string, integer)"},
		{"anyOf of two types", func(a *api.API) {
			a.Operations[4].Request = &schema.Schema{AnyOf: []*schema.Schema{stringSchema(), {Type: typ("integer")}}}
		}, "POST /items", "/request", "anyOf"},
		{"properties and additionalProperties", func(a *api.API) {
			a.Schemas["Event"].AdditionalProperties = stringSchema()
		}, "GET /", "/response", "both properties and additionalProperties"},
		{"only null", func(a *api.API) {
			a.Schemas["Event"].Properties["name"] = &schema.Schema{Type: typ("null")}
		}, "GET /", "/response/properties/name", "only be null"},
		{"property name with a comma", func(a *api.API) {
			a.Schemas["Event"].Properties["a,b"] = stringSchema()
		}, "GET /", "/response/properties/a,b", "json tag"},
		{"property name with a slash", func(a *api.API) {
			a.Schemas["Event"].Properties[`a"/b`] = stringSchema()
		}, "GET /", `/response/properties/a"~1b`, "json tag"},
		{"unknown ref", func(a *api.API) {
			a.Operations[0].Response = ref("Nope")
		}, "GET /", "/response", `names no schema`},
		{"foreign ref", func(a *api.API) {
			a.Operations[0].Response = &schema.Schema{Ref: "#/$defs/Event"}
		}, "GET /", "/response", `is not to #/components/schemas/`},
		{"enum value of another type", func(a *api.API) {
			a.Schemas["Priority"].Enum = []any{1.0, 1.5}
		}, "GET /items", "/query/priority/enum/1", "the enum value 1.5 is not of the enum's type"},
		{"string enum with a number", func(a *api.API) {
			a.Schemas["Status"].Enum = []any{"open", 2.0}
		}, "GET /items", "/query/status/enum/1", "the enum value 2 is not of the enum's type"},
		{"in a named type of a body", func(a *api.API) {
			a.Schemas["Item"].Properties["bad"] = &schema.Schema{AnyOf: []*schema.Schema{ref("Meta"), ref("Event")}}
		}, "GET /items", "/response/properties/items/items/properties/bad", "anyOf"},
		{"list in a path", func(a *api.API) {
			a.Operations[6].Params[0].Schema = &schema.Schema{Type: typ("array"), Items: stringSchema()}
		}, "DELETE /items/{id}", "/path/id", "cannot be a list"},
		{"unknown type", func(a *api.API) {
			a.Schemas["Cursor"] = &schema.Schema{Type: typ("decimal")}
		}, "GET /items", "/query/cursor", `unknown type "decimal"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := synthetic()
			tt.edit(a)
			files, err := Generate(a, "shop")
			var u *api.UnsupportedError
			if !errors.As(err, &u) {
				t.Fatalf("err %v (%d files), want an *api.UnsupportedError", err, len(files))
			}
			if u.Operation != tt.op || u.Pointer != tt.ptr || !strings.Contains(u.Reason, tt.contains) {
				t.Errorf("error %q, want %s at %s: …%s…", err, tt.op, tt.ptr, tt.contains)
			}
			if files != nil {
				t.Error("files returned with the error")
			}
		})
	}
}

func TestPackageName(t *testing.T) {
	t.Parallel()
	for _, pkg := range []string{"", "_", "func", "my-client", "1x"} {
		if _, err := Generate(synthetic(), pkg); err == nil {
			t.Errorf("package %q accepted", pkg)
		}
	}
}

// TestRuntimeFiles guards that a client carries the runtime of the kinds
// of routes it has only.
func TestRuntimeFiles(t *testing.T) {
	t.Parallel()
	a := synthetic()
	a.Operations = a.Operations[:1]
	files, err := Generate(a, "shop")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sse.go", "websocket.go", "raw.go"} {
		if files[name] != nil {
			t.Errorf("a client without such routes has %s", name)
		}
	}
	for _, name := range []string{"client.go", "doc.go", "types.go", "operations.go"} {
		if files[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if strings.Contains(string(files["types.go"]), "Unused") {
		t.Error("types.go declares a type no operation uses")
	}
}
