package effects

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"gati.dev/gati"
)

// InstallOption adjusts Install.
type InstallOption func(*Effects)

// WithBackend runs effects on b instead of the backend gati.yaml names.
func WithBackend(b Backend) InstallOption { return func(fx *Effects) { fx.backend = b } }

// WithConfig replaces gati.yaml's modules.effects section.
func WithConfig(cfg Config) InstallOption {
	return func(fx *Effects) { fx.cfg, fx.cfgSet = cfg, true }
}

// Install adds effects to app as its "effects" module: the backend opens
// and the workers start with the app, and stop with it after the
// requests drain. The JSON under /_gati/effects describes the queues and
// the dead-letter queue (in development, or when modules.effects.endpoint
// is true).
//
// The app's role (--role or $GATI_ROLE, see gati.Role) chooses whether
// this process runs workers: "all" (the default) and "worker" do, "api"
// only enqueues.
func Install(app *gati.App, opts ...InstallOption) *Effects {
	fx := newEffects()
	for _, o := range opts {
		o(fx)
	}
	app.Module(fx)
	app.HandleFunc("GET "+PathEffects, fx.serveOverview)
	app.HandleFunc("GET "+PathDead, fx.serveDead)
	app.HandleFunc("GET "+PathEffect, fx.serveEffect)
	return fx
}

// The read-only JSON endpoints.
const (
	PathEffects = "/_gati/effects"
	PathDead    = "/_gati/effects/dead"
	PathEffect  = "/_gati/effects/{id}"
)

// ModuleInfo names the module "effects".
func (fx *Effects) ModuleInfo() gati.ModuleInfo { return gati.ModuleInfo{Name: "effects"} }

// Init reads the configuration, opens the backend (the app refuses to
// start, naming it, when it cannot) and starts the workers.
func (fx *Effects) Init(ctx context.Context, mc *gati.ModuleContext) error {
	if !fx.cfgSet {
		if err := mc.DecodeConfig(&fx.cfg); err != nil {
			return err
		}
	}
	fx.cfg.setDefaults()
	if dir := os.Getenv("GATI_DATA_DIR"); dir != "" {
		fx.cfg.DataDir = dir
	}
	if err := fx.cfg.check(); err != nil {
		return fmt.Errorf("modules.effects: %w", err)
	}
	fx.workers = mc.Global().Role() != gati.RoleAPI
	fx.log = mc.Logger()
	fx.metrics = newFxMetrics(mc.Global().Metrics())
	fx.endpoint = mc.Global().Dev()
	if fx.cfg.Endpoint != nil {
		fx.endpoint = *fx.cfg.Endpoint
	}
	if fx.backend == nil {
		b, err := fx.open(ctx)
		if err != nil && fx.cfg.StartDegraded {
			fx.startDegraded(ctx, err)
			return nil
		}
		if err != nil {
			return err
		}
		fx.backend = b
	}
	return fx.startLogged(ctx)
}

func (fx *Effects) open(ctx context.Context) (Backend, error) {
	return Open(ctx, fx.cfg.Backend, OpenConfig{DSN: fx.cfg.DSN, DataDir: fx.cfg.DataDir, Queues: fx.queueNames(), Logger: fx.log})
}

func (fx *Effects) startLogged(ctx context.Context) error {
	if err := fx.Start(ctx); err != nil {
		return errors.Join(err, fx.backend.Close())
	}
	fx.log.Info("effects started", "backend", fx.backend.Name(), "queues", len(fx.queues), "kinds", len(fx.kinds), "workers", fx.workers)
	return nil
}

// reopenEvery is how often a degraded start retries the backend.
var reopenEvery = 5 * time.Second

// startDegraded lets the app start without its backend and keeps trying
// to open it; Enqueue fails with the outage meanwhile.
func (fx *Effects) startDegraded(ctx context.Context, err error) {
	fx.degraded.Store(&err)
	fx.metrics.backendUp(false)
	fx.log.Error("effects: the backend is unavailable; starting degraded and retrying (enqueues fail until it opens)",
		"backend", fx.cfg.Backend, "err", err, "retry_every", reopenEvery)
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	fx.reopenStop = cancel
	go func() {
		t := time.NewTicker(reopenEvery)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
			}
			b, err := fx.open(rctx)
			if err != nil {
				fx.degraded.Store(&err)
				continue
			}
			fx.startMu.Lock()
			if fx.stopping {
				fx.startMu.Unlock()
				b.Close()
				return
			}
			fx.backend = b
			err = fx.startLogged(rctx)
			fx.startMu.Unlock()
			if err != nil {
				fx.log.Error("effects: starting after the backend opened", "err", err)
			}
			return
		}
	}()
}

// queueNames lists the queues the registered kinds and the config name.
func (fx *Effects) queueNames() []string {
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, w := range fx.kinds {
		add(or(w.defaults.queue, defaultQueue))
	}
	for n := range fx.cfg.Queues {
		add(n)
	}
	return names
}

// Shutdown stops the workers (see Stop).
func (fx *Effects) Shutdown(ctx context.Context) error { return fx.Stop(ctx) }

// Health reports whether the backend answers. A degraded start is
// healthy by choice: the app serves, and gati_effects_backend_up is 0.
func (fx *Effects) Health(ctx context.Context) error {
	if !fx.started.Load() {
		return nil
	}
	if p, ok := fx.backend.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(ctx)
	}
	_, err := fx.backend.Stats(ctx)
	return err
}

// Overview is the body of GET /_gati/effects.
type Overview struct {
	Backend string       `json:"backend"`
	Workers bool         `json:"workers"`
	Kinds   []string     `json:"kinds"`
	Queues  []QueueStats `json:"queues"`
	Runaway int64        `json:"runaway_workers"`
}

func (fx *Effects) serveOverview(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	if err := fx.endpointOpen(); err != nil {
		return err
	}
	stats, err := fx.backend.Stats(lctx.Context())
	if err != nil {
		return err
	}
	o := Overview{Backend: fx.backend.Name(), Workers: fx.workers, Queues: stats, Runaway: fx.runaway.Load(), Kinds: []string{}}
	for k := range fx.kinds {
		o.Kinds = append(o.Kinds, k)
	}
	sortStrings(o.Kinds)
	return res.JSON(http.StatusOK, o)
}

func (fx *Effects) serveDead(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	if err := fx.endpointOpen(); err != nil {
		return err
	}
	q := DeadQuery{Kind: req.Query("kind"), Queue: req.Query("queue"), Before: req.Query("before")}
	if s := req.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return gati.NewError(http.StatusBadRequest, "invalid_limit", "limit must be 1-1000")
		}
		q.Limit = n
	}
	jobs, err := fx.backend.Dead(lctx.Context(), q)
	if err != nil {
		return err
	}
	return res.JSON(http.StatusOK, map[string]any{"dead": orEmpty(jobs)})
}

func (fx *Effects) serveEffect(req *gati.Request, res *gati.Response, gctx *gati.Global, lctx *gati.Local) error {
	if err := fx.endpointOpen(); err != nil {
		return err
	}
	j, err := fx.backend.Get(lctx.Context(), req.Param("id"))
	if errors.Is(err, ErrNotFound) {
		return gati.NewError(http.StatusNotFound, "effect_not_found", "no effect has id "+req.Param("id"))
	}
	if err != nil {
		return err
	}
	return res.JSON(http.StatusOK, j)
}

func (fx *Effects) endpointOpen() error {
	if !fx.endpoint || !fx.started.Load() {
		return gati.NewError(http.StatusNotFound, "not_found", "the effects endpoint is off; set modules.effects.endpoint: true to serve it")
	}
	return nil
}

func sortStrings(s []string) { slices.Sort(s) }
