package schema_test

import (
	"reflect"
	"strings"
	"testing"

	"gati.dev/gati/schema"
)

type (
	BadMinimum struct {
		N int `json:"n" minimum:"abc"`
	}
	BadPattern struct {
		S string `json:"s" pattern:"(["`
	}
	BadEnum struct {
		N int `json:"n" enum:"1,two"`
	}
	BadLength struct {
		S string `json:"s" maxLength:"-1"`
	}
	BadFormat struct {
		S string `json:"s" format:"emial"`
	}
	BadApplies struct {
		N int `json:"n" pattern:"x"`
	}
	BadRequired struct {
		S string `json:"s" required:"maybe"`
	}
	BadDefault struct {
		B bool `json:"b" default:"yes"`
	}
	BadJSONDefault struct {
		L []int `json:"l" default:"[1,"`
	}
	BadQuoted struct {
		N int `json:"n,string" minimum:"1"`
	}
	BadNested struct {
		Inner BadMinimum `json:"inner"`
	}
	BadChan struct {
		C chan int `json:"c"`
	}
	BadKey struct {
		M map[[2]int]string `json:"m"`
	}
)

func TestBadTags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		t    reflect.Type
		want string
	}{
		{reflect.TypeFor[BadMinimum](), `schema: schema_test.BadMinimum.N: tag minimum:"abc": invalid syntax`},
		{reflect.TypeFor[BadPattern](), `schema: schema_test.BadPattern.S: tag pattern:"([": error parsing regexp: missing closing ]: ` + "`[`"},
		{reflect.TypeFor[BadEnum](), `schema: schema_test.BadEnum.N: tag enum:"1,two": invalid syntax`},
		{reflect.TypeFor[BadLength](), `schema: schema_test.BadLength.S: tag maxLength:"-1": must not be negative`},
		{reflect.TypeFor[BadFormat](), `schema: schema_test.BadFormat.S: tag format:"emial": unknown format (known: byte, date, date-time, email, uri, uuid)`},
		{reflect.TypeFor[BadApplies](), `schema: schema_test.BadApplies.N: tag pattern:"x": does not apply to an integer`},
		{reflect.TypeFor[BadRequired](), `schema: schema_test.BadRequired.S: tag required:"maybe": invalid syntax`},
		{reflect.TypeFor[BadDefault](), `schema: schema_test.BadDefault.B: tag default:"yes": invalid syntax`},
		{reflect.TypeFor[BadJSONDefault](), `schema: schema_test.BadJSONDefault.L: tag default:"[1,": not valid JSON: unexpected end of JSON input`},
		{reflect.TypeFor[BadQuoted](), `schema: schema_test.BadQuoted.N: tag minimum:"1": does not apply to a string`},
		{reflect.TypeFor[BadNested](), `schema: schema_test.BadMinimum.N: tag minimum:"abc": invalid syntax (field schema_test.BadNested.Inner)`},
		{reflect.TypeFor[BadChan](), `schema: unsupported type chan int (kind chan) (field schema_test.BadChan.C)`},
		{reflect.TypeFor[BadKey](), `schema: unsupported map key type in map[[2]int]string (field schema_test.BadKey.M)`},
	} {
		_, err := schema.For(tc.t)
		if err == nil || err.Error() != tc.want {
			t.Errorf("For(%s):\n got %v\nwant %s", tc.t, err, tc.want)
		}
	}
}

type BadValues string

func (BadValues) EnumValues() []any { return []any{"plain string"} }

func TestEnumErrors(t *testing.T) {
	t.Parallel()
	_, err := schema.For(reflect.TypeFor[BadValues]())
	if err == nil || !strings.Contains(err.Error(), "schema_test.BadValues.EnumValues: value 0 (plain string) is string, not schema_test.BadValues") {
		t.Errorf("got %v", err)
	}
	for _, tc := range []struct {
		t      reflect.Type
		values []any
	}{
		{reflect.TypeFor[string](), []any{"a"}},
		{reflect.TypeFor[Address](), []any{Address{}}},
		{reflect.TypeFor[Priority](), []any{1}},
		{reflect.TypeFor[Priority](), nil},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "schema: RegisterEnum: ") {
					t.Errorf("RegisterEnum(%s, %v): panic %v", tc.t, tc.values, r)
				}
			}()
			schema.RegisterEnum(tc.t, tc.values...)
		}()
	}
}
