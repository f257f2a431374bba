package gati

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"gati.dev/gati/router"
)

// App is a Gati application: routes, middleware and modules, served by one
// request pipeline. Create it with New, register everything, then Run.
type App struct {
	// What every request reads comes first, to share as few cache lines
	// as it can: a request's data that misses the cache costs it more
	// than its instructions do (see docs/benchmarks.md).
	started      atomic.Bool
	shuttingDown atomic.Bool
	logAccess    bool         // log.access, read at Start
	entry        http.Handler // UseHTTP middleware around dispatch
	http         *httpMetrics
	noRoute      *routeMetrics
	global       *Global
	pool         sync.Pool
	table        router.Table[*route]

	mw      []Middleware
	httpMW  []HTTPMiddleware
	modules moduleSet
	errs    []error // registration mistakes, reported by Start
	role    Role

	versions *versioning // nil unless Versions was called
	older    []*route    // implementations registered with Until

	stopping     chan struct{} // closed when shutdown begins
	stoppingOnce sync.Once
	streams      streamSet
	ready        readiness
	conns        connSet
	stopOnce     sync.Once
	stopErr      error
}

// Option configures an App at New.
type Option interface{ applyApp(*appOptions) }

type appOptions struct {
	cfg       *Config
	cfgFile   string
	cfgNamed  bool // the file was named (option, flag, env): it must exist
	env       string
	logOutput io.Writer
	logger    *slog.Logger
	role      Role
}

type appOption func(*appOptions)

func (f appOption) applyApp(o *appOptions) { f(o) }

// WithConfig uses cfg instead of reading gati.yaml.
func WithConfig(cfg *Config) Option { return appOption(func(o *appOptions) { o.cfg = cfg }) }

// WithConfigFile reads the configuration from path instead of gati.yaml.
func WithConfigFile(path string) Option {
	return appOption(func(o *appOptions) { o.cfgFile, o.cfgNamed = path, true })
}

// configFileFromArgs finds --config=path or --config path (one dash too)
// among a built app's arguments, so an operator can point any Gati binary
// at its configuration without the app declaring a flag.
func configFileFromArgs(args []string) string { return flagFromArgs(args, "config") }

// flagFromArgs finds the value of --flag=value or --flag value (one dash
// too) among a built app's arguments: the flags every Gati binary takes
// (--config, --role) without the app declaring them.
func flagFromArgs(args []string, flag string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != flag {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// Role is what one process of an app does, so that effect workers scale
// apart from the API with the same binary: --role or $GATI_ROLE, else
// RoleAll.
type Role string

const (
	// RoleAll serves the API and runs workers: the default.
	RoleAll Role = "all"
	// RoleAPI serves the API; effects are enqueued but run elsewhere.
	RoleAPI Role = "api"
	// RoleWorker runs workers and serves only the health, metrics and
	// version endpoints; API routes answer 404.
	RoleWorker Role = "worker"
)

// WithRole sets the process's role instead of --role or $GATI_ROLE.
func WithRole(r Role) Option { return appOption(func(o *appOptions) { o.role = r }) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// WithEnv selects the environment instead of $GATI_ENV.
func WithEnv(env string) Option { return appOption(func(o *appOptions) { o.env = env }) }

// WithLogOutput writes logs to w instead of standard error.
func WithLogOutput(w io.Writer) Option { return appOption(func(o *appOptions) { o.logOutput = w }) }

// WithLogger uses logger instead of building one from the config.
func WithLogger(l *slog.Logger) Option { return appOption(func(o *appOptions) { o.logger = l }) }

// DefaultEnv is the environment when neither $GATI_ENV nor WithEnv names
// one: production, so that a forgotten setting never exposes stack traces.
const DefaultEnv = "production"

// New returns an App configured from gati.yaml in the working directory
// (when present), or from the file named by the --config flag or
// $GATI_CONFIG (which must exist), and the options. Configuration errors are reported by
// Start, with everything else that is wrong.
func New(opts ...Option) *App {
	o := appOptions{cfgFile: ConfigFile, env: os.Getenv("GATI_ENV"), logOutput: os.Stderr,
		role: Role(cmpOr(flagFromArgs(os.Args[1:], "role"), os.Getenv("GATI_ROLE")))}
	if path := configFileFromArgs(os.Args[1:]); path != "" {
		o.cfgFile, o.cfgNamed = path, true
	} else if path := os.Getenv("GATI_CONFIG"); path != "" {
		o.cfgFile, o.cfgNamed = path, true
	}
	for _, opt := range opts {
		opt.applyApp(&o)
	}
	if o.env == "" {
		o.env = DefaultEnv
	}
	a := &App{stopping: make(chan struct{}), role: o.role}
	switch a.role {
	case "":
		a.role = RoleAll
	case RoleAll, RoleAPI, RoleWorker:
	default:
		a.fail(fmt.Errorf("gati: role %q (from --role or $GATI_ROLE): use all, api or worker", o.role))
	}
	cfg, err := o.config()
	a.fail(err)
	cfg.withDefaults()
	a.fail(cfg.Server.RequestIDHeader.check()) // a file's value is checked as it is read
	logger := o.logger
	if logger == nil {
		logger, err = newLogger(o.logOutput, cfg)
		a.fail(err)
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(o.logOutput, nil))
	}
	a.global = &Global{app: a, cfg: cfg, logger: logger, metrics: newMetrics()}
	a.http = newHTTPMetrics(a.global.metrics)
	a.noRoute = a.http.forRoute("", "unmatched")
	a.pool.New = func() any { return newExchange(a, logger) }
	return a
}

func (o *appOptions) config() (*Config, error) {
	if o.cfg != nil {
		cfg := *o.cfg
		if cfg.env == "" {
			cfg.env = o.env
		}
		return &cfg, cfg.applyEnvVars()
	}
	if _, err := os.Stat(o.cfgFile); o.cfgNamed && err != nil {
		return &Config{env: o.env}, fmt.Errorf("gati: the config file %s (from --config, $GATI_CONFIG or WithConfigFile): %w", o.cfgFile, err)
	}
	cfg, err := LoadConfig(o.cfgFile, o.env)
	if err != nil {
		return &Config{env: o.env}, err
	}
	return cfg, nil
}

func (a *App) fail(err error) {
	if err != nil {
		a.errs = append(a.errs, err)
	}
}

// Global returns the app context.
func (a *App) Global() *Global { return a.global }

// Logger returns the app logger.
func (a *App) Logger() *slog.Logger { return a.global.logger }

// Handle registers h for pattern: an optional method, a space, and a path
// in Go 1.22 ServeMux syntax ("GET /users/{id}", "/files/{path...}").
// A malformed pattern, or one that conflicts with an earlier route, is
// reported by Start with the locations of both routes.
func (a *App) Handle(pattern string, h Handler, opts ...RouteOption) {
	a.handle(pattern, h, callerLoc(1), opts)
}

// HandleFunc registers a raw handler function for pattern; see Handle.
func (a *App) HandleFunc(pattern string, fn HandlerFunc, opts ...RouteOption) {
	a.handle(pattern, fn, callerLoc(1), opts)
}

func (a *App) handle(pattern string, h Handler, loc string, opts []RouteOption) {
	if a.started.Load() {
		panic("gati: Handle called after the app started")
	}
	rt := &route{pattern: pattern, handler: h, loc: loc}
	for _, opt := range opts {
		opt.applyRoute(rt)
	}
	method, path, err := splitPattern(pattern)
	if err != nil {
		a.fail(fmt.Errorf("%s: route %q: %w", rt.loc, pattern, err))
		return
	}
	rt.method, rt.path = method, path
	if rt.until != "" {
		a.older = append(a.older, rt) // attached to its route at Start
		return
	}
	a.fail(a.table.Add(method, path, rt, rt.loc))
}

// Use adds Gati-native middleware that runs, in order, for every route.
func (a *App) Use(mw ...Middleware) { a.mw = append(a.mw, mw...) }

// UseHTTP adds net/http middleware that runs, in order, before routing.
func (a *App) UseHTTP(mw ...HTTPMiddleware) { a.httpMW = append(a.httpMW, mw...) }

// Module registers a module. Modules are initialized by Start in
// dependency order.
func (a *App) Module(m Module) {
	a.fail(a.modules.add(m, callerLoc(1)))
}

// Routes lists the registered routes, sorted by path then method.
func (a *App) Routes() []RouteInfo {
	entries := a.table.Routes()
	out := make([]RouteInfo, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Value.info())
	}
	return out
}

// Err reports the registration and configuration mistakes found so far,
// joined; Start refuses to start while there are any.
func (a *App) Err() error { return errors.Join(a.errs...) }

// routeWithPattern returns the registered route with exactly this method
// and path, or nil.
func (a *App) routeWithPattern(method, path string) *route {
	for _, e := range a.table.Routes() {
		if e.Value.method == method && e.Value.path == path {
			return e.Value
		}
	}
	return nil
}
