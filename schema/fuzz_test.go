package schema_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

type fuzzOrder struct {
	ID    string            `json:"id" minLength:"1" maxLength:"8" pattern:"^[a-z0-9]+$"`
	Qty   int8              `json:"qty" minimum:"1"`
	Price float64           `json:"price,omitempty" exclusiveMinimum:"0"`
	Tags  []string          `json:"tags,omitempty" maxItems:"3"`
	Meta  map[string]string `json:"meta,omitempty"`
	At    time.Time         `json:"at,omitempty"`
	Lines []struct {
		SKU string `json:"sku" minLength:"1"`
	} `json:"lines,omitempty"`
}

// FuzzValidate feeds any JSON document to a schema with most keywords: it
// must never panic, and every error must carry a JSON pointer that
// starts at the root.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{"id":"a1","qty":2}`, `{"id":"","qty":300}`, `{"tags":["a","b","c","d"]}`,
		`[]`, `null`, `{"lines":[{"sku":""},{}]}`, `{"at":"yesterday"}`, `{"id":"A","qty":1.5,"price":0}`, `"x"`} {
		f.Add(s)
	}
	s := mustFor[fuzzOrder](f)
	f.Fuzz(func(t *testing.T, doc string) {
		d := json.NewDecoder(strings.NewReader(doc))
		d.UseNumber()
		var v any
		if d.Decode(&v) != nil {
			return
		}
		for _, e := range s.Validate(v) {
			if e.Pointer != "" && !strings.HasPrefix(e.Pointer, "/") {
				t.Fatalf("pointer %q in %+v", e.Pointer, e)
			}
		}
	})
}
