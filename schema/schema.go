package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
)

// Schema is a JSON Schema 2020-12 node, limited to the keywords Gati uses.
// It is plain data: the zero value is the schema {} that accepts any value,
// and json.Marshal writes it in canonical form (keywords in the order of the
// fields below, maps sorted by key, Required sorted).
type Schema struct {
	Ref         string `json:"$ref,omitempty"`
	Type        Types  `json:"type,omitempty"`
	Format      string `json:"format,omitempty"`
	Description string `json:"description,omitempty"`
	Deprecated  bool   `json:"deprecated,omitempty"`
	Default     any    `json:"default,omitempty"`
	Examples    []any  `json:"examples,omitempty"`
	Enum        []any  `json:"enum,omitempty"`

	Minimum   *float64 `json:"minimum,omitempty"`
	Maximum   *float64 `json:"maximum,omitempty"`
	MinLength *int     `json:"minLength,omitempty"`
	MaxLength *int     `json:"maxLength,omitempty"`
	Pattern   string   `json:"pattern,omitempty"`

	Items    *Schema `json:"items,omitempty"`
	MinItems *int    `json:"minItems,omitempty"`
	MaxItems *int    `json:"maxItems,omitempty"`

	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`

	// AnyOf holds the alternatives of a nullable reference:
	// [{"$ref": ...}, {"type": "null"}].
	AnyOf []*Schema `json:"anyOf,omitempty"`

	// Defs holds the named types; only the root schema has it.
	Defs map[string]*Schema `json:"$defs,omitempty"`

	re *regexp.Regexp // Pattern, compiled by For
}

// Types is the "type" keyword. A single type marshals as a string
// ("string"); a nullable one as an array with "null" last
// (["string", "null"]).
type Types []string

// MarshalJSON writes one type as a string and several as an array.
func (t Types) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return json.Marshal(t[0])
	}
	return json.Marshal([]string(t))
}

// UnmarshalJSON reads a string or an array of strings.
func (t *Types) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*t = Types{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*t = many
	return nil
}

// Has reports whether name is one of the types.
func (t Types) Has(name string) bool {
	for _, n := range t {
		if n == name {
			return true
		}
	}
	return false
}

// Canonical returns the canonical JSON of s: keywords in a fixed order,
// maps sorted by key, no HTML escaping, no trailing newline.
func (s *Schema) Canonical() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Hash returns the hex SHA-256 of the canonical JSON of s, a content hash
// for snapshots.
func (s *Schema) Hash() string {
	b, err := s.Canonical()
	if err != nil { // only a Default, Example or Enum value that cannot be marshaled
		b = []byte(err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Equal reports whether a and b are the same schema: whether their
// canonical JSON is identical, so that numbers compare by value (an enum
// value int64(1) equals float64(1)) whatever Go type holds them.
func Equal(a, b *Schema) bool {
	if a == nil || b == nil {
		return a == b
	}
	ja, errA := a.Canonical()
	jb, errB := b.Canonical()
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// Error is one way an instance fails its schema.
type Error struct {
	// Pointer is the RFC 6901 JSON pointer to the failing value in the
	// instance ("/items/0/name"); "" is the instance itself.
	Pointer string `json:"pointer"`
	// Message is a sentence fragment that follows the value's name:
	// "is required", "must be at most 200 characters long".
	Message string `json:"message"`
}

// Error returns the pointer and the message.
func (e Error) Error() string {
	p := e.Pointer
	if p == "" {
		p = "(root)"
	}
	return p + ": " + e.Message
}
