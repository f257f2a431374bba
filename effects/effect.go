package effects

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// Kind is one sort of effect: a stable name, stored with every job, and
// the type of its arguments. Define it once, at package level:
//
//	var SendWelcome = effects.Define[Welcome]("send_welcome", effects.MaxAttempts(5))
//
// Renaming a kind orphans the jobs already stored under the old name, so
// the name is not derived from Go identifiers.
type Kind[T any] struct {
	name     string
	defaults options
	err      error
}

var kindNameRE = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,127}$`)

// Define declares a kind. The options become the defaults of every
// effect of the kind; Enqueue's options override them.
func Define[T any](name string, opts ...Option) *Kind[T] {
	k := &Kind[T]{name: name}
	if !kindNameRE.MatchString(name) {
		k.err = fmt.Errorf("effects: kind name %q: use 1-128 lowercase letters, digits and _.:- starting with a letter", name)
	}
	for _, o := range opts {
		o(&k.defaults)
	}
	if err := k.defaults.check(); k.err == nil && err != nil {
		k.err = fmt.Errorf("effects: kind %s: %w", name, err)
	}
	return k
}

// Name returns the kind's stored name.
func (k *Kind[T]) Name() string { return k.name }

// Enqueue records an effect of this kind to run after the handler. It
// finds the app's effects from ctx: a request's context (lctx.Context()),
// a worker's, or one made by WithEffects. The effect is durable when
// Enqueue returns without error; on error nothing was written.
func (k *Kind[T]) Enqueue(ctx context.Context, args T, opts ...Option) (Enqueued, error) {
	fx, err := from(ctx)
	if err != nil {
		return Enqueued{}, err
	}
	return fx.enqueue(ctx, nil, k.name, k.err, args, k.defaults, opts)
}

// EnqueueTx records an effect inside the app's database transaction tx:
// it exists, and runs, exactly when tx commits. The backend must be the
// same database (see TxBackend for the transaction types each accepts).
func (k *Kind[T]) EnqueueTx(ctx context.Context, tx any, args T, opts ...Option) (Enqueued, error) {
	if tx == nil {
		return Enqueued{}, fmt.Errorf("effects: EnqueueTx of %s: nil transaction", k.name)
	}
	fx, err := from(ctx)
	if err != nil {
		return Enqueued{}, err
	}
	return fx.enqueue(ctx, tx, k.name, k.err, args, k.defaults, opts)
}

// Enqueued reports an enqueued effect.
type Enqueued struct {
	ID string
	// Duplicate: an effect with the same unique key was enqueued within
	// its window, and ID is that one's.
	Duplicate bool
}

// Effect is one attempt at an effect, as its worker sees it.
type Effect[T any] struct {
	Args  T
	ID    string
	Kind  string
	Queue string
	// Attempt counts from 1; MaxAttempts is the last one.
	Attempt     int
	MaxAttempts int
	EnqueuedAt  time.Time
	// Errors are the failed attempts before this one.
	Errors []AttemptError
	// TraceID and RequestID name the request that enqueued the effect.
	TraceID   string
	RequestID string
}

// Option sets how effects are enqueued and run, at Define or Enqueue.
type Option func(*options)

type options struct {
	queue       string
	priority    int
	delay       time.Duration
	runAt       time.Time
	maxAttempts int
	timeout     time.Duration
	uniqueKey   string
	uniqueFor   time.Duration
}

// Queue names the queue the effect goes to (default "default"); each
// queue has its own workers and concurrency.
func Queue(name string) Option { return func(o *options) { o.queue = name } }

// Priority orders a queue: 1 runs first, 4 last; the default is 2.
func Priority(p int) Option { return func(o *options) { o.priority = p } }

// Delay runs the effect no sooner than d after it is enqueued.
func Delay(d time.Duration) Option { return func(o *options) { o.delay, o.runAt = d, time.Time{} } }

// RunAt runs the effect no sooner than t.
func RunAt(t time.Time) Option { return func(o *options) { o.runAt, o.delay = t, 0 } }

// MaxAttempts bounds the attempts before the effect is dead-lettered
// (default 25, or modules.effects.max_attempts).
func MaxAttempts(n int) Option { return func(o *options) { o.maxAttempts = n } }

// Timeout bounds each attempt (default 1m, or modules.effects.timeout):
// the worker's context is canceled, and the attempt fails at the
// deadline even if the worker ignores it.
func Timeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// Unique makes a second enqueue of the same kind and key within window of
// the first return the first instead of adding one.
func Unique(key string, window time.Duration) Option {
	return func(o *options) { o.uniqueKey, o.uniqueFor = key, window }
}

const (
	defaultQueue    = "default"
	defaultPriority = 2
)

var queueNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

func (o *options) check() error {
	switch {
	case o.queue != "" && !queueNameRE.MatchString(o.queue):
		return fmt.Errorf("queue name %q: use 1-64 lowercase letters, digits, _ and - starting with a letter", o.queue)
	case o.priority != 0 && (o.priority < 1 || o.priority > 4):
		return fmt.Errorf("priority %d: use 1 (first) to 4 (last)", o.priority)
	case o.delay < 0:
		return fmt.Errorf("negative delay %s", o.delay)
	case o.maxAttempts < 0:
		return fmt.Errorf("max attempts %d: use at least 1", o.maxAttempts)
	case o.timeout < 0:
		return fmt.Errorf("negative timeout %s", o.timeout)
	case o.uniqueFor < 0 || o.uniqueKey != "" && o.uniqueFor == 0:
		return fmt.Errorf("unique key %q needs a positive window", o.uniqueKey)
	case len(o.uniqueKey) > 256:
		return fmt.Errorf("unique key of %d bytes: at most 256", len(o.uniqueKey))
	}
	return nil
}

// merged returns the kind's defaults overridden by opts.
func merged(defaults options, opts []Option) (options, error) {
	o := defaults
	for _, opt := range opts {
		opt(&o)
	}
	return o, o.check()
}

// decode turns a job into its worker's view.
func decode[T any](j *Job) (Effect[T], error) {
	e := Effect[T]{ID: j.ID, Kind: j.Kind, Queue: j.Queue, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		EnqueuedAt: j.CreatedAt, Errors: j.Errors, TraceID: j.TraceID, RequestID: j.RequestID}
	if err := json.Unmarshal(j.Args, &e.Args); err != nil {
		return e, fmt.Errorf("decode the args of %s %s: %w", j.Kind, j.ID, err)
	}
	return e, nil
}
