package gati

import (
	"context"
	"log/slog"
	"sync"
)

// Global is the app-wide context handed to every handler: modules,
// configuration, logger, metrics and lifecycle hooks.
type Global struct {
	app     *App
	cfg     *Config
	logger  *slog.Logger
	metrics *Metrics

	mu       sync.Mutex
	startup  []func(context.Context) error
	shutdown []func(context.Context) error
	checks   []healthCheck
}

type healthCheck struct {
	name string
	fn   func(context.Context) error
}

// Config returns the app's configuration.
func (g *Global) Config() *Config { return g.cfg }

// Logger returns the app logger.
func (g *Global) Logger() *slog.Logger { return g.logger }

// Metrics returns the app's metric namespace.
func (g *Global) Metrics() *Metrics { return g.metrics }

// Role reports what this process does: serve the API, run workers, or both.
func (g *Global) Role() Role { return g.app.role }

// Dev reports whether the app runs in development mode.
func (g *Global) Dev() bool { return g.cfg.Dev() }

// Stopping returns a channel closed when the app begins shutting down,
// for background work that should wind down with it.
func (g *Global) Stopping() <-chan struct{} { return g.app.stopping }

// OnStartup registers fn to run after modules are initialized and before
// the app reports ready. An error stops start-up.
func (g *Global) OnStartup(fn func(context.Context) error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.startup = append(g.startup, fn)
}

// OnShutdown registers fn to run when the app stops, after in-flight
// requests finished and before modules shut down. Hooks run in reverse
// order of registration.
func (g *Global) OnShutdown(fn func(context.Context) error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shutdown = append(g.shutdown, fn)
}

// AddHealthCheck registers a readiness check, reported under name by
// /healthz/ready.
func (g *Global) AddHealthCheck(name string, fn func(context.Context) error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.checks = append(g.checks, healthCheck{name: name, fn: fn})
}

func (g *Global) hooks() (startup, shutdown []func(context.Context) error, checks []healthCheck) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.startup, g.shutdown, g.checks
}
