package gati

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// DefaultInitTimeout bounds a module's Init when its ModuleInfo sets none.
const DefaultInitTimeout = 30 * time.Second

// A Module is a named, long-lived part of an app: a database pool, a
// cache, a client for another service. Modules declare what they require;
// the app initializes them in dependency order before serving, checks
// their health for readiness, and shuts them down in reverse order.
//
// Besides ModuleInfo, a module implements whichever of Initializer,
// Shutdowner and HealthChecker it needs.
type Module interface {
	ModuleInfo() ModuleInfo
}

// ModuleInfo describes a module.
type ModuleInfo struct {
	// Name identifies the module in logs, metrics, config and errors:
	// lowercase letters, digits, '_' and '-'.
	Name string
	// Requires names modules that must be initialized before this one.
	Requires []string
	// InitTimeout bounds Init; zero means DefaultInitTimeout.
	InitTimeout time.Duration
}

// Initializer is implemented by modules with set-up work. Init runs once,
// after every required module's Init succeeded; an error stops the app
// from starting.
type Initializer interface {
	Init(ctx context.Context, mc *ModuleContext) error
}

// Shutdowner is implemented by modules that release resources. Shutdown
// runs once, in reverse initialization order, when the app stops.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// HealthChecker is implemented by modules that can tell whether they work.
// Health is called by /healthz/ready; an error marks the app not ready.
type HealthChecker interface {
	Health(ctx context.Context) error
}

// ModuleContext is what a module gets at Init: its own logger, config
// section and metric namespace, and the app's Global.
type ModuleContext struct {
	name    string
	global  *Global
	logger  *slog.Logger
	metrics *Metrics
}

// Name returns the module's name.
func (mc *ModuleContext) Name() string { return mc.name }

// Global returns the app context, to reach other modules.
func (mc *ModuleContext) Global() *Global { return mc.global }

// Logger returns a logger whose lines carry module=<name>.
func (mc *ModuleContext) Logger() *slog.Logger { return mc.logger }

// Metrics returns a metric namespace: names are prefixed with
// "<module>_" so modules cannot collide.
func (mc *ModuleContext) Metrics() *Metrics { return mc.metrics }

// DecodeConfig decodes the module's section of gati.yaml
// (modules.<name>) into v, rejecting unknown fields. A missing section
// leaves v unchanged, so set defaults in v before calling.
func (mc *ModuleContext) DecodeConfig(v any) error {
	return mc.global.cfg.decodeModule(mc.name, v)
}

// ModuleOf returns the registered module of type T, so handlers reach
// modules with no type assertion at the call site:
//
//	store := gati.ModuleOf[*Store](gctx)
//
// It panics when no module has type T: a wiring mistake that the first
// request through the handler reveals (the panic becomes a 500).
func ModuleOf[T Module](g *Global) T {
	m, ok := LookupModule[T](g)
	if !ok {
		panic(fmt.Sprintf("gati: no module of type %T is registered; add it with app.Module", m))
	}
	return m
}

// LookupModule returns the registered module of type T, if there is one.
func LookupModule[T Module](g *Global) (T, bool) {
	for _, m := range g.app.modules.list {
		if t, ok := m.mod.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}
