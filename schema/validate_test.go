package schema_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"gati.dev/gati/schema"
)

func mustFor[T any](t testing.TB) *schema.Schema {
	t.Helper()
	s, err := schema.ForValue[T]()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decode(t testing.TB, doc string, useNumber bool) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(doc))
	if useNumber {
		d.UseNumber()
	}
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

type validation struct {
	name string
	doc  string
	want []schema.Error
}

func runValidations(t *testing.T, s *schema.Schema, cases []validation) {
	t.Helper()
	for _, tc := range cases {
		for _, useNumber := range []bool{false, true} {
			got := s.Validate(decode(t, tc.doc, useNumber))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s (UseNumber %v):\n got %q\nwant %q", tc.name, useNumber, got, tc.want)
			}
		}
	}
}

const validDoc = `{"age":30,"name":"ann","email":"ann@example.com","kind":"a","level":2,"ratio":0.5,
	"items":[1],"point":[1,2],"opt":null,"enabled":true,"window":[]}`

func TestValidateKeywords(t *testing.T) {
	t.Parallel()
	s := mustFor[Validated](t)
	runValidations(t, s, []validation{
		{"valid", validDoc, nil},
		{"valid with extra property and whole float", strings.Replace(validDoc, `"age":30`, `"age":30.0,"zzz":1`, 1), nil},
		{"nullable pointer set", strings.Replace(validDoc, `"opt":null`, `"opt":5`, 1), nil},
		{"root type", `[]`, []schema.Error{{"", "must be an object"}}},
		{"every error at once", `{"age":-1.5,"name":"Ann","email":"ann","kind":"d","level":4,"ratio":"x",
			"items":[],"point":[1,"2",3],"opt":0,"enabled":null,"window":{}}`, []schema.Error{
			{"/age", "must be an integer"},
			{"/email", "must be an email address"},
			{"/enabled", "must be a boolean"},
			{"/items", "must have at least 1 item"},
			{"/kind", `must be one of "a", "b", "c"`},
			{"/level", "must be one of 1, 2, 3"},
			{"/name", `must match the pattern "^[a-z]+$"`},
			{"/opt", "must be at least 1"},
			{"/point", "must have at most 2 items"},
			{"/point/1", "must be an integer"},
			{"/ratio", "must be a number"},
			{"/window", "must be an array"},
		}},
		{"bounds", strings.Replace(validDoc, `"age":30`, `"age":151`, 1), []schema.Error{{"/age", "must be at most 150"}}},
		{"required", `{"opt":1}`, []schema.Error{
			{"/age", "is required"}, {"/email", "is required"}, {"/enabled", "is required"},
			{"/items", "is required"}, {"/kind", "is required"}, {"/level", "is required"},
			{"/name", "is required"}, {"/point", "is required"}, {"/ratio", "is required"},
			{"/window", "is required"},
		}},
	})
}

type Lengths struct {
	Short string `json:"short" minLength:"2" maxLength:"3"`
	One   string `json:"one,omitempty" maxLength:"1"`
}

type Formats struct {
	When  string `json:"when,omitempty" format:"date-time"`
	Day   string `json:"day,omitempty" format:"date"`
	ID    string `json:"id,omitempty" format:"uuid"`
	Link  string `json:"link,omitempty" format:"uri"`
	Bytes []byte `json:"bytes,omitempty"`
}

func TestValidateStrings(t *testing.T) {
	t.Parallel()
	runValidations(t, mustFor[Lengths](t), []validation{
		{"runes not bytes", `{"short":"héé","one":"é"}`, nil},
		{"too short", `{"short":"é"}`, []schema.Error{{"/short", "must be at least 2 characters long"}}},
		{"too long", `{"short":"abcd","one":"ab"}`, []schema.Error{
			{"/one", "must be at most 1 character long"},
			{"/short", "must be at most 3 characters long"},
		}},
	})
	runValidations(t, mustFor[Formats](t), []validation{
		{"valid formats", `{"when":"2024-05-01T10:00:00Z","day":"2024-05-01",
			"id":"123e4567-e89b-12d3-a456-426614174000","link":"https://gati.dev/x","bytes":"aGk="}`, nil},
		{"invalid formats", `{"when":"2024-05-01","day":"01/05/2024","id":"123e4567e89b12d3a456426614174000",
			"link":"/relative","bytes":"!!"}`, []schema.Error{
			{"/bytes", "must be base64-encoded"},
			{"/day", "must be a date (YYYY-MM-DD)"},
			{"/id", "must be a UUID"},
			{"/link", "must be an absolute URI"},
			{"/when", "must be a date-time (RFC 3339)"},
		}},
	})
}

func TestValidateNested(t *testing.T) {
	t.Parallel()
	s := mustFor[Task](t)
	valid := `{"id":"t1","created_at":"2024-05-01T10:00:00Z","meta":{"street":"Main"},"title":"Buy milk",
		"status":"todo","priority":2,"due":null,"done":false,"notes":null,"count":"3","elapsed":5,"Untagged":1.5,
		"subtasks":[{"id":"t2","created_at":"2024-05-01T10:00:00Z","meta":{"street":"x"},"title":"a","status":"done",
		"done":true,"notes":"n","count":"1","elapsed":0,"Untagged":0,"labels":{"a/b":"c"}}]}`
	runValidations(t, s, []validation{
		{"valid", valid, nil},
		{"nested errors", strings.NewReplacer(`"priority":2`, `"priority":3`, `"street":"x"`, `"street":1`,
			`"title":"a"`, `"title":""`, `"a/b":"c"`, `"a/b":1`, `"status":"done"`, `"status":"doing"`).Replace(valid),
			[]schema.Error{
				{"/priority", "must be one of 2, 1"},
				{"/subtasks/0/labels/a~1b", "must be a string"},
				{"/subtasks/0/meta/street", "must be a string"},
				{"/subtasks/0/status", `must be one of "todo", "done"`},
				{"/subtasks/0/title", "must be at least 1 character long"},
			}},
		{"null for a non-nullable ref", strings.Replace(valid, `"meta":{"street":"Main"}`, `"meta":null`, 1),
			[]schema.Error{{"/meta", "must be an object"}}},
		{"nullable ref", strings.Replace(valid, `"priority":2`, `"priority":null`, 1), nil},
	})
}

func TestValidateHandBuilt(t *testing.T) {
	t.Parallel()
	s := &schema.Schema{
		Type:       schema.Types{"object"},
		Properties: map[string]*schema.Schema{"n": {Type: schema.Types{"string"}, Pattern: "^[0-9]+$"}},
		AnyOf:      nil,
		Required:   []string{"n"},
	}
	runValidations(t, s, []validation{
		{"pattern compiled lazily", `{"n":"12"}`, nil},
		{"pattern fails", `{"n":"x"}`, []schema.Error{{"/n", `must match the pattern "^[0-9]+$"`}}},
	})
	bad := &schema.Schema{Ref: "#/$defs/Missing"}
	if got := bad.Validate(1.0); len(got) != 1 || !strings.Contains(got[0].Message, "unknown schema reference") {
		t.Errorf("unresolvable ref: %v", got)
	}
	multi := &schema.Schema{AnyOf: []*schema.Schema{{Type: schema.Types{"string"}}, {Type: schema.Types{"integer"}}}}
	if got := multi.Validate(true); len(got) != 1 || got[0].Message != "must match one of the allowed schemas" {
		t.Errorf("anyOf: %v", got)
	}
	nullable := &schema.Schema{Type: schema.Types{"string", "null"}}
	if got := nullable.Validate(1.0); len(got) != 1 || got[0].Message != "must be a string or null" {
		t.Errorf("nullable: %v", got)
	}
	if got := (&schema.Schema{Type: schema.Types{"integer"}}).Validate(json.Number("1e400")); got == nil {
		t.Error("infinite integer accepted")
	}
	if got := (&schema.Schema{Type: schema.Types{"integer"}, Maximum: ptr(3.0)}).Validate(7); len(got) != 1 {
		t.Errorf("Go int: %v", got)
	}
}

func TestValidateConcurrent(t *testing.T) {
	t.Parallel()
	s := mustFor[Validated](t)
	bad := decode(t, `{"age":-1,"name":"A"}`, false)
	want := s.Validate(bad)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if got := s.Validate(bad); !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkValidate(b *testing.B) {
	s := mustFor[Task](b)
	doc := decode(b, `{"id":"t1","created_at":"2024-05-01T10:00:00Z","meta":{"street":"Main","city":"Oslo"},
		"title":"Buy milk","status":"todo","priority":2,"due":null,"done":false,"notes":"from the shop",
		"count":"3","elapsed":5,"Untagged":1.5,"tags":["home","errand"],"labels":{"a":"b"}}`, false)
	if errs := s.Validate(doc); errs != nil {
		b.Fatal(errs)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Validate(doc)
	}
}

func ptr[T any](v T) *T { return &v }
