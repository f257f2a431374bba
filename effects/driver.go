package effects

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// OpenConfig is what a backend driver gets to open a backend from the
// app's configuration.
type OpenConfig struct {
	// DSN is modules.effects.dsn: a file path, a database URL, a queue
	// URL prefix, as the driver documents. Empty means its default.
	DSN string
	// DataDir is where an embedded backend keeps its files.
	DataDir string
	// Queues names every queue the app's workers serve, so backends that
	// map queues onto cloud resources can check they exist.
	Queues []string
	Logger *slog.Logger
}

// Opener opens a backend.
type Opener func(ctx context.Context, cfg OpenConfig) (Backend, error)

var drivers struct {
	sync.Mutex
	m map[string]Opener
}

// Register makes a backend driver available by name to gati.yaml's
// modules.effects.backend. Driver packages call it from init, so linking
// one in is a blank import:
//
//	import _ "gati.dev/gati/effects/sqlite"
//
// It panics when the name is taken.
func Register(name string, open Opener) {
	drivers.Lock()
	defer drivers.Unlock()
	if drivers.m == nil {
		drivers.m = map[string]Opener{}
	}
	if _, dup := drivers.m[name]; dup {
		panic("effects: backend driver " + name + " registered twice")
	}
	drivers.m[name] = open
}

// Drivers lists the names of the linked backend drivers.
func Drivers() []string {
	drivers.Lock()
	defer drivers.Unlock()
	var names []string
	for n := range drivers.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Open opens the backend the named driver provides.
func Open(ctx context.Context, name string, cfg OpenConfig) (Backend, error) {
	drivers.Lock()
	open := drivers.m[name]
	drivers.Unlock()
	if open == nil {
		return nil, fmt.Errorf("effects: the backend %q is not linked into this binary: add import _ %q to package main (linked: %s)",
			name, "gati.dev/gati/effects/"+name, orNone(Drivers()))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	b, err := open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("effects: open the %s backend: %w", name, err)
	}
	return b, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
