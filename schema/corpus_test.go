package schema_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"time"

	"gati.dev/gati/schema"
)

// The corpus: types covering every mapping rule. The gati CLI's static
// analyzer must compute the same schemas for these.

type Status string

const (
	StatusTodo Status = "todo"
	StatusDone Status = "done"
)

func (Status) EnumValues() []any { return []any{StatusTodo, StatusDone} }

type Priority int

const (
	PriorityLow Priority = iota + 1
	PriorityHigh
)

func init() { schema.RegisterEnum(reflect.TypeFor[Priority](), PriorityHigh, PriorityLow) }

type ID string // a named non-enum type: inlined

type Address struct {
	Street string `json:"street"`
	City   string `json:"city,omitempty"`
}

type Base struct {
	ID        ID        `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

type Audit struct {
	By string `json:"by"`
}

type Task struct {
	Base                       // untagged embedded: flattened
	*Audit                     // embedded pointer: flattened
	Meta     Address           `json:"meta"` // tagged struct: a property
	Title    string            `json:"title" minLength:"1" maxLength:"200" doc:"What to do." example:"Buy milk"`
	Status   Status            `json:"status" default:"todo"`
	Priority *Priority         `json:"priority,omitempty"`
	Tags     []string          `json:"tags" maxItems:"10" required:"false"`
	Labels   map[string]string `json:"labels,omitempty"`
	Due      *time.Time        `json:"due"`
	Done     bool              `json:"done"`
	Secret   string            `json:"-"`
	Notes    *string           `json:"notes" required:"true"`
	Raw      json.RawMessage   `json:"raw,omitempty"`
	Blob     []byte            `json:"blob,omitempty"`
	Count    uint16            `json:"count,string"`
	Elapsed  time.Duration     `json:"elapsed"`
	Subtasks []Task            `json:"subtasks,omitempty"` // recursive
	Extra    any               `json:"extra,omitempty"`
	Untagged float64
	hidden   int
}

type Tree struct {
	Value    int     `json:"value"`
	Children []*Tree `json:"children"`
	Parent   *Tree   `json:"parent,omitempty"`
}

type Validated struct {
	Age     int      `json:"age" minimum:"0" maximum:"150"`
	Name    string   `json:"name" pattern:"^[a-z]+$"`
	Email   string   `json:"email" format:"email"`
	Kind    string   `json:"kind" enum:"a,b,c"`
	Level   int      `json:"level" enum:"1,2,3" default:"2"`
	Ratio   float64  `json:"ratio" example:"0.5" example:"ignored"`
	Items   []int    `json:"items" minItems:"1" maxItems:"3"`
	Old     string   `json:"old,omitempty" deprecated:"true"`
	Point   [2]int   `json:"point"`
	Opt     *int     `json:"opt" minimum:"1"`
	Enabled bool     `json:"enabled" default:"true"`
	Window  []string `json:"window" default:"[\"a\"]"`
}

// Conflicts follows encoding/json's rules for clashing names.
type Conflicts struct {
	A1
	A2
	B1
	Name string // shallower: wins over A1.Name and A2.Name
}

type A1 struct {
	Name int
	Dup  string // cancels A2.Dup: same depth, both untagged
	Pick string `json:"Pick"` // tagged: wins over B1.Pick
}

type A2 struct {
	Name bool
	Dup  string
}

type B1 struct {
	Pick string
}

type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// URL clashes with net/url.URL.
type URL struct {
	Href string `json:"href"`
}

type Links struct {
	Mine  URL     `json:"mine"`
	Std   url.URL `json:"std"`
	Query url.Values
}

type Request struct {
	ID     string   `path:"id"`
	Limit  *int     `query:"limit" minimum:"1" maximum:"100"`
	Sort   []string `query:"sort" required:"true"`
	Token  string   `header:"Authorization"`
	Status Status   `query:"status"`
	Title  string   `json:"title"`
}

var corpus = []struct {
	name string
	t    reflect.Type
	want string // canonical JSON
}{
	{"bool", reflect.TypeFor[bool](), `{"type":"boolean"}`},
	{"int", reflect.TypeFor[int64](), `{"type":"integer"}`},
	{"uint", reflect.TypeFor[uint8](), `{"type":"integer","minimum":0}`},
	{"float", reflect.TypeFor[float32](), `{"type":"number"}`},
	{"string", reflect.TypeFor[string](), `{"type":"string"}`},
	{"bytes", reflect.TypeFor[[]byte](), `{"type":"string","format":"byte"}`},
	{"time", reflect.TypeFor[time.Time](), `{"type":"string","format":"date-time"}`},
	{"duration", reflect.TypeFor[time.Duration](), `{"type":"integer"}`},
	{"any", reflect.TypeFor[any](), `{}`},
	{"raw message", reflect.TypeFor[json.RawMessage](), `{}`},
	{"named string", reflect.TypeFor[ID](), `{"type":"string"}`},
	{"pointer", reflect.TypeFor[*int](), `{"type":["integer","null"]}`},
	{"pointer to pointer", reflect.TypeFor[**string](), `{"type":["string","null"]}`},
	{"pointer to any", reflect.TypeFor[*any](), `{}`},
	{"slice", reflect.TypeFor[[]string](), `{"type":"array","items":{"type":"string"}}`},
	{"array", reflect.TypeFor[[3]bool](), `{"type":"array","items":{"type":"boolean"},"minItems":3,"maxItems":3}`},
	{"map", reflect.TypeFor[map[string]float64](), `{"type":"object","additionalProperties":{"type":"number"}}`},
	{"int-keyed map", reflect.TypeFor[map[int]bool](), `{"type":"object","additionalProperties":{"type":"boolean"}}`},
	{"anonymous struct", reflect.TypeFor[struct {
		A int `json:"a"`
	}](), `{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}`},
	{"empty struct", reflect.TypeFor[struct{}](), `{"type":"object"}`},
	{"enum by method", reflect.TypeFor[Status](),
		`{"$ref":"#/$defs/Status","$defs":{"Status":{"type":"string","enum":["todo","done"]}}}`},
	{"enum by RegisterEnum", reflect.TypeFor[Priority](),
		`{"$ref":"#/$defs/Priority","$defs":{"Priority":{"type":"integer","enum":[2,1]}}}`},
	{"nullable enum", reflect.TypeFor[*Status](),
		`{"anyOf":[{"$ref":"#/$defs/Status"},{"type":"null"}],"$defs":{"Status":{"type":"string","enum":["todo","done"]}}}`},
	{"struct", reflect.TypeFor[Address](),
		`{"$ref":"#/$defs/Address","$defs":{"Address":{"type":"object","properties":{"city":{"type":"string"},"street":{"type":"string"}},"required":["street"]}}}`},
	{"slice of structs", reflect.TypeFor[[]Address](),
		`{"type":"array","items":{"$ref":"#/$defs/Address"},"$defs":{"Address":{"type":"object","properties":{"city":{"type":"string"},"street":{"type":"string"}},"required":["street"]}}}`},
	{"recursive", reflect.TypeFor[Tree](),
		`{"$ref":"#/$defs/Tree","$defs":{"Tree":{"type":"object","properties":{` +
			`"children":{"type":"array","items":{"anyOf":[{"$ref":"#/$defs/Tree"},{"type":"null"}]}},` +
			`"parent":{"anyOf":[{"$ref":"#/$defs/Tree"},{"type":"null"}]},"value":{"type":"integer"}},"required":["children","value"]}}}`},
	{"name conflicts", reflect.TypeFor[Conflicts](),
		`{"$ref":"#/$defs/Conflicts","$defs":{"Conflicts":{"type":"object","properties":{` +
			`"Name":{"type":"string"},"Pick":{"type":"string"}},"required":["Name","Pick"]}}}`},
	{"generic", reflect.TypeFor[Page[Address]](),
		`{"$ref":"#/$defs/Page_Address","$defs":{"Address":{"type":"object","properties":{"city":{"type":"string"},"street":{"type":"string"}},"required":["street"]},` +
			`"Page_Address":{"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/$defs/Address"}},"next":{"type":"string"}},"required":["items"]}}}`},
	{"request body", reflect.TypeFor[Request](),
		`{"$ref":"#/$defs/Request","$defs":{"Request":{"type":"object","properties":{"title":{"type":"string"}},"required":["title"]}}}`},
}
