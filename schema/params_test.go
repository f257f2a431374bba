package schema_test

import (
	"reflect"
	"testing"

	"gati.dev/gati/schema"
	fixture "gati.dev/gati/schema/internal/corpus"
)

func TestParams(t *testing.T) {
	t.Parallel()
	ps, err := schema.Params(reflect.TypeFor[*Request]())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		in, name string
		required bool
		schema   string
	}{
		{"path", "id", true, `{"type":"string"}`},
		{"query", "limit", false, `{"type":"integer","minimum":1,"maximum":100}`},
		{"query", "sort", true, `{"type":"array","items":{"type":"string"}}`},
		{"header", "Authorization", false, `{"type":"string"}`},
		{"query", "status", false, `{"$ref":"#/$defs/Status","$defs":{"Status":{"type":"string","enum":["todo","done"]}}}`},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d params, want %d: %+v", len(ps), len(want), ps)
	}
	for i, w := range want {
		p := ps[i]
		got, _ := p.Schema.Canonical()
		if p.In != w.in || p.Name != w.name || p.Required != w.required || string(got) != w.schema {
			t.Errorf("param %d: got %s %s %v %s, want %+v", i, p.In, p.Name, p.Required, got, w)
		}
	}
}

func TestParamsErrors(t *testing.T) {
	t.Parallel()
	type noName struct {
		X string `query:""`
	}
	type badTag struct {
		X int `query:"x" maximum:"lots"`
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[noName](), reflect.TypeFor[badTag]()} {
		if _, err := schema.Params(typ); err == nil {
			t.Errorf("Params(%s): no error", typ)
		}
	}
	if ps, err := schema.Params(reflect.TypeFor[string]()); ps != nil || err != nil {
		t.Errorf("Params(string) = %v, %v", ps, err)
	}
}

// TestParamsTextUnmarshalerIsString guards parameters whose type parses
// itself with UnmarshalText but marshals to JSON as an object: a client
// sends them as one string (?done=true), never as the object's fields.
func TestParamsTextUnmarshalerIsString(t *testing.T) {
	type in struct {
		Done  fixture.Flag   `query:"done"`
		Color *fixture.Color `query:"color"`
		Limit int            `query:"limit"`
	}
	ps, err := schema.Params(reflect.TypeFor[in]())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"type":"string"}`, `{"type":"string"}`, `{"type":"integer"}`}
	for i, p := range ps {
		got, err := p.Schema.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want[i] {
			t.Errorf("%s: schema %s, want %s", p.Name, got, want[i])
		}
	}
}
