package schema_test

import (
	"reflect"
	"slices"
	"testing"

	"gati.dev/gati/schema"
)

type Pair[K comparable, V any] struct {
	Key   K `json:"key"`
	Value V `json:"value"`
}

type Nested struct {
	P Page[Pair[string, []Address]] `json:"p"`
	Q Page[*Address]                `json:"q"`
}

func TestDefNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		t    reflect.Type
		want []string
	}{
		{reflect.TypeFor[Links](), []string{"Links", "Userinfo", "schema_test.URL", "url.URL"}},
		{reflect.TypeFor[Nested](), []string{"Address", "Nested", "Page_Address", "Page_Pair_string_Address", "Pair_string_Address"}},
	} {
		s, err := schema.For(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for name := range s.Defs {
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("For(%s) $defs: got %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestDefNamesClash(t *testing.T) {
	t.Parallel()
	type Local struct{ A int }
	one := reflect.TypeFor[Local]()
	twin := func() reflect.Type {
		type Local struct{ B int }
		return reflect.TypeFor[Local]()
	}()
	both := reflect.StructOf([]reflect.StructField{
		{Name: "X", Type: one, Tag: `json:"x"`},
		{Name: "Y", Type: twin, Tag: `json:"y"`},
	})
	if _, err := schema.For(both); err == nil {
		t.Error("no error for two types named schema_test.Local")
	}
}
