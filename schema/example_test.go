package schema_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"gati.dev/gati/schema"
)

func Example() {
	type CreateTask struct {
		Title string   `json:"title" minLength:"1" maxLength:"20"`
		Tags  []string `json:"tags,omitempty" maxItems:"2"`
		Done  *bool    `json:"done"`
	}
	s, err := schema.ForValue[CreateTask]()
	if err != nil {
		panic(err)
	}
	js, _ := s.Canonical()
	fmt.Println(string(js))

	var body any
	_ = json.NewDecoder(strings.NewReader(`{"tags":["a","b","c"],"done":"yes"}`)).Decode(&body)
	for _, e := range s.Validate(body) {
		fmt.Println(e)
	}
	// Output:
	// {"$ref":"#/$defs/CreateTask","$defs":{"CreateTask":{"type":"object","properties":{"done":{"type":["boolean","null"]},"tags":{"type":"array","items":{"type":"string"},"maxItems":2},"title":{"type":"string","minLength":1,"maxLength":20}},"required":["title"]}}}
	// /done: must be a boolean or null
	// /tags: must have at most 2 items
	// /title: is required
}
