package schema

import "reflect"

// ApplyTags applies a field's validation tags (doc, default, minimum, ...)
// to s, the schema of the field's value, and sets *required from a
// required tag. jsonType is the JSON type the field's value is written as
// ("string", "integer", "number", "boolean", "array", "object", or "" for
// any value). It is the tag logic of [For], exported for the gati CLI,
// which computes the same schemas statically from go/types.
func ApplyTags(s *Schema, jsonType string, tag reflect.StructTag, required *bool) (*Schema, error) {
	return applyTags(s, jsonType, tag, required)
}
