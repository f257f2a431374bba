package schema_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"gati.dev/gati/schema"
)

func TestEqualAndHash(t *testing.T) {
	t.Parallel()
	a := mustFor[Task](t)
	b := mustFor[Task](t)
	if !schema.Equal(a, b) || a.Hash() != b.Hash() {
		t.Fatal("two builds of Task differ")
	}
	// A round trip through JSON turns int64 enum values into float64.
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var c schema.Schema
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if !schema.Equal(a, &c) || a.Hash() != c.Hash() {
		t.Error("JSON round trip changed the schema")
	}
	c.Defs["Task"].Required = c.Defs["Task"].Required[1:]
	if schema.Equal(a, &c) || a.Hash() == c.Hash() {
		t.Error("a changed schema is equal")
	}
	if !schema.Equal(nil, nil) || schema.Equal(a, nil) {
		t.Error("Equal with nil")
	}
	if len(a.Hash()) != 64 {
		t.Errorf("Hash %q is not hex SHA-256", a.Hash())
	}
}

func TestTypesJSON(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{`"string"`, `["string","null"]`} {
		var ts schema.Types
		if err := json.Unmarshal([]byte(doc), &ts); err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(ts)
		if string(out) != doc {
			t.Errorf("round trip of %s: %s", doc, out)
		}
	}
	var ts schema.Types
	if err := json.Unmarshal([]byte(`1`), &ts); err == nil {
		t.Error("no error for a number")
	}
	if !reflect.DeepEqual(schema.Error{Pointer: "", Message: "is bad"}.Error(), "(root): is bad") {
		t.Error("Error() of the root")
	}
}
