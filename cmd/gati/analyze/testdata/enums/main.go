package main

import (
	"gati.dev/gati"

	"example.com/fixture/tasks"
)

// priority is an enum of package main: its constants are unexported but
// gati_gen.go, in the same package, names them.
type priority int

const (
	low priority = iota + 1
	high
)

// NewTask is a request with enums in its body and a query parameter.
type NewTask struct {
	Title    string       `json:"title"`
	Priority priority     `json:"priority"`
	Status   tasks.Status `json:"status"`
	Level    tasks.Level  `query:"level"`
}

// Create creates a task.
//
//gati:route POST /tasks
func Create(gctx *gati.Global, lctx *gati.Local, in NewTask) (tasks.Task, error) {
	return tasks.Task{ID: 1, Status: in.Status}, nil
}

func main() {
	app := gati.New()
	gatiRegister(app)
	app.Main()
}
