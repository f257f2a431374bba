// Package configschema writes the JSON Schema (2020-12) of an app's
// gati.yaml: the server, log and versions settings of gati.Config, each
// module's section as its Init decodes it, and the environments that
// override them. Editors use it to complete and check gati.yaml as it is
// typed (yaml-language-server reads a "# yaml-language-server: $schema="
// comment); gati build checks the same rules.
package configschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/cmd/gati/internal/deploy"
	"gati.dev/gati/cmd/gati/internal/runtimemod"
)

// node is the part of JSON Schema the document uses, in the order its
// keywords are written.
type node struct {
	Schema               string           `json:"$schema,omitempty"`
	ID                   string           `json:"$id,omitempty"`
	Title                string           `json:"title,omitempty"`
	Ref                  string           `json:"$ref,omitempty"`
	Type                 any              `json:"type,omitempty"` // a string, or a list of them
	Description          string           `json:"description,omitempty"`
	Pattern              string           `json:"pattern,omitempty"`
	Enum                 []string         `json:"enum,omitempty"`
	Minimum              *float64         `json:"minimum,omitempty"`
	Items                *node            `json:"items,omitempty"`
	Properties           map[string]*node `json:"properties,omitempty"`
	AdditionalProperties any              `json:"additionalProperties,omitempty"` // false or a schema
	// UnevaluatedProperties false forbids keys that neither this node nor
	// its $ref describes.
	UnevaluatedProperties *bool            `json:"unevaluatedProperties,omitempty"`
	Defs                  map[string]*node `json:"$defs,omitempty"`
}

// Patterns of the scalar forms gati.yaml reads.
const (
	// durationPattern is what time.ParseDuration accepts: "1m30s", "250ms".
	durationPattern = `^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$|^0$`
	// sizePattern is what gati.ByteSize reads: bytes, or a number with a unit.
	sizePattern = `^\s*[0-9]+\s*(KiB|MiB|GiB|KB|MB|GB|B)?\s*$`
)

var (
	durationType      = reflect.TypeFor[time.Duration]()
	sizeType          = reflect.TypeFor[gati.ByteSize]()
	requestIDModeType = reflect.TypeFor[gati.RequestIDMode]()
)

// Schema returns the schema of gati.yaml for an app with the modules mods
// (from the analysis), as indented JSON with a trailing newline.
func Schema(mods []analyze.ModuleConfig) ([]byte, error) {
	src, err := runtimemod.File("config.go")
	if err != nil {
		return nil, err
	}
	docs, err := fieldDocs(src)
	if err != nil {
		return nil, err
	}
	deployDocs, err := fieldDocs(deploy.SettingsSource)
	if err != nil {
		return nil, err
	}
	settings := structNode(reflect.TypeFor[gati.Config](), docs)
	deploySection := structNode(reflect.TypeFor[deploy.Settings](), deployDocs)
	deploySection.Description = settings.Properties["deploy"].Description
	settings.Properties["deploy"] = deploySection
	modules := &node{Type: "object", Description: "One section per module, as its Init decodes it with ModuleContext.DecodeConfig.",
		Properties: map[string]*node{}, AdditionalProperties: true}
	for _, m := range mods {
		if m.Name == "" {
			continue // not a constant: the section cannot be named
		}
		s := &node{}
		if m.Shape != nil {
			s = shapeNode(m.Shape)
		}
		s.Description = fmt.Sprintf("The %s module's configuration (%s.%s).", m.Name, m.Module.Package, m.Module.Type)
		if m.TypeName != "" {
			s.Description = fmt.Sprintf("The %s module's configuration: %s.", m.Name, m.TypeName)
		}
		modules.Properties[m.Name] = s
	}
	settings.Properties["modules"] = modules
	envDoc := settings.Properties["environments"].Description
	delete(settings.Properties, "environments")
	closed := false
	root := &node{
		Schema: "https://json-schema.org/draft/2020-12/schema",
		Title:  "gati.yaml",
		Ref:    "#/$defs/settings",
		Type:   "object",
		Properties: map[string]*node{
			"environments": {Type: "object", Description: envDoc,
				AdditionalProperties: &node{Ref: "#/$defs/settings", UnevaluatedProperties: &closed}},
		},
		UnevaluatedProperties: &closed,
		Defs:                  map[string]*node{"settings": settings},
	}
	// settings leaves other keys to the nodes that refer to it: the root
	// adds environments, and both close the object with
	// unevaluatedProperties.
	settings.AdditionalProperties = nil
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// structNode describes a struct of gati's configuration: its fields by
// their yaml keys, and no others (gati.LoadConfig rejects unknown keys).
func structNode(t reflect.Type, docs map[string]string) *node {
	n := &node{Type: "object", Properties: map[string]*node{}, AdditionalProperties: false}
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || key == "" || key == "-" {
			continue
		}
		p := valueNode(f.Type, docs)
		p.Description = docs[t.Name()+"."+f.Name]
		n.Properties[key] = p
	}
	return n
}

func valueNode(t reflect.Type, docs map[string]string) *node {
	switch t {
	case durationType:
		return &node{Type: []string{"string", "integer"}, Pattern: durationPattern}
	case sizeType:
		zero := 0.0
		return &node{Type: []string{"string", "integer"}, Pattern: sizePattern, Minimum: &zero}
	case requestIDModeType:
		return &node{Type: "string", Enum: []string{string(gati.RequestIDOnErrors), string(gati.RequestIDAlways)}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return valueNode(t.Elem(), docs)
	case reflect.Bool:
		return &node{Type: "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return &node{Type: "integer"}
	case reflect.String:
		return &node{Type: "string"}
	case reflect.Struct:
		if t.PkgPath() == "go.yaml.in/yaml/v3" { // a yaml.Node: any value
			return &node{}
		}
		return structNode(t, docs)
	case reflect.Map:
		return &node{Type: "object", AdditionalProperties: valueNode(t.Elem(), docs)}
	case reflect.Slice:
		return &node{Type: "array", Items: valueNode(t.Elem(), docs)}
	}
	return &node{}
}

// shapeNode describes a module's section as analyze found its type
// decodes: struct fields by key and no others (DecodeConfig rejects
// unknown fields).
func shapeNode(s *analyze.Shape) *node {
	switch s.Kind {
	case analyze.ShapeStruct:
		n := &node{Type: "object", Properties: map[string]*node{}, AdditionalProperties: false}
		for k, f := range s.Fields {
			n.Properties[k] = shapeNode(f)
		}
		return n
	case analyze.ShapeMap:
		return &node{Type: "object", AdditionalProperties: shapeNode(s.Elem)}
	case analyze.ShapeSeq:
		return &node{Type: "array", Items: shapeNode(s.Elem)}
	case analyze.ShapeString:
		return &node{Type: "string"}
	case analyze.ShapeBool:
		return &node{Type: "boolean"}
	case analyze.ShapeInt:
		return &node{Type: "integer"}
	case analyze.ShapeUint:
		zero := 0.0
		return &node{Type: "integer", Minimum: &zero}
	case analyze.ShapeFloat:
		return &node{Type: "number"}
	case analyze.ShapeDuration:
		return &node{Type: []string{"string", "integer"}, Pattern: durationPattern}
	}
	return &node{}
}

// fieldDocs reads the doc comments of the configuration's fields from Go
// source: the runtime's config.go, which the CLI carries, and the deploy
// settings' source: "ServerConfig.Port" → text.
func fieldDocs(src []byte) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "config.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, field := range st.Fields.List {
			text := strings.TrimSpace(field.Doc.Text())
			if text == "" {
				text = strings.TrimSpace(field.Comment.Text())
			}
			for _, name := range field.Names {
				if text != "" {
					docs[ts.Name.Name+"."+name.Name] = strings.Join(strings.Fields(text), " ")
				}
			}
		}
		return false
	})
	return docs, nil
}
