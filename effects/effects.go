// Package effects runs durable async work that handlers leave behind:
// an effect is recorded by a backend when Enqueue returns, run by
// workers, retried with backoff, dead-lettered when it keeps failing,
// and never lost. See docs/effects-system.md.
package effects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gati.dev/gati"
)

// Config configures effects: gati.yaml's modules.effects section, or
// New's argument. Zero values mean the defaults below.
type Config struct {
	// Backend names the linked backend driver (default "sqlite").
	Backend string `yaml:"backend"`
	// DSN is the driver's connection string; see its package.
	DSN string `yaml:"dsn"`
	// DataDir is where embedded backends keep files (default .gati/data,
	// relative to the working directory; $GATI_DATA_DIR overrides).
	DataDir string `yaml:"data_dir"`
	// Queues sets each queue's concurrency. Queues that kinds name and
	// this omits get the default concurrency.
	Queues map[string]QueueConfig `yaml:"queues"`
	// MaxAttempts is the default bound on attempts (default 25).
	MaxAttempts int `yaml:"max_attempts"`
	// Timeout is the default bound on one attempt (default 1m).
	Timeout time.Duration `yaml:"timeout"`
	// Lease is how long a fetched effect stays leased to its worker
	// between heartbeats (default 30s): after a crash it runs again
	// once its lease expires.
	Lease time.Duration `yaml:"lease"`
	// Retry is the backoff policy between failed attempts.
	Retry RetryPolicy `yaml:"retry"`
	// PollInterval is how often idle workers look for effects enqueued
	// by other processes (default 1s); effects enqueued by this process
	// wake them at once.
	PollInterval time.Duration `yaml:"poll_interval"`
	// ShutdownTimeout bounds how long running effects may finish at
	// shutdown (default 10s) before they are interrupted and handed back.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// StartDegraded lets the app start when the backend cannot be
	// opened: Enqueue returns an error naming the outage, and the backend
	// is retried every 5s until it opens. By default the app refuses to
	// start.
	StartDegraded bool `yaml:"start_degraded"`
	// Endpoint serves the read-only JSON under /_gati/effects (default:
	// in development only).
	Endpoint *bool `yaml:"endpoint"`
}

// QueueConfig configures one queue.
type QueueConfig struct {
	// Concurrency bounds the effects of the queue running at once in
	// this process (default 50).
	Concurrency int `yaml:"concurrency"`
}

const (
	defaultConcurrency = 50
	fetchBatch         = 100
	maxErrorLen        = 4 << 10
)

func (c *Config) setDefaults() {
	if c.Backend == "" {
		c.Backend = "sqlite"
	}
	if c.DataDir == "" {
		c.DataDir = ".gati/data"
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 25
	}
	if c.Timeout == 0 {
		c.Timeout = time.Minute
	}
	if c.Lease == 0 {
		c.Lease = 30 * time.Second
	}
	if c.Retry == (RetryPolicy{}) {
		c.Retry = DefaultRetryPolicy
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
}

func (c *Config) check() error {
	var errs []error
	if c.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("max_attempts %d: use at least 1", c.MaxAttempts))
	}
	for name, d := range map[string]time.Duration{"timeout": c.Timeout, "lease": c.Lease, "poll_interval": c.PollInterval, "shutdown_timeout": c.ShutdownTimeout} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s %s: must be positive", name, d))
		}
	}
	if c.Lease > 0 && c.Lease < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("lease %s: use at least 100ms", c.Lease))
	}
	if err := c.Retry.check(); err != nil {
		errs = append(errs, err)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Queues)) {
		if !queueNameRE.MatchString(name) {
			errs = append(errs, fmt.Errorf("queues: name %q: use lowercase letters, digits, _ and - starting with a letter", name))
		}
		if n := c.Queues[name].Concurrency; n < 0 {
			errs = append(errs, fmt.Errorf("queues.%s.concurrency %d: must be positive", name, n))
		}
	}
	return errors.Join(errs...)
}

// Effects is an app's effects: its backend, its kinds' workers and the
// queues that run them. Install makes one the app's "effects" module;
// New makes one that runs on its own (tests, tools).
type Effects struct {
	cfg      Config
	cfgSet   bool // cfg came from WithConfig or New
	endpoint bool // serve /_gati/effects
	backend  Backend
	caps     Capabilities
	kinds    map[string]*worker
	queues   map[string]*queueRunner
	errs     []error
	log      *slog.Logger
	metrics  *fxMetrics

	// workers: whether this process runs workers (the app's role).
	workers  bool
	starting atomic.Bool
	started  atomic.Bool
	// degraded holds the error that keeps the backend from opening, while
	// a start_degraded app retries it.
	degraded   atomic.Pointer[error]
	reopenStop context.CancelFunc
	startMu    sync.Mutex // orders a late start against Stop
	stopping   bool
	stopOnce   sync.Once
	stopErr    error

	fetchCtx    context.Context // canceled first at Stop: no more fetches
	stopFetch   context.CancelFunc
	runCtx      context.Context // canceled when running effects must stop
	stopRunning context.CancelFunc
	bgCtx       context.Context // completions and heartbeats, canceled last
	stopBg      context.CancelFunc
	loops       sync.WaitGroup // fetch loops
	attempts    sync.WaitGroup // attempts not yet settled
	bg          sync.WaitGroup // completer and heartbeat
	outcomes    chan settled
	unsubscribe func() // from the backend's wake-ups (Waker)
	runaway     atomic.Int64

	leaseMu sync.Mutex
	leased  map[string]string // id → lease of running attempts, for heartbeats
}

type worker struct {
	kind     string
	defaults options
	run      func(ctx context.Context, j *Job) error
}

// New returns effects on backend with cfg, not installed in an app: call
// Start and Stop, and reach it from contexts made by WithEffects.
func New(backend Backend, cfg Config) *Effects {
	fx := newEffects()
	fx.backend, fx.cfg, fx.cfgSet = backend, cfg, true
	return fx
}

func newEffects() *Effects {
	return &Effects{kinds: map[string]*worker{}, log: slog.Default(), workers: true}
}

// Work registers fn as the worker of kind k: every effect of the kind
// runs fn, in the queue the kind names. Register before the app starts.
// Returning an error fails the attempt (see Snooze, Cancel, RetryAfter
// for the others); a panic fails it with the panic recorded.
func Work[T any](fx *Effects, k *Kind[T], fn func(context.Context, Effect[T]) error) {
	switch {
	case k == nil || fn == nil:
		fx.errs = append(fx.errs, errors.New("effects: Work needs a kind and a function"))
		return
	case k.err != nil:
		fx.errs = append(fx.errs, k.err)
		return
	case fx.started.Load():
		fx.errs = append(fx.errs, fmt.Errorf("effects: Work(%s) after start: register workers before the app starts", k.name))
		return
	case fx.kinds[k.name] != nil:
		fx.errs = append(fx.errs, fmt.Errorf("effects: kind %s has two workers", k.name))
		return
	}
	fx.kinds[k.name] = &worker{kind: k.name, defaults: k.defaults, run: func(ctx context.Context, j *Job) error {
		e, err := decode[T](j)
		if err != nil {
			return Cancel(err) // the same bytes will never decode
		}
		return fn(ctx, e)
	}}
}

// Backend returns the backend effects run on (nil before start when it
// comes from the configuration).
func (fx *Effects) Backend() Backend { return fx.backend }

// Start checks the registrations and starts the workers (unless this
// process runs without them). The backend must be set.
func (fx *Effects) Start(ctx context.Context) error {
	if err := errors.Join(fx.errs...); err != nil {
		return err
	}
	fx.cfg.setDefaults()
	if err := fx.cfg.check(); err != nil {
		return fmt.Errorf("effects: config: %w", err)
	}
	if fx.backend == nil {
		return errors.New("effects: no backend")
	}
	if fx.starting.Swap(true) {
		return errors.New("effects: started twice")
	}
	fx.caps = fx.backend.Capabilities()
	fx.queues = map[string]*queueRunner{}
	for _, w := range fx.kinds {
		fx.queue(or(w.defaults.queue, defaultQueue))
	}
	for name := range fx.cfg.Queues {
		fx.queue(name)
	}
	fx.fetchCtx, fx.stopFetch = context.WithCancel(context.WithoutCancel(ctx))
	fx.runCtx, fx.stopRunning = context.WithCancel(context.WithoutCancel(ctx))
	fx.bgCtx, fx.stopBg = context.WithCancel(context.WithoutCancel(ctx))
	fx.outcomes = make(chan settled, 4*fetchBatch)
	fx.leased = map[string]string{}
	fx.bg.Add(3)
	go fx.completeLoop()
	go fx.heartbeatLoop()
	go fx.sampleLoop()
	if fx.workers {
		for _, q := range fx.queues {
			fx.loops.Add(1)
			go q.loop()
		}
		if w, ok := fx.backend.(Waker); ok {
			fx.unsubscribe = w.Subscribe(func(queue string) {
				if q := fx.queues[queue]; q != nil { // read-only after Start
					q.poke()
				}
			})
		}
	}
	fx.started.Store(true) // after every field above: Enqueue reads them once it sees this
	fx.metrics.backendUp(true)
	return nil
}

func (fx *Effects) queue(name string) *queueRunner {
	if q := fx.queues[name]; q != nil {
		return q
	}
	n := fx.cfg.Queues[name].Concurrency
	if n == 0 {
		n = defaultConcurrency
	}
	q := &queueRunner{fx: fx, name: name, slots: make(chan struct{}, n), wake: make(chan struct{}, 1)}
	fx.queues[name] = q
	return q
}

// Stop stops fetching, lets running effects finish within ctx and the
// shutdown timeout, interrupts and hands back the rest, records every
// outcome and closes the backend.
func (fx *Effects) Stop(ctx context.Context) error {
	fx.startMu.Lock()
	if fx.reopenStop != nil {
		fx.reopenStop()
	}
	fx.stopping = true
	fx.startMu.Unlock()
	if !fx.started.Load() {
		return nil
	}
	fx.stopOnce.Do(func() { fx.stopErr = fx.stop(ctx) })
	return fx.stopErr
}

func (fx *Effects) stop(ctx context.Context) error {
	if fx.unsubscribe != nil {
		fx.unsubscribe()
	}
	fx.stopFetch()
	fx.loops.Wait()
	ctx, cancel := context.WithTimeout(ctx, fx.cfg.ShutdownTimeout)
	defer cancel()
	if !waitCtx(ctx, &fx.attempts) {
		fx.log.Warn("effects: interrupting running effects at shutdown; they run again", "timeout", fx.cfg.ShutdownTimeout)
		fx.stopRunning()
		fx.attempts.Wait() // interrupted attempts settle at once
	}
	fx.stopRunning()
	close(fx.outcomes)
	fx.bg.Wait()
	fx.stopBg()
	return fx.backend.Close()
}

// waitCtx waits for wg or ctx, reporting whether wg finished.
func waitCtx(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

type fxKey struct{}

// WithEffects returns a context from which Enqueue finds fx.
func WithEffects(ctx context.Context, fx *Effects) context.Context {
	return context.WithValue(ctx, fxKey{}, fx)
}

// from finds the effects for an Enqueue.
func from(ctx context.Context) (*Effects, error) {
	if fx, ok := ctx.Value(fxKey{}).(*Effects); ok {
		return fx, nil
	}
	if l, ok := gati.LocalFrom(ctx); ok {
		if fx, ok := gati.LookupModule[*Effects](l.Global()); ok {
			return fx, nil
		}
		return nil, errors.New("effects: this app has no effects: add effects.Install(app) in main")
	}
	return nil, errors.New("effects: Enqueue needs a request's context (lctx.Context()), a worker's, or one from effects.WithEffects")
}

func (fx *Effects) enqueue(ctx context.Context, tx any, kind string, kindErr error, args any, defaults options, opts []Option) (Enqueued, error) {
	if kindErr != nil {
		return Enqueued{}, kindErr
	}
	fail := func(format string, a ...any) (Enqueued, error) {
		return Enqueued{}, fmt.Errorf("effects: enqueue %s: "+format, append([]any{kind}, a...)...)
	}
	if fx.kinds[kind] == nil {
		return fail("no worker is registered for this kind in this app; register one with effects.Work")
	}
	if !fx.started.Load() {
		if err := fx.degraded.Load(); err != nil {
			return fail("the %s backend is unavailable (the app started degraded; retrying): %w", fx.cfg.Backend, *err)
		}
		return fail("the effects are not started yet (enqueue from handlers, workers or after app start)")
	}
	o, err := merged(defaults, opts)
	if err != nil {
		return fail("%v", err)
	}
	body, err := json.Marshal(args)
	if err != nil {
		return fail("the args do not marshal to JSON: %v", err)
	}
	now := time.Now()
	j := &Job{Kind: kind, Queue: or(o.queue, defaultQueue), Args: body, Priority: or(o.priority, defaultPriority),
		MaxAttempts: or(o.maxAttempts, fx.cfg.MaxAttempts), RunAt: now, Timeout: o.timeout, CreatedAt: now}
	switch {
	case !o.runAt.IsZero():
		j.RunAt = o.runAt
	case o.delay > 0:
		j.RunAt = now.Add(o.delay)
	}
	if o.uniqueKey != "" {
		j.UniqueKey, j.UniqueUntil = o.uniqueKey, now.Add(o.uniqueFor)
	}
	j.TraceID, j.RequestID = origin(ctx)
	q := fx.queues[j.Queue]
	switch {
	case q == nil:
		return fail("queue %q has no workers in this app: name it under modules.effects.queues or in a kind's Queue option", j.Queue)
	case o.priority != 0 && !fx.caps.Priority:
		return fail("the %s backend does not order by priority", fx.backend.Name())
	case j.UniqueKey != "" && !fx.caps.Unique:
		return fail("the %s backend does not support unique keys", fx.backend.Name())
	case fx.caps.MaxDelay > 0 && j.RunAt.Sub(now) > fx.caps.MaxDelay:
		return fail("a delay of %s is longer than the %s backend's %s", j.RunAt.Sub(now).Round(time.Second), fx.backend.Name(), fx.caps.MaxDelay)
	}
	var ins []Inserted
	if tx != nil {
		tb, ok := fx.backend.(TxBackend)
		if !ok || !fx.caps.Transactions {
			return fail("the %s backend cannot enqueue inside a database transaction; see the outbox pattern in docs/effects-system.md", fx.backend.Name())
		}
		ins, err = tb.EnqueueTx(ctx, tx, []*Job{j})
	} else {
		ins, err = fx.backend.Enqueue(ctx, []*Job{j})
	}
	if err != nil {
		return fail("%w", err)
	}
	if len(ins) != 1 {
		return fail("the %s backend reported %d jobs for one", fx.backend.Name(), len(ins))
	}
	if !ins[0].Duplicate {
		fx.metrics.enqueued(j)
		if !j.RunAt.After(now) {
			q.poke()
		}
	}
	return Enqueued{ID: ins[0].ID, Duplicate: ins[0].Duplicate}, nil
}

// origin returns the trace and request ids of the request (or effect)
// that ctx belongs to.
func origin(ctx context.Context) (traceID, requestID string) {
	if j, ok := ctx.Value(jobKey{}).(*Job); ok {
		return j.TraceID, j.RequestID
	}
	if l, ok := gati.LocalFrom(ctx); ok {
		return l.Trace().TraceIDString(), l.RequestID()
	}
	return "", ""
}

type jobKey struct{}

// Logger returns fx's logger for the effect whose worker ctx belongs to,
// with its id, kind, attempt and the enqueuing request's trace and
// request ids; slog.Default() outside a worker.
func Logger(ctx context.Context) *slog.Logger {
	j, ok := ctx.Value(jobKey{}).(*Job)
	fx, _ := ctx.Value(fxKey{}).(*Effects)
	if !ok || fx == nil {
		return slog.Default()
	}
	return fx.log.With(jobAttrs(j)...)
}

func jobAttrs(j *Job) []any {
	attrs := []any{slog.String("effect_id", j.ID), slog.String("kind", j.Kind), slog.Int("attempt", j.Attempt)}
	if j.TraceID != "" {
		attrs = append(attrs, slog.String("trace_id", j.TraceID))
	}
	if j.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", j.RequestID))
	}
	return attrs
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
