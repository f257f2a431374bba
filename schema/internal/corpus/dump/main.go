// Command dump writes the run-time schemas of the corpus as JSON, for the
// test of the gati CLI's static schemas, which cannot import an internal
// package of this module.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"

	"gati.dev/gati/schema"
	"gati.dev/gati/schema/internal/corpus"
)

// Result is what For and Params return for one type: canonical JSON or
// the error messages.
type Result struct {
	Schema      string `json:"schema,omitempty"`
	SchemaError string `json:"schema_error,omitempty"`
	Params      string `json:"params,omitempty"`
	ParamsError string `json:"params_error,omitempty"`
}

func main() {
	corpus.Register()
	out := map[string]Result{}
	add := func(prefix string, types map[string]reflect.Type) {
		for name, t := range types {
			var r Result
			if s, err := schema.For(t); err != nil {
				r.SchemaError = err.Error()
			} else if r.Schema, err = canonical(s); err != nil {
				fail(err)
			}
			if ps, err := schema.Params(t); err != nil {
				r.ParamsError = err.Error()
			} else if r.Params, err = canonical(ps); err != nil {
				fail(err)
			}
			out[prefix+name] = r
		}
	}
	add("", corpus.All())
	add("Bad.", corpus.BadAll())
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "\t")
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

// canonical writes v as schema.Schema.Canonical does.
func canonical(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "dump:", err)
	os.Exit(1)
}
