// Package tasks has enums with exported and unexported constants.
package tasks

// Status is a string enum; one of its constants is unexported, so
// gati_gen.go writes its value converted to Status.
type Status string

const (
	StatusTodo     Status = "todo"
	StatusDone     Status = "done"
	statusArchived Status = "archived"
)

// Level is an unsigned integer enum.
type Level uint8

const (
	LevelLow  Level = 1
	levelHigh Level = 200
)

// Task is a response with an enum.
type Task struct {
	ID     int    `json:"id"`
	Status Status `json:"status"`
}
