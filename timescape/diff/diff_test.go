package diff

import (
	"strings"
	"testing"
	"time"

	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
)

func ptr[T any](v T) *T { return &v }

func typ(names ...string) schema.Types { return schema.Types(names) }

func str() *schema.Schema { return &schema.Schema{Type: typ("string")} }

func integer() *schema.Schema { return &schema.Schema{Type: typ("integer")} }

// obj is an object schema; a name ending in "!" is required.
func obj(props map[string]*schema.Schema) *schema.Schema {
	s := &schema.Schema{Type: typ("object"), Properties: map[string]*schema.Schema{}}
	for name, p := range props {
		if n, ok := strings.CutSuffix(name, "!"); ok {
			name = n
			s.Required = append(s.Required, n)
		}
		s.Properties[name] = p
	}
	return s
}

func with(s *schema.Schema, edit func(*schema.Schema)) *schema.Schema {
	c := *s
	edit(&c)
	return &c
}

func snap(id, semver string, routes ...timescape.RouteSchema) *timescape.Snapshot {
	day, _ := time.Parse(time.DateOnly, id[:10])
	s := &timescape.Snapshot{FormatVersion: 1, ID: id, Date: day, Semver: semver, Routes: routes}
	s.SortRoutes()
	s.Hash = s.ComputeHash()
	return s
}

func route(method, path string, req, resp *schema.Schema, params ...schema.Param) timescape.RouteSchema {
	return timescape.RouteSchema{Method: method, Path: path, Status: 200, ContentType: "application/json",
		Params: params, Request: req, Response: resp}
}

// body is POST /users with a request and a response body.
func body(req, resp *schema.Schema) timescape.RouteSchema {
	return route("POST", "/users", req, resp)
}

func query(name string, required bool, s *schema.Schema) schema.Param {
	return schema.Param{In: "query", Name: name, Required: required, Schema: s}
}

// field returns a one-field request or response: {"name": s}.
func field(s *schema.Schema) *schema.Schema { return obj(map[string]*schema.Schema{"name": s}) }

func reqField(s *schema.Schema) timescape.RouteSchema  { return body(field(s), obj(nil)) }
func respField(s *schema.Schema) timescape.RouteSchema { return body(obj(nil), field(s)) }

func maxLen(n int) *schema.Schema { return &schema.Schema{Type: typ("string"), MaxLength: ptr(n)} }

func enum(values ...any) *schema.Schema { return &schema.Schema{Type: typ("string"), Enum: values} }

// user is a response whose root is a $ref to a def named name.
func user(name string, u *schema.Schema) *schema.Schema {
	return &schema.Schema{Ref: "#/$defs/" + name, Defs: map[string]*schema.Schema{name: u}}
}

type ruleCase struct {
	name     string
	from, to []timescape.RouteSchema
	rule     string
	route    string // "POST /users" when empty
	pointer  string
}

func rs(r ...timescape.RouteSchema) []timescape.RouteSchema { return r }

var (
	nameP  = "/request/properties/name"
	nameR  = "/response/properties/name"
	limitP = "/params/query/limit"
)

var ruleCases = []ruleCase{
	// Routes.
	{"route removed", rs(body(nil, nil), route("GET", "/teams", nil, nil)), rs(body(nil, nil)), "route-removed", "GET /teams", ""},
	{"route added", rs(body(nil, nil)), rs(body(nil, nil), route("GET", "/teams", nil, nil)), "route-added", "GET /teams", ""},
	{"status", rs(body(nil, nil)), rs(func() timescape.RouteSchema { r := body(nil, nil); r.Status = 201; return r }()), "success-status-changed", "", "/status"},
	{"content type", rs(body(nil, nil)), rs(func() timescape.RouteSchema { r := body(nil, nil); r.ContentType = "text/csv"; return r }()), "content-type-changed", "", "/content_type"},
	{"request body added", rs(body(nil, nil)), rs(body(obj(nil), nil)), "request-body-added", "", "/request"},
	{"request body removed", rs(body(obj(nil), nil)), rs(body(nil, nil)), "request-body-removed", "", "/request"},
	{"response body added", rs(body(nil, nil)), rs(body(nil, obj(nil))), "response-body-added", "", "/response"},
	{"response body removed", rs(body(nil, obj(nil))), rs(body(nil, nil)), "response-body-removed", "", "/response"},

	// Parameters.
	{"param added required", rs(route("GET", "/users", nil, nil)), rs(route("GET", "/users", nil, nil, query("org", true, str()))), "request-param-added-required", "GET /users", "/params/query/org"},
	{"param added optional", rs(route("GET", "/users", nil, nil)), rs(route("GET", "/users", nil, nil, query("cursor", false, str()))), "request-param-added-optional", "GET /users", "/params/query/cursor"},
	{"param removed", rs(route("GET", "/users", nil, nil, query("sort", false, str()))), rs(route("GET", "/users", nil, nil)), "request-param-removed", "GET /users", "/params/query/sort"},
	{"param became required", rs(route("GET", "/users", nil, nil, query("limit", false, integer()))), rs(route("GET", "/users", nil, nil, query("limit", true, integer()))), "request-param-became-required", "GET /users", limitP},
	{"param became optional", rs(route("GET", "/users", nil, nil, query("limit", true, integer()))), rs(route("GET", "/users", nil, nil, query("limit", false, integer()))), "request-param-became-optional", "GET /users", limitP},
	{"param maximum down", rs(route("GET", "/users", nil, nil, query("limit", false, &schema.Schema{Type: typ("integer"), Maximum: ptr(100.0)}))), rs(route("GET", "/users", nil, nil, query("limit", false, &schema.Schema{Type: typ("integer"), Maximum: ptr(50.0)}))), "request-constraint-tightened", "GET /users", limitP + "/maximum"},
	{"header param case", rs(route("GET", "/users", nil, nil, schema.Param{In: "header", Name: "X-Org", Schema: str()})), rs(route("GET", "/users", nil, nil, schema.Param{In: "header", Name: "x-org", Schema: maxLen(3)})), "request-constraint-tightened", "GET /users", "/params/header/X-Org/maxLength"},

	// Request fields.
	{"request required field added", rs(reqField(str())), rs(body(obj(map[string]*schema.Schema{"name": str(), "email!": str()}), obj(nil))), "request-required-field-added", "", "/request/properties/email"},
	{"request optional field added", rs(reqField(str())), rs(body(obj(map[string]*schema.Schema{"name": str(), "email": str()}), obj(nil))), "request-optional-field-added", "", "/request/properties/email"},
	{"request field removed", rs(reqField(str())), rs(body(obj(nil), obj(nil))), "request-field-removed", "", nameP},
	{"request field became required", rs(reqField(str())), rs(body(obj(map[string]*schema.Schema{"name!": str()}), obj(nil))), "request-field-became-required", "", nameP},
	{"request field became optional", rs(body(obj(map[string]*schema.Schema{"name!": str()}), obj(nil))), rs(reqField(str())), "request-field-became-optional", "", nameP},

	// Response fields.
	{"response field removed", rs(respField(str())), rs(body(obj(nil), obj(nil))), "response-field-removed", "", nameR},
	{"response field added", rs(body(obj(nil), obj(nil))), rs(respField(str())), "response-field-added", "", nameR},
	{"response field became optional", rs(body(obj(nil), obj(map[string]*schema.Schema{"name!": str()}))), rs(respField(str())), "response-field-became-optional", "", nameR},
	{"response field became required", rs(respField(str())), rs(body(obj(nil), obj(map[string]*schema.Schema{"name!": str()}))), "response-field-became-required", "", nameR},

	// Types.
	{"type changed", rs(respField(str())), rs(respField(integer())), "type-changed", "", nameR},
	{"type changed request", rs(reqField(&schema.Schema{Type: typ("number")})), rs(reqField(integer())), "type-changed", "", nameP},
	{"type changed to object", rs(reqField(str())), rs(reqField(obj(map[string]*schema.Schema{"first!": str()}))), "type-changed", "", nameP},
	{"request type widened", rs(reqField(integer())), rs(reqField(&schema.Schema{Type: typ("number")})), "request-type-widened", "", nameP},
	{"request type widened to any", rs(reqField(integer())), rs(reqField(&schema.Schema{})), "request-type-widened", "", nameP},
	{"response type narrowed", rs(respField(&schema.Schema{Type: typ("number")})), rs(respField(integer())), "response-type-narrowed", "", nameR},
	{"response type any", rs(respField(str())), rs(respField(&schema.Schema{})), "type-changed", "", nameR},

	// Nullability.
	{"request nullable removed", rs(reqField(&schema.Schema{Type: typ("string", "null")})), rs(reqField(str())), "request-nullable-removed", "", nameP},
	{"request nullable added", rs(reqField(str())), rs(reqField(&schema.Schema{Type: typ("string", "null")})), "request-nullable-added", "", nameP},
	{"response nullable added", rs(respField(str())), rs(respField(&schema.Schema{Type: typ("string", "null")})), "response-nullable-added", "", nameR},
	{"response nullable removed", rs(respField(&schema.Schema{Type: typ("string", "null")})), rs(respField(str())), "response-nullable-removed", "", nameR},

	// Enums.
	{"request enum value removed", rs(reqField(enum("a", "b"))), rs(reqField(enum("a"))), "request-enum-value-removed", "", nameP + "/enum"},
	{"request enum value added", rs(reqField(enum("a"))), rs(reqField(enum("a", "b"))), "request-enum-value-added", "", nameP + "/enum"},
	{"response enum value added", rs(respField(enum("a"))), rs(respField(enum("b", "a"))), "response-enum-value-added", "", nameR + "/enum"},
	{"response enum value removed", rs(respField(enum("a", "b"))), rs(respField(enum("b"))), "response-enum-value-removed", "", nameR + "/enum"},
	{"request enum introduced", rs(reqField(str())), rs(reqField(enum("a"))), "request-constraint-tightened", "", nameP + "/enum"},
	{"request enum dropped", rs(reqField(enum("a"))), rs(reqField(str())), "request-constraint-loosened", "", nameP + "/enum"},
	{"response enum introduced", rs(respField(str())), rs(respField(enum("a"))), "response-constraint-tightened", "", nameR + "/enum"},
	{"response enum dropped", rs(respField(enum("a"))), rs(respField(str())), "response-constraint-loosened", "", nameR + "/enum"},
	{"enum numbers compare by value", rs(reqField(&schema.Schema{Type: typ("integer"), Enum: []any{int64(1), int64(2)}})), rs(reqField(&schema.Schema{Type: typ("integer"), Enum: []any{1.0}})), "request-enum-value-removed", "", nameP + "/enum"},

	// Request constraints.
	{"request maxLength down", rs(reqField(maxLen(200))), rs(reqField(maxLen(100))), "request-constraint-tightened", "", nameP + "/maxLength"},
	{"request maxLength added", rs(reqField(str())), rs(reqField(maxLen(100))), "request-constraint-tightened", "", nameP + "/maxLength"},
	{"request minLength up", rs(reqField(with(str(), func(s *schema.Schema) { s.MinLength = ptr(1) }))), rs(reqField(with(str(), func(s *schema.Schema) { s.MinLength = ptr(2) }))), "request-constraint-tightened", "", nameP + "/minLength"},
	{"request minimum up", rs(reqField(&schema.Schema{Type: typ("integer"), Minimum: ptr(0.0)})), rs(reqField(&schema.Schema{Type: typ("integer"), Minimum: ptr(1.0)})), "request-constraint-tightened", "", nameP + "/minimum"},
	{"request maximum down", rs(reqField(&schema.Schema{Type: typ("integer"), Maximum: ptr(10.0)})), rs(reqField(&schema.Schema{Type: typ("integer"), Maximum: ptr(9.5)})), "request-constraint-tightened", "", nameP + "/maximum"},
	{"request pattern added", rs(reqField(str())), rs(reqField(with(str(), func(s *schema.Schema) { s.Pattern = "^[a-z]+$" }))), "request-constraint-tightened", "", nameP + "/pattern"},
	{"request pattern changed", rs(reqField(with(str(), func(s *schema.Schema) { s.Pattern = "^[a-z]+$" }))), rs(reqField(with(str(), func(s *schema.Schema) { s.Pattern = "^[a-z0-9]+$" }))), "request-constraint-tightened", "", nameP + "/pattern"},
	{"request format added", rs(reqField(str())), rs(reqField(with(str(), func(s *schema.Schema) { s.Format = "email" }))), "request-constraint-tightened", "", nameP + "/format"},
	{"request format changed", rs(reqField(with(str(), func(s *schema.Schema) { s.Format = "uri" }))), rs(reqField(with(str(), func(s *schema.Schema) { s.Format = "email" }))), "request-constraint-tightened", "", nameP + "/format"},
	{"request maxItems down", rs(reqField(&schema.Schema{Type: typ("array"), Items: str(), MaxItems: ptr(10)})), rs(reqField(&schema.Schema{Type: typ("array"), Items: str(), MaxItems: ptr(5)})), "request-constraint-tightened", "", nameP + "/maxItems"},
	{"request minItems up", rs(reqField(&schema.Schema{Type: typ("array"), Items: str()})), rs(reqField(&schema.Schema{Type: typ("array"), Items: str(), MinItems: ptr(1)})), "request-constraint-tightened", "", nameP + "/minItems"},
	{"request items tightened", rs(body(obj(map[string]*schema.Schema{"tags": {Type: typ("array"), Items: maxLen(20)}}), nil)), rs(body(obj(map[string]*schema.Schema{"tags": {Type: typ("array"), Items: maxLen(10)}}), nil)), "request-constraint-tightened", "", "/request/properties/tags/items/maxLength"},
	{"request additionalProperties", rs(body(&schema.Schema{Type: typ("object"), AdditionalProperties: maxLen(20)}, nil)), rs(body(&schema.Schema{Type: typ("object"), AdditionalProperties: maxLen(10)}, nil)), "request-constraint-tightened", "", "/request/additionalProperties/maxLength"},
	{"request maxLength up", rs(reqField(maxLen(100))), rs(reqField(maxLen(200))), "request-constraint-loosened", "", nameP + "/maxLength"},
	{"request pattern removed", rs(reqField(with(str(), func(s *schema.Schema) { s.Pattern = "^a" }))), rs(reqField(str())), "request-constraint-loosened", "", nameP + "/pattern"},
	{"request minimum removed", rs(reqField(&schema.Schema{Type: typ("integer"), Minimum: ptr(1.0)})), rs(reqField(integer())), "request-constraint-loosened", "", nameP + "/minimum"},

	// Response constraints.
	{"response maxLength up", rs(respField(maxLen(100))), rs(respField(maxLen(200))), "response-constraint-loosened", "", nameR + "/maxLength"},
	{"response maxLength removed", rs(respField(maxLen(100))), rs(respField(str())), "response-constraint-loosened", "", nameR + "/maxLength"},
	{"response format changed", rs(respField(with(str(), func(s *schema.Schema) { s.Format = "uuid" }))), rs(respField(with(str(), func(s *schema.Schema) { s.Format = "uri" }))), "response-constraint-loosened", "", nameR + "/format"},
	{"response minimum down", rs(respField(&schema.Schema{Type: typ("integer"), Minimum: ptr(1.0)})), rs(respField(&schema.Schema{Type: typ("integer"), Minimum: ptr(0.0)})), "response-constraint-loosened", "", nameR + "/minimum"},
	{"response maxLength down", rs(respField(maxLen(200))), rs(respField(maxLen(100))), "response-constraint-tightened", "", nameR + "/maxLength"},

	// Annotations.
	{"request default changed", rs(reqField(with(str(), func(s *schema.Schema) { s.Default = "a" }))), rs(reqField(with(str(), func(s *schema.Schema) { s.Default = "b" }))), "request-default-changed", "", nameP + "/default"},
	{"request default added", rs(reqField(str())), rs(reqField(with(str(), func(s *schema.Schema) { s.Default = "b" }))), "default-changed", "", nameP + "/default"},
	{"response default changed", rs(respField(with(str(), func(s *schema.Schema) { s.Default = "a" }))), rs(respField(with(str(), func(s *schema.Schema) { s.Default = "b" }))), "default-changed", "", nameR + "/default"},
	{"deprecated", rs(respField(str())), rs(respField(with(str(), func(s *schema.Schema) { s.Deprecated = true }))), "field-deprecated", "", nameR + "/deprecated"},
	{"undeprecated", rs(reqField(with(str(), func(s *schema.Schema) { s.Deprecated = true }))), rs(reqField(str())), "field-undeprecated", "", nameP + "/deprecated"},
	{"description", rs(respField(str())), rs(respField(with(str(), func(s *schema.Schema) { s.Description = "The name." }))), "description-changed", "", nameR + "/description"},
	{"example", rs(reqField(with(str(), func(s *schema.Schema) { s.Examples = []any{"Ada"} }))), rs(reqField(with(str(), func(s *schema.Schema) { s.Examples = []any{"Grace"} }))), "example-changed", "", nameP + "/examples"},

	// $refs, by structure.
	{"field removed in def", rs(body(nil, user("User", obj(map[string]*schema.Schema{"id": integer(), "name": str()})))), rs(body(nil, user("Person", obj(map[string]*schema.Schema{"id": integer()})))), "response-field-removed", "", nameR},
	{"nullable ref added", rs(respField(&schema.Schema{Ref: "#/$defs/Name"})), rs(respField(&schema.Schema{AnyOf: []*schema.Schema{{Ref: "#/$defs/Name"}, {Type: typ("null")}}})), "response-nullable-added", "", nameR},
	{"ref vs inline description", rs(body(nil, user("User", obj(map[string]*schema.Schema{"name": {Ref: "#/$defs/Name", Description: "old"}})))), rs(body(nil, user("User", obj(map[string]*schema.Schema{"name": {Ref: "#/$defs/Name", Description: "new"}})))), "description-changed", "", nameR + "/description"},
}

// withNameDef adds the def Name (a string) to the root of every body.
func withNameDef(routes []timescape.RouteSchema) []timescape.RouteSchema {
	for i := range routes {
		for _, s := range []*schema.Schema{routes[i].Request, routes[i].Response} {
			if s != nil {
				if s.Defs == nil {
					s.Defs = map[string]*schema.Schema{}
				}
				s.Defs["Name"] = maxLen(50)
			}
		}
	}
	return routes
}

func TestRules(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			from := snap("2025-01-01", "1.4.2", withNameDef(tc.from)...)
			to := snap("2025-06-01", "1.5.0", withNameDef(tc.to)...)
			r := Compare(from, to)
			wantRoute := tc.route
			if wantRoute == "" {
				wantRoute = "POST /users"
			}
			if len(r.Changes) != 1 {
				t.Fatalf("got %d changes, want exactly one %s:\n%s", len(r.Changes), tc.rule, dump(r))
			}
			c := r.Changes[0]
			if c.Rule != tc.rule || c.Route != wantRoute || c.Pointer != tc.pointer || c.Severity != severities[tc.rule] {
				t.Errorf("got %s %s %s %q, want %s %s %s %q", c.Rule, c.Severity, c.Route, c.Pointer,
					tc.rule, severities[tc.rule], wantRoute, tc.pointer)
			}
			if !strings.HasSuffix(c.Message, ".") || c.Message[0] < 'A' || c.Message[0] > 'Z' {
				t.Errorf("message is not a sentence: %q", c.Message)
			}
			if r.Severity != c.Severity {
				t.Errorf("report severity %s, want %s", r.Severity, c.Severity)
			}
			covered[tc.rule] = true
		})
	}
	for _, rule := range Rules() {
		if !covered[rule.ID] {
			t.Errorf("rule %s has no test case", rule.ID)
		}
	}
}

func dump(r Report) string {
	var b strings.Builder
	r.Format(&b, "text")
	return b.String()
}

func TestSplitName(t *testing.T) {
	before := obj(map[string]*schema.Schema{"id": integer(), "name!": str()})
	after := obj(map[string]*schema.Schema{"id": integer(), "first_name!": str(), "last_name!": str()})
	from := snap("2025-01-01", "1.4.2", body(before, user("User", before)))
	to := snap("2025-06-01", "1.5.0", body(after, user("User", after)))
	r := Compare(from, to)
	type key struct{ rule, pointer string }
	got := map[key]Severity{}
	for _, c := range r.Changes {
		got[key{c.Rule, c.Pointer}] = c.Severity
	}
	want := map[key]Severity{
		{"request-field-removed", "/request/properties/name"}:              Breaking,
		{"request-required-field-added", "/request/properties/first_name"}: Breaking,
		{"request-required-field-added", "/request/properties/last_name"}:  Breaking,
		{"response-field-removed", "/response/properties/name"}:            Breaking,
		{"response-field-added", "/response/properties/first_name"}:        Minor,
		{"response-field-added", "/response/properties/last_name"}:         Minor,
	}
	if len(got) != len(want) || len(r.Changes) != len(want) {
		t.Fatalf("changes:\n%s", dump(r))
	}
	for k, sev := range want {
		if got[k] != sev {
			t.Errorf("%v: severity %v, want %v", k, got[k], sev)
		}
	}
	named := 0
	for i, c := range r.Changes {
		if (i < 4) != (c.Severity == Breaking) {
			t.Errorf("breaking changes should come first: %d: %+v", i, c)
		}
		if strings.HasSuffix(c.Pointer, "/name") && c.Severity == Breaking && strings.Contains(c.Message, `"name"`) {
			named++
		}
	}
	if named != 2 {
		t.Errorf("want 2 breaking changes naming \"name\":\n%s", dump(r))
	}
	if r.Severity != Breaking || r.Next != "2.0.0" || !r.Fails(Breaking) {
		t.Errorf("severity %s, next %s, fails %v", r.Severity, r.Next, r.Fails(Breaking))
	}
}

func TestNoChanges(t *testing.T) {
	routes := func(def string) []timescape.RouteSchema {
		recursive := obj(map[string]*schema.Schema{"id": integer(), "name!": str(), "manager": {AnyOf: []*schema.Schema{{Ref: "#/$defs/" + def}, {Type: typ("null")}}}})
		return rs(
			route("GET", "/users/{id}", nil, user(def, recursive), schema.Param{In: "path", Name: "id", Required: true, Schema: integer()}),
			body(obj(map[string]*schema.Schema{"name!": maxLen(10)}), user(def, recursive)),
		)
	}
	from := snap("2025-01-01", "1.4.2", routes("User")...)
	to := snap("2025-06-01", "1.5.0", routes("Person")...) // a renamed Go type
	r := Compare(from, to)
	if len(r.Changes) != 0 || r.Severity != None || r.Next != "1.4.2" || r.Fails(Patch) || r.Fails(None) {
		t.Errorf("no-op diff: %+v", r)
	}
	if r.From != "2025-01-01" || r.To != "2025-06-01" {
		t.Errorf("From, To = %s, %s", r.From, r.To)
	}
}

func TestRecursiveTypes(t *testing.T) {
	node := func(max int) *schema.Schema {
		return user("Node", obj(map[string]*schema.Schema{
			"name":     maxLen(max),
			"children": {Type: typ("array"), Items: &schema.Schema{Ref: "#/$defs/Node"}},
			"parent":   {AnyOf: []*schema.Schema{{Ref: "#/$defs/Node"}, {Type: typ("null")}}},
		}))
	}
	r := Compare(snap("2025-01-01", "1.0.0", body(node(10), nil)), snap("2025-02-01", "1.1.0", body(node(5), nil)))
	if len(r.Changes) != 1 || r.Changes[0].Pointer != "/request/properties/name/maxLength" {
		t.Errorf("recursive diff:\n%s", dump(r))
	}
}

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		from string
		sev  Severity
		want string
	}{
		{"1.4.2", Breaking, "2.0.0"},
		{"1.4.2", Minor, "1.5.0"},
		{"1.4.2", Patch, "1.4.3"},
		{"1.4.2", None, "1.4.2"},
		{"0.9.9", Breaking, "1.0.0"},
		{"1.4", Minor, ""},
		{"01.4.2", Minor, ""},
		{"", Minor, ""},
		{"v1.2.3", Minor, ""},
	} {
		if got := next(tc.from, tc.sev); got != tc.want {
			t.Errorf("next(%q, %s) = %q, want %q", tc.from, tc.sev, got, tc.want)
		}
	}
	// And through Compare: minor and patch changes together are minor.
	from := snap("2025-01-01", "3.1.4", respField(str()))
	to := snap("2025-06-01", "3.2.0", body(obj(nil), obj(map[string]*schema.Schema{"name": with(str(), func(s *schema.Schema) { s.Description = "x" }), "age": integer()})))
	if r := Compare(from, to); r.Severity != Minor || r.Next != "3.2.0" || r.Fails(Breaking) || !r.Fails(Minor) || !r.Fails(Patch) {
		t.Errorf("severity %s next %s", r.Severity, r.Next)
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []Severity{None, Patch, Minor, Breaking} {
		b, err := s.MarshalText()
		var back Severity
		if err != nil || back.UnmarshalText(b) != nil || back != s {
			t.Errorf("%v round trip: %s %v %v", s, b, back, err)
		}
	}
	if Patch.String() != "patch" || Minor.String() != "minor" || Breaking.String() != "breaking" || !(Patch < Minor && Minor < Breaking) {
		t.Error("severity names or order")
	}
	if _, err := ParseSeverity("major"); err == nil {
		t.Error("ParseSeverity(major) did not fail")
	}
}

func TestNilSnapshots(t *testing.T) {
	r := Compare(nil, snap("2025-01-01", "1.0.0", body(nil, nil)))
	if len(r.Changes) != 1 || r.Changes[0].Rule != "route-added" || r.Next != "" {
		t.Errorf("Compare(nil, s) = %+v", r)
	}
}

func TestOddSchemas(t *testing.T) {
	// A cycle built in memory, not through $ref, ends at the depth limit.
	a := obj(map[string]*schema.Schema{"name": str()})
	a.Properties["self"] = a
	b := obj(map[string]*schema.Schema{"name": str()})
	b.Properties["self"] = b
	if r := Compare(snap("2025-01-01", "1.0.0", body(a, nil)), snap("2025-02-01", "1.0.0", body(b, nil))); len(r.Changes) != 0 {
		t.Errorf("cyclic schemas: %s", dump(r))
	}
	// Unresolvable $refs compare by name.
	same := Compare(snap("2025-01-01", "1.0.0", respField(&schema.Schema{Ref: "#/$defs/Missing"})), snap("2025-02-01", "1.0.0", respField(&schema.Schema{Ref: "#/$defs/Missing"})))
	other := Compare(snap("2025-01-01", "1.0.0", respField(&schema.Schema{Ref: "#/$defs/Missing"})), snap("2025-02-01", "1.0.0", respField(&schema.Schema{Ref: "#/$defs/Gone"})))
	if len(same.Changes) != 0 || len(other.Changes) != 1 || other.Changes[0].Rule != "type-changed" {
		t.Errorf("unresolved refs: %s\n%s", dump(same), dump(other))
	}
	// nil entries and a self-referencing $ref do not panic.
	odd := &schema.Schema{Ref: "#/$defs/Loop", Defs: map[string]*schema.Schema{"Loop": {Ref: "#/$defs/Loop"}},
		Properties: map[string]*schema.Schema{"x": nil}, AnyOf: []*schema.Schema{nil, nil}}
	Compare(snap("2025-01-01", "1.0.0", body(odd, odd)), snap("2025-02-01", "1.0.0", body(obj(nil), nil)))
}
