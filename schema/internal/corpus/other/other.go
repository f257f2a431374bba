// Package other declares types whose names clash with corpus types.
package other

// Address clashes with corpus.Address.
type Address struct {
	Line string `json:"line"`
	Zip  string `json:"zip,omitempty" pattern:"^[0-9]{5}$"`
}

// Level is an enum whose name clashes with corpus.Level.
type Level uint8

const (
	LevelOne Level = 1
	LevelTwo Level = 2
)

// Node is a generic type instantiated with types of both packages.
type Node[T any] struct {
	Value T          `json:"value"`
	Next  *Node[T]   `json:"next,omitempty"`
	Kids  []*Node[T] `json:"kids,omitempty"`
}
