package gati_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"gati.dev/gati"
	"gati.dev/gati/timescape"
)

// serve starts app and returns what GET (or POST with body) target answers.
func serve(app *gati.App, method, target, body string, header ...string) (int, http.Header, string) {
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		panic(err)
	}
	defer app.Stop(ctx)
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

func exampleApp() *gati.App {
	return gati.New(gati.WithEnv("test"), gati.WithLogOutput(io.Discard))
}

type GreetIn struct {
	Name string `query:"name" minLength:"1"`
}

type GreetOut struct {
	Message string `json:"message"`
}

func Greet(gctx *gati.Global, lctx *gati.Local, in GreetIn) (GreetOut, error) {
	return GreetOut{Message: "Hello, " + in.Name + "!"}, nil
}

// A typed handler: the query is decoded into In and validated against
// its schema, and Out is written as JSON.
func ExampleTyped() {
	app := exampleApp()
	app.Handle("GET /hello", gati.Typed(Greet))
	status, _, body := serve(app, "GET", "/hello?name=Ada", "")
	fmt.Println(status, body)
	// Output: 200 {"message":"Hello, Ada!"}
}

// Invalid input never reaches the handler: the client gets a 422 problem
// naming each field.
func ExampleTyped_validation() {
	app := exampleApp()
	app.Handle("GET /hello", gati.Typed(Greet))
	status, h, body := serve(app, "GET", "/hello?name=", "")
	fmt.Println(status, h.Get("Content-Type"))
	fmt.Println(strings.Contains(body, `"pointer":"/query/name"`))
	// Output:
	// 422 application/problem+json
	// true
}

// An *Error chooses the status and the stable code clients match on; it
// leaves the server as RFC 9457 problem+json with the request id.
func ExampleNewError() {
	app := exampleApp()
	app.Handle("GET /users/{id}", gati.Typed(func(_ *gati.Global, _ *gati.Local, in struct {
		ID string `path:"id"`
	}) (GreetOut, error) {
		return GreetOut{}, gati.NewError(http.StatusNotFound, "user_not_found", "no user "+in.ID)
	}))
	status, _, body := serve(app, "GET", "/users/42", "", "X-Request-Id", "req-1")
	fmt.Println(status)
	fmt.Print(body)
	// Output:
	// 404
	// {"type":"https://gati.dev/problems/user_not_found","title":"Not Found","status":404,"detail":"no user 42","instance":"/users/42","code":"user_not_found","request_id":"req-1"}
}

// Clock is a module: initialized before the app serves, reached from
// handlers with ModuleOf.
type Clock struct{ started string }

func (c *Clock) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "clock"} }

func (c *Clock) Init(ctx context.Context, mc *gati.ModuleContext) error {
	c.started = "ready"
	return nil
}

func ExampleModuleOf() {
	app := exampleApp()
	app.Module(&Clock{})
	app.HandleFunc("GET /clock", func(_ *gati.Request, res *gati.Response, gctx *gati.Global, _ *gati.Local) error {
		return res.Text(http.StatusOK, gati.ModuleOf[*Clock](gctx).started)
	})
	_, _, body := serve(app, "GET", "/clock", "")
	fmt.Println(body)
	// Output: ready
}

// A client pinned to an old version gets the old shape; the handler only
// knows the new one.
func ExampleApp_Versions() {
	versions, err := timescape.NewSet([]timescape.Version{
		{ID: "2025-01-01", Semver: "1.0.0"},
		{ID: "2025-06-01", Semver: "2.0.0"},
	})
	if err != nil {
		panic(err)
	}
	app := exampleApp()
	app.Handle("GET /hello", gati.Typed(Greet))
	app.Versions(versions, gati.VersionChange{
		Version: "2025-06-01", Route: "GET /hello", Description: "message was called text",
		DowngradeResponse: func(body map[string]any) error {
			body["text"] = body["message"]
			delete(body, "message")
			return nil
		},
	})
	_, h, body := serve(app, "GET", "/hello?name=Ada", "", "X-API-Version", "2025-03-01")
	fmt.Println(h.Get("X-API-Version"), body)
	// Output: 2025-01-01 {"text":"Hello, Ada!"}
}

// A handler that overruns its timeout, ignoring its context: the client
// still gets an answer at the deadline.
func ExampleTimeout() {
	app := exampleApp()
	release := make(chan struct{})
	app.HandleFunc("GET /report", func(_ *gati.Request, res *gati.Response, _ *gati.Global, _ *gati.Local) error {
		<-release // stuck on something that does not watch the context
		return res.Text(http.StatusOK, "too late")
	}, gati.Timeout(20*time.Millisecond))
	time.AfterFunc(time.Second, func() { close(release) })
	status, h, body := serve(app, "GET", "/report", "")
	fmt.Println(status, h.Get("Connection"), strings.Contains(body, `"code":"timeout"`))
	// Output: 503 close true
}

// Per-request state set by middleware and read by the handler.
func ExampleKey() {
	user := gati.NewKey[string]("user")
	auth := func(next gati.HandlerFunc) gati.HandlerFunc {
		return func(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
			user.Set(lctx, "ada")
			return next(req, res, gctx, lctx)
		}
	}
	app := exampleApp()
	app.Use(auth)
	app.HandleFunc("GET /me", func(_ *gati.Request, res *gati.Response, _ *gati.Global, lctx *gati.Local) error {
		name, _ := user.Get(lctx)
		return res.Text(http.StatusOK, name)
	})
	_, _, body := serve(app, "GET", "/me", "")
	fmt.Println(body)
	// Output: ada
}
