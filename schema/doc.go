// Package schema derives a JSON Schema (2020-12) from a Go type: the one
// definition of a type that Gati validates requests with, diffs between
// versions, and writes into OpenAPI 3.1 documents and SDKs.
//
// The gati CLI computes the same schemas statically, from go/types, so the
// rules below are deliberately few and mechanical, and a [Schema] is plain,
// deterministic data: compare two with [Equal], fingerprint one with
// [Schema.Hash].
//
// # Types
//
//   - bool is "boolean"; floats are "number"; strings are "string".
//   - Signed integers are "integer"; unsigned integers are "integer" with
//     "minimum": 0. No other range is implied: bounds come from tags.
//     time.Duration is an integer (nanoseconds, as encoding/json writes it).
//   - []byte is a "string" with "format": "byte" (base64).
//   - time.Time is a "string" with "format": "date-time".
//   - Slices are "array" with "items"; arrays [N]T also get minItems and
//     maxItems N. Nil slices and maps are not described as null.
//   - Maps with string, integer or encoding.TextMarshaler keys are "object"
//     with "additionalProperties".
//   - A pointer has its element's schema, made nullable: "type" becomes
//     ["string", "null"] ("null" last; a single type is written as a
//     string). A nullable $ref is {"anyOf": [{"$ref": ...}, {"type": "null"}]}.
//   - Interfaces, and other types implementing json.Marshaler, are {}: any
//     value. Other types implementing encoding.TextMarshaler are "string".
//     Methods count on T or *T.
//   - Structs are "object" with "properties" and "required". Unknown
//     properties are allowed ("additionalProperties" is absent), as
//     encoding/json ignores them.
//   - Channels, functions and complex numbers are errors.
//
// # Struct fields
//
// Properties are the fields encoding/json encodes, by its rules: exported
// fields, named by their json tag or else the Go name; json:"-" skips one;
// untagged embedded structs are flattened, and of fields sharing a name the
// shallowest wins, then the tagged one, and otherwise all are dropped. The
// ",string" option makes a number, bool or string field a "string".
//
// Fields tagged path, query, header or cookie are parameters, not body
// properties; [Params] describes them. A parameter whose type is a
// struct, map, slice or array implementing encoding.TextUnmarshaler is a
// "string": the client sends the text its UnmarshalText parses.
//
// A field is required when it is not a pointer and has neither omitempty
// nor omitzero, and is not promoted through an embedded pointer:
// encoding/json always writes it, and a request body must carry it. `required:"false"` opts out; `required:"true"` opts in.
//
// # Tags
//
// These tags add keywords to a field's schema (on a pointer field they
// apply to the non-null value):
//
//	doc:"text"            description
//	deprecated:"true"     deprecated
//	default:"v"           default, a value of the field's type
//	example:"v"           examples
//	enum:"a,b,c"          enum, comma-separated values of the field's type
//	minimum:"0"           minimum (numbers)
//	maximum:"100"         maximum (numbers)
//	minLength:"1"         minLength (strings, counted in characters)
//	maxLength:"200"       maxLength
//	pattern:"^[a-z]+$"    pattern (Go regexp syntax)
//	format:"email"        format: date-time, date, email, uuid, uri or byte
//	minItems:"1"          minItems (slices and arrays)
//	maxItems:"10"         maxItems
//
// Values of default, example and enum are parsed as the field's JSON type:
// strings as written, numbers and booleans with strconv, other types as
// JSON. A bad value (minimum:"abc", a pattern that does not compile, a
// keyword that does not apply to the field's type) makes [For] fail with an
// error naming the type, the field and the tag.
//
// # Named types and $defs
//
// Named struct types and enum types are described once under the root's
// "$defs" and referenced with "$ref": "#/$defs/Name"; recursive types are
// therefore finite. The root of a named struct is itself a $ref. The name
// is the Go type name; when two types of one schema share it, both are
// qualified with the last element of their package path ("users.User"),
// and if that still clashes, with the whole path, slashes turned into dots.
// Type arguments of generic types are reduced to their names and joined with
// underscores: Page[example.com/app.User] is "Page_User" (so Page[User]
// and Page[*User] in one schema are an error, as are two types declared in
// functions with one name). Other named types (type ID string) are inlined.
//
// # Enums
//
// A named string or integer type is an enum when it implements [Enumer] on
// its value type, or when its values are declared with [RegisterEnum] (the
// gati CLI generates those calls from the type's constants). Its $defs entry
// has the values in declaration order.
//
// # Validation
//
// [Schema.Validate] checks a value decoded by encoding/json and returns
// every [Error], each with an RFC 6901 pointer and a message such as
// "is required" or "must be at most 200 characters long".
package schema
