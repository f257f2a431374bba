package sdk

import (
	"fmt"
	"slices"
	"strings"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/cmd/gati/internal/sdk/goclient"
	"gati.dev/gati/cmd/gati/internal/sdk/openapi"
	"gati.dev/gati/cmd/gati/internal/sdk/tsclient"
)

// Target is one kind of output.
type Target string

const (
	OpenAPI    Target = "openapi"
	TypeScript Target = "ts"
	Go         Target = "go"
	// Config is the JSON Schema of gati.yaml, for editors; the current
	// code's only (see Options.ConfigSchema).
	Config Target = "config"
)

// Targets lists every target, in the order they are generated.
var Targets = []Target{OpenAPI, TypeScript, Go, Config}

// ParseTargets reads a comma-separated list of targets ("openapi,ts").
func ParseTargets(s string) ([]Target, error) {
	var out []Target
	for part := range strings.SplitSeq(s, ",") {
		t := Target(strings.TrimSpace(part))
		if !slices.Contains(Targets, t) {
			return nil, fmt.Errorf("unknown target %q (known: openapi, ts, go, config)", part)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Options say what Generate produces and where each target goes, relative
// to the output directory.
type Options struct {
	Targets   []Target
	GoPackage string // the Go client's package name; "client" when empty
	// GoDir is the Go client's directory, "goclient" when empty. A
	// directory given here is not owned: files in it that Generate does
	// not write are left alone.
	GoDir string
	// ConfigSchema is the JSON Schema of gati.yaml (package
	// configschema), written for the Config target when set.
	ConfigSchema []byte
}

// Layout of the output directory.
const (
	OpenAPIFile = "openapi.json"
	ConfigFile  = "gati.schema.json"
	TSDir       = "ts"
	GoDir       = "goclient"
)

// Generate produces the files of a's targets and the directories they
// own. Nothing is written.
func Generate(a *api.API, o Options) (Files, Owned, error) {
	if len(o.Targets) == 0 {
		o.Targets = Targets
	}
	goDir, ownGo := o.GoDir, o.GoDir == ""
	if ownGo {
		goDir = GoDir
	}
	pkg := o.GoPackage
	if pkg == "" {
		pkg = "client"
	}
	files, owned := Files{}, Owned{}
	for _, t := range o.Targets {
		switch t {
		case OpenAPI:
			doc, err := openapi.Document(a)
			if err != nil {
				return nil, nil, fmt.Errorf("OpenAPI: %w", err)
			}
			files[OpenAPIFile] = doc
		case TypeScript:
			ts, err := tsclient.Generate(a)
			if err != nil {
				return nil, nil, fmt.Errorf("TypeScript client: %w", err)
			}
			files.add(TSDir, ts)
			owned = append(owned, TSDir)
		case Go:
			g, err := goclient.Generate(a, pkg)
			if err != nil {
				return nil, nil, fmt.Errorf("Go client: %w", err)
			}
			files.add(goDir, g)
			if ownGo {
				owned = append(owned, goDir)
			}
		case Config:
			if o.ConfigSchema != nil {
				files[ConfigFile] = o.ConfigSchema
			}
		}
	}
	return files, owned, nil
}
