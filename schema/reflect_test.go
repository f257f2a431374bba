package schema_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gati.dev/gati/schema"
)

func TestForCorpus(t *testing.T) {
	t.Parallel()
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := schema.For(tc.t)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("For(%s)\n got %s\nwant %s", tc.t, got, tc.want)
			}
		})
	}
}

// TestFieldsMatchEncodingJSON checks the property names against the keys
// encoding/json writes.
func TestFieldsMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, v := range []any{Conflicts{}, Task{Audit: &Audit{}}, Tree{}, Validated{}} {
		s, err := schema.For(reflect.TypeOf(v))
		if err != nil {
			t.Fatal(err)
		}
		def := s.Defs[reflect.TypeOf(v).Name()]
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if def.Properties[k] == nil {
				t.Errorf("%T: encoding/json writes %q, not in the schema", v, k)
			}
		}
		for _, k := range def.Required {
			if _, ok := m[k]; !ok {
				t.Errorf("%T: %q is required but encoding/json does not write it", v, k)
			}
		}
	}
}

func TestTaskGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		t    reflect.Type
	}{
		{"task.json", reflect.TypeFor[Task]()},
		{"validated.json", reflect.TypeFor[Validated]()},
		{"links.json", reflect.TypeFor[Links]()},
	} {
		s, err := schema.For(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, tc.file, append(got, '\n'))
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run go test -update and review the diff\ngot:\n%s", path, got)
	}
}
