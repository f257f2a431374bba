package openapi

import (
	"time"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
)

// syntheticAPI has what the examples lack: raw handlers with wildcard and
// anchored paths, every kind of parameter, a nullable response, an app
// type named Problem, and a deprecated version with a sunset.
func syntheticAPI() *api.API {
	deprecated := time.Date(2025, 3, 1, 12, 30, 0, 500, time.UTC)
	sunset := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &api.API{
		Title: "synthetic", Module: "example.com/synthetic",
		Version: "2024-01-01", Semver: "1.2.0",
		Versions: []api.Version{
			{ID: "2024-01-01", Semver: "1.2.0", Deprecated: &deprecated, Sunset: &sunset},
			{ID: "2024-06-01", Semver: "2.0.0"},
		},
		Deprecated: &deprecated, Sunset: &sunset,
		Operations: []api.Operation{
			{ID: "getRoot", Method: "GET", Path: "/{$}", Kind: api.Raw},
			{
				ID: "getFile", Method: "GET", Path: "/files/{bucket}/{path...}", Kind: api.Raw,
				Handler: "files.Get", Source: "files/files.go:12",
				Doc: "Get serves a file as J. Doe stored it.\nIts type is the stored one.\n\nRanges are not supported.",
			},
			{
				ID: "createItem", Method: "POST", Path: "/items", Kind: api.JSON, Status: 201,
				Handler: "items.Create", Source: "items/items.go:40", Middleware: []string{"Auth", "Audit"},
				Doc:     "Create adds an item.",
				Request: ref("CreateItem"), Response: ref("Item"),
			},
			{
				ID: "getItem", Method: "GET", Path: "/items/{id}", Kind: api.JSON, Status: 200,
				Handler: "items.Get", Source: "items/items.go:60",
				Doc: "Get returns an item, or nothing with 204 when it is being made.",
				Params: []api.Param{
					{In: "path", Name: "id", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}, Format: "uuid"}},
					{In: "query", Name: "fields", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}, Description: "The fields to return, comma-separated."}},
					{In: "header", Name: "X-Trace", Schema: str()},
					{In: "cookie", Name: "session", Schema: str()},
				},
				Response: &schema.Schema{AnyOf: []*schema.Schema{ref("Item"), {Type: schema.Types{"null"}}}},
			},
			{
				ID: "failures", Method: "GET", Path: "/items/{id}/failures", Kind: api.JSON, Status: 200,
				Handler: "items.Failures", Source: "items/items.go:80",
				Params:   []api.Param{{In: "path", Name: "id", Required: true, Schema: str()}},
				Response: &schema.Schema{Type: schema.Types{"array"}, Items: ref("Problem")},
			},
			{ID: "deleteItem", Method: "DELETE", Path: "/items/{id}", Kind: api.JSON, Status: 204, Handler: "items.Delete",
				Params: []api.Param{{In: "path", Name: "id", Required: true, Schema: str()}}},
		},
		Schemas: map[string]*schema.Schema{
			"CreateItem": object(map[string]*schema.Schema{"name": str()}, "name"),
			"Item":       object(map[string]*schema.Schema{"id": str(), "name": str(), "tags": {Type: schema.Types{"array", "null"}, Items: str()}}, "id", "name"),
			"Problem":    object(map[string]*schema.Schema{"item": ref("Item"), "reason": str()}, "reason"),
		},
	}
}

func str() *schema.Schema { return &schema.Schema{Type: schema.Types{"string"}} }

func ref(name string) *schema.Schema { return &schema.Schema{Ref: api.RefPrefix + name} }

func object(props map[string]*schema.Schema, required ...string) *schema.Schema {
	return &schema.Schema{Type: schema.Types{"object"}, Properties: props, Required: required}
}
