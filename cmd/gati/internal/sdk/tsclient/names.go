package tsclient

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// keywords are the words TypeScript reserves, or reserves in strict
// mode, and the predefined type names a declaration cannot take.
var keywords = setOf(
	"break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
	"else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
	"instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof",
	"var", "void", "while", "with", "yield", "let", "static", "implements", "interface", "package",
	"private", "protected", "public", "await", "arguments", "eval", "undefined", "type", "as",
	"any", "unknown", "never", "string", "number", "boolean", "symbol", "bigint", "object",
)

// globals are the global names the generated files use: a type declared
// with one of these names would hide it.
var globals = setOf("Promise", "Response", "Record", "Array", "Headers", "AbortSignal", "WebSocket")

// generics are the type parameters of the stream and socket methods.
var generics = setOf("TData", "TIn", "TOut")

// runtimeExports are the names runtime.ts exports, read from it.
var runtimeExports = func() []export {
	var out []export
	re := regexp.MustCompile(`(?m)^export (class|interface|type|function|const) (\w+)`)
	for _, m := range re.FindAllStringSubmatch(runtimeSource, -1) {
		out = append(out, export{kind: m[1], name: m[2]})
	}
	return out
}()

type export struct{ kind, name string }

// internalExports are the runtime's exports that only client.ts uses;
// index.ts does not re-export them.
var internalExports = setOf("Transport", "Call", "encodePathRest")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// namer hands out declaration names that are unique in a file set.
type namer struct {
	taken map[string]bool
}

func newNamer() *namer {
	n := &namer{taken: map[string]bool{"API_VERSION": true}}
	for _, set := range []map[string]bool{keywords, globals, generics} {
		for name := range set {
			n.taken[name] = true
		}
	}
	for _, e := range runtimeExports {
		n.taken[e.name] = true
	}
	return n
}

// claim returns name, or name2, name3… if it is taken, and takes it.
func (n *namer) claim(name string) string {
	out := name
	for i := 2; n.taken[out]; i++ {
		out = name + strconv.Itoa(i)
	}
	n.taken[out] = true
	return out
}

// isIdent reports whether s is an ASCII JavaScript identifier.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r == '$' || r < unicode.MaxASCII && unicode.IsLetter(r) || i > 0 && r < unicode.MaxASCII && unicode.IsDigit(r) {
			continue
		}
		return false
	}
	return true
}

// typeName makes a declaration name of a schema name: runs of
// characters an identifier cannot hold become "_" ("users.User" is
// users_User).
func typeName(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		if r == '$' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
			under = false
			continue
		}
		if !under && b.Len() > 0 {
			b.WriteByte('_')
		}
		under = true
	}
	out := strings.TrimSuffix(b.String(), "_")
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "T" + out
	}
	return out
}

// camel joins the words of s in lowerCamelCase: "user-id" is userId,
// "X-Request-Id" xRequestId.
func camel(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '$' {
			upper = b.Len() > 0
			continue
		}
		switch {
		case b.Len() == 0 && unicode.IsDigit(r):
			b.WriteByte('_')
		case b.Len() == 0:
			r = unicode.ToLower(r)
		case upper:
			r = unicode.ToUpper(r)
		}
		upper = false
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "value"
	}
	return b.String()
}

// pascal is camel with its first letter upper-cased.
func pascal(s string) string {
	c := camel(s)
	return strings.ToUpper(c[:1]) + c[1:]
}

// propertyKey writes name as an object type's or literal's key: bare
// when it is an identifier, else a string literal.
func propertyKey(name string) string {
	if isIdent(name) {
		return name
	}
	return stringLiteral(name)
}

// member writes the access of property name of obj: obj.name or
// obj["name"].
func member(obj, name string) string {
	if isIdent(name) {
		return obj + "." + name
	}
	return obj + "[" + stringLiteral(name) + "]"
}
