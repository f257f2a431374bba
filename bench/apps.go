// Package bench holds the apps that Gati is measured against: the same two
// endpoints written with net/http, Gati, gin, echo and chi.
//
//	GET /hello?name=Ada -> {"message":"Hello, Ada!"}   (name defaults to "world")
//	GET /users/{id}     -> {"id":"<id>"}
//
// Each framework is used the way its documentation shows for a plain JSON
// API, with no middleware: the net/http baseline is what a user would write
// by hand (no request id, logging or metrics), so comparing against it shows
// the whole price of what Gati does per request.
//
// The in-process benchmarks (peers_test.go) use these constructors. The
// servers under cmd/, which scripts/bench-http drives, repeat the same
// handlers in one self-contained file each, so that every binary holds only
// its own framework, as a user's would. This is its own module so that the
// peers' dependencies stay out of gati.dev/gati.
package bench

import (
	"encoding/json"
	"net/http"

	"gati.dev/gati"
	"gati.dev/gati/bench/internal/hello"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/labstack/echo/v4"
)

// HelloInput is the hello request, as in examples/hello-world.
type HelloInput struct {
	Name string `query:"name"`
}

// HelloOutput is the hello response.
type HelloOutput = hello.Output

// UserInput is the path-parameter request.
type UserInput struct {
	ID string `path:"id"`
}

// UserOutput is the path-parameter response.
type UserOutput struct {
	ID string `json:"id"`
}

// NetHTTP is the baseline: a ServeMux and handlers encoding with
// encoding/json, as written by hand.
func NetHTTP() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, hello.Greeting(r.URL.Query().Get("name")))
	})
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, UserOutput{ID: r.PathValue("id")})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// Gati returns the Gati app with typed handlers. It is not started: Run
// it, or Start it before serving.
func Gati(opts ...gati.Option) *gati.App {
	app := gati.New(opts...)
	app.Handle("GET /hello", gati.Typed(func(_ *gati.Global, _ *gati.Local, in HelloInput) (HelloOutput, error) {
		return hello.Greeting(in.Name), nil
	}))
	app.Handle("GET /users/{id}", gati.Typed(func(_ *gati.Global, _ *gati.Local, in UserInput) (UserOutput, error) {
		return UserOutput{ID: in.ID}, nil
	}))
	return app
}

// Gin returns a gin engine in release mode without the default logger and
// recovery middleware (gin.New, not gin.Default).
func Gin() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/hello", func(c *gin.Context) {
		c.JSON(http.StatusOK, hello.Greeting(c.Query("name")))
	})
	r.GET("/users/:id", func(c *gin.Context) {
		c.JSON(http.StatusOK, UserOutput{ID: c.Param("id")})
	})
	return r
}

// Echo returns an echo instance without middleware.
func Echo() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/hello", func(c echo.Context) error {
		return c.JSON(http.StatusOK, hello.Greeting(c.QueryParam("name")))
	})
	e.GET("/users/:id", func(c echo.Context) error {
		return c.JSON(http.StatusOK, UserOutput{ID: c.Param("id")})
	})
	return e
}

// Chi returns a chi router without middleware; its handlers are the
// net/http ones.
func Chi() http.Handler {
	r := chi.NewRouter()
	r.Get("/hello", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, hello.Greeting(r.URL.Query().Get("name")))
	})
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, UserOutput{ID: chi.URLParam(r, "id")})
	})
	return r
}
