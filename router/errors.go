package router

import "fmt"

// PatternError reports a method or pattern that Add cannot parse.
//
// Pattern is the registration as displayed in messages: "METHOD /path", or
// just "/path" when the method is empty. Offset is a byte offset into that
// string.
type PatternError struct {
	Pattern string // "GET /a/{" or "/a/{"
	Loc     string // registration site, e.g. "users/get.go:12"; may be empty
	Offset  int    // byte offset into Pattern
	Msg     string // what is wrong, e.g. `unclosed "{"`
}

func (e *PatternError) Error() string {
	msg := fmt.Sprintf("router: bad pattern %q: at offset %d: %s", e.Pattern, e.Offset, e.Msg)
	return withLoc(e.Loc, msg)
}

// ConflictError reports two routes for the same method whose patterns match
// exactly the same set of paths, such as "/users/{id}" and "/users/{name}".
// Pattern and Loc describe the rejected registration; Existing and
// ExistingLoc the one that was registered first.
type ConflictError struct {
	Method      string // shared by both routes; "" means any method
	Pattern     string
	Loc         string
	Existing    string
	ExistingLoc string
}

func (e *ConflictError) Error() string {
	msg := fmt.Sprintf("router: pattern %q conflicts with %q", display(e.Method, e.Pattern), display(e.Method, e.Existing))
	if e.ExistingLoc != "" {
		msg += " registered at " + e.ExistingLoc
	}
	return withLoc(e.Loc, msg+" (both match the same paths)")
}

func withLoc(loc, msg string) string {
	if loc == "" {
		return msg
	}
	return loc + ": " + msg
}

// display joins method and pattern the way ServeMux patterns are written.
func display(method, pattern string) string {
	if method == "" {
		return pattern
	}
	return method + " " + pattern
}
