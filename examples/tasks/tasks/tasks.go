// Package tasks is the task list's HTTP API: typed CRUD handlers over the
// store module, a WebSocket and a Server-Sent Events stream of changes, and
// a request-timing middleware. Routes are declared with //gati: directives;
// gati_gen.go in the main package registers them.
package tasks

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/tasks/store"
	"gati.dev/gati"
)

// MaxTitle is the longest title accepted, in characters: the maxLength
// tag of the title fields.
const MaxTitle = 200

// DefaultLimit and MaxLimit (the maximum tag of ListInput.Limit) bound
// GET /tasks?limit=.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Flag is an optional boolean query parameter: Set is false when the
// request does not carry it. It implements encoding.TextUnmarshaler, which
// is how any type becomes a path, query, header or cookie parameter.
type Flag struct {
	Set   bool
	Value bool
}

// UnmarshalText parses 1, t, true, 0, f, false (as strconv.ParseBool).
func (f *Flag) UnmarshalText(text []byte) error {
	v, err := strconv.ParseBool(string(text))
	if err != nil {
		return err
	}
	*f = Flag{Set: true, Value: v}
	return nil
}

// ListInput is the request of GET /tasks.
type ListInput struct {
	// Done keeps only finished (true) or open (false) tasks.
	Done Flag `query:"done"`
	// Limit is the most tasks returned, up to MaxLimit; absent or 0
	// means DefaultLimit.
	// The schema tags are checked before the handler runs: a limit out
	// of range is a 422 naming /query/limit.
	Limit int `query:"limit" minimum:"0" maximum:"1000"`
}

// TaskList is the response of GET /tasks.
type TaskList struct {
	Tasks []store.Task `json:"tasks"`
	Count int          `json:"count"`
}

// List returns the tasks, oldest first.
//
//gati:route GET /tasks
func List(gctx *gati.Global, lctx *gati.Local, in ListInput) (TaskList, error) {
	f := store.Filter{Limit: cmp.Or(in.Limit, DefaultLimit)}
	if in.Done.Set {
		f.Done = &in.Done.Value
	}
	tasks := gati.ModuleOf[*store.Store](gctx).List(f)
	return TaskList{Tasks: tasks, Count: len(tasks)}, nil
}

// CreateInput is the request body of POST /tasks.
type CreateInput struct {
	Title string `json:"title" maxLength:"200" doc:"What to do."`
	// Due is optional, in RFC 3339 form: "2026-03-01T17:00:00Z".
	Due *time.Time `json:"due,omitempty"`
}

// Validate adds what the schema cannot say: a title of only spaces is no
// title. Validate runs after the schema checks passed.
func (in CreateInput) Validate() error {
	if fe, ok := checkTitle(in.Title); !ok {
		return gati.Invalid(fe)
	}
	return nil
}

// Create adds a task and answers 201 with it.
//
//gati:route POST /tasks status=201 use=RequireToken
func Create(gctx *gati.Global, lctx *gati.Local, in CreateInput) (store.Task, error) {
	t, err := gati.ModuleOf[*store.Store](gctx).Create(strings.TrimSpace(in.Title), in.Due)
	if err != nil {
		return store.Task{}, storeError(err, "")
	}
	lctx.Logger().Info("task created", "task_id", t.ID)
	return t, nil
}

// TaskID names one task in the path.
type TaskID struct {
	ID string `path:"id"`
}

// Get returns one task.
//
//gati:route GET /tasks/{id}
func Get(gctx *gati.Global, lctx *gati.Local, in TaskID) (store.Task, error) {
	t, err := gati.ModuleOf[*store.Store](gctx).Get(in.ID)
	if err != nil {
		return store.Task{}, storeError(err, in.ID)
	}
	return t, nil
}

// UpdateInput is the request of PATCH /tasks/{id}: the fields present in
// the body change, the others stay.
type UpdateInput struct {
	ID    string  `path:"id"`
	Title *string `json:"title,omitempty" maxLength:"200"`
	Done  *bool   `json:"done,omitempty"`
}

// Validate requires at least one change and checks the title.
func (in UpdateInput) Validate() error {
	if in.Title == nil && in.Done == nil {
		return gati.Invalid(gati.FieldError{Pointer: "", Detail: "send title, done or both"})
	}
	if in.Title != nil {
		if fe, ok := checkTitle(*in.Title); !ok {
			return gati.Invalid(fe)
		}
	}
	return nil
}

// Update changes a task's title or state.
//
//gati:route PATCH /tasks/{id} use=RequireToken
func Update(gctx *gati.Global, lctx *gati.Local, in UpdateInput) (store.Task, error) {
	t, err := gati.ModuleOf[*store.Store](gctx).Update(in.ID, func(t *store.Task) {
		if in.Title != nil {
			t.Title = strings.TrimSpace(*in.Title)
		}
		if in.Done != nil {
			t.Done = *in.Done
		}
	})
	if err != nil {
		return store.Task{}, storeError(err, in.ID)
	}
	return t, nil
}

// Delete removes a task. The nil pointer it returns means 204 No Content.
//
//gati:route DELETE /tasks/{id} use=RequireToken
func Delete(gctx *gati.Global, lctx *gati.Local, in TaskID) (*struct{}, error) {
	if err := gati.ModuleOf[*store.Store](gctx).Delete(in.ID); err != nil {
		return nil, storeError(err, in.ID)
	}
	return nil, nil
}

// checkTitle refuses a blank title; its length is the schema's job
// (maxLength on the field).
func checkTitle(title string) (gati.FieldError, bool) {
	if strings.TrimSpace(title) == "" {
		return gati.FieldError{Pointer: "/title", Detail: "is required"}, false
	}
	return gati.FieldError{}, true
}

// storeError maps the store's errors to problem responses. Anything else
// stays a plain error: a 500 whose detail is not shown to clients.
func storeError(err error, id string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return gati.NewError(http.StatusNotFound, "task_not_found", fmt.Sprintf("there is no task with id %q", id))
	case errors.Is(err, store.ErrFull):
		return &gati.Error{Status: http.StatusConflict, Code: "task_limit_reached",
			Detail: "the list is full; delete a task first", Err: err}
	case errors.Is(err, store.ErrClosed):
		return &gati.Error{Status: http.StatusServiceUnavailable, Code: "shutting_down", Detail: "the server is shutting down", Err: err}
	}
	return err
}
