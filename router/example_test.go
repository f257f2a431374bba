package router_test

import (
	"errors"
	"fmt"

	"gati.dev/gati/router"
)

func Example() {
	var t router.Table[string]
	t.Add("GET", "/users/me", "current user", "users.go:10")
	t.Add("GET", "/users/{id}", "user by id", "users.go:20")
	t.Add("GET", "/static/", "static files", "static.go:5")

	var ps router.Params
	for _, path := range []string{"/users/me", "/users/42", "/static/css/site.css", "/nope"} {
		h, res := t.Lookup("GET", path, &ps)
		fmt.Printf("%-21s %-8v %-14q %-13q id=%q\n", path, res, h, ps.Pattern(), ps.Get("id"))
	}
	_, res := t.Lookup("POST", "/users/42", &ps)
	fmt.Println(res, t.Allowed("/users/42"))
	// Output:
	// /users/me             Found    "current user" "/users/me"   id=""
	// /users/42             Found    "user by id"   "/users/{id}" id="42"
	// /static/css/site.css  Found    "static files" "/static/"    id=""
	// /nope                 NotFound ""             ""            id=""
	// MethodNotAllowed [GET HEAD]
}

func ExampleTable_Add_errors() {
	var t router.Table[int]
	err := t.Add("GET", "/a/{", 1, "a.go:3")
	var pe *router.PatternError
	fmt.Println(errors.As(err, &pe), pe.Offset)
	fmt.Println(err)

	t.Add("GET", "/users/{id}", 1, "users.go:12")
	err = t.Add("GET", "/users/{name}", 2, "users.go:40")
	var ce *router.ConflictError
	fmt.Println(errors.As(err, &ce), ce.ExistingLoc)
	fmt.Println(err)
	// Output:
	// true 7
	// a.go:3: router: bad pattern "GET /a/{": at offset 7: unclosed "{"
	// true users.go:12
	// users.go:40: router: pattern "GET /users/{name}" conflicts with "GET /users/{id}" registered at users.go:12 (both match the same paths)
}

func ExampleParams() {
	var t router.Table[string]
	t.Add("GET", "/repos/{owner}/{repo}/contents/{path...}", "contents", "")

	var ps router.Params
	t.Lookup("GET", "/repos/golang/go/contents/src/net/http/server.go", &ps)
	for i := range ps.Len() {
		fmt.Printf("%s=%s\n", ps.Key(i), ps.Value(i))
	}
	// Output:
	// owner=golang
	// repo=go
	// path=src/net/http/server.go
}
