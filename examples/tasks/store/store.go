// Package store keeps the task list in memory. It is a Gati module: the
// app initializes it from the modules.store section of gati.yaml, reports
// its size as the store_tasks metric, checks it for readiness and shuts it
// down last. Every change is published to subscribers, which the event
// routes stream to clients.
package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"gati.dev/gati"
)

// Errors returned by the store. Handlers turn them into problem responses.
var (
	ErrNotFound = errors.New("store: no such task")
	ErrFull     = errors.New("store: task limit reached")
	ErrClosed   = errors.New("store: closed")
)

// Task is one entry of the list.
type Task struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Done      bool       `json:"done"`
	Due       *time.Time `json:"due,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Event types.
const (
	Created = "created"
	Updated = "updated"
	Deleted = "deleted"
)

// Event is one change to the list. Seq numbers events from 1, in the
// order they happened.
type Event struct {
	Seq  uint64 `json:"seq"`
	Type string `json:"type"`
	Task Task   `json:"task"`
}

// Config is the modules.store section of gati.yaml.
type Config struct {
	// MaxTasks bounds the list; creating more fails with ErrFull.
	MaxTasks int `yaml:"max_tasks"`
}

// DefaultMaxTasks is MaxTasks when gati.yaml does not set it.
const DefaultMaxTasks = 1000

// Store is the in-memory task list. Its methods are safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	cfg    Config
	tasks  map[string]Task
	order  []string // ids in creation order
	nextID int
	seq    uint64
	subs   map[chan Event]struct{}
	closed bool
	size   *gati.Gauge
}

var (
	_ gati.Module        = (*Store)(nil)
	_ gati.Initializer   = (*Store)(nil)
	_ gati.Shutdowner    = (*Store)(nil)
	_ gati.HealthChecker = (*Store)(nil)
)

// New returns an empty store with the default configuration. Register it
// with app.Module; handlers reach it with gati.ModuleOf[*store.Store].
func New() *Store {
	return &Store{cfg: Config{MaxTasks: DefaultMaxTasks}, tasks: map[string]Task{}, subs: map[chan Event]struct{}{}}
}

// ModuleInfo names the module "store": its config section is
// modules.store and its metrics are prefixed store_.
func (s *Store) ModuleInfo() gati.ModuleInfo {
	return gati.ModuleInfo{Name: "store", InitTimeout: 5 * time.Second}
}

// Init reads the configuration and registers the store_tasks gauge.
func (s *Store) Init(_ context.Context, mc *gati.ModuleContext) error {
	cfg := Config{MaxTasks: DefaultMaxTasks}
	if err := mc.DecodeConfig(&cfg); err != nil {
		return err
	}
	if cfg.MaxTasks < 1 {
		return fmt.Errorf("modules.store.max_tasks is %d; it must be at least 1", cfg.MaxTasks)
	}
	size := mc.Metrics().Gauge("tasks", "Tasks in the store.").WithLabelValues()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.size = cfg, size
	s.size.Set(float64(len(s.tasks)))
	mc.Logger().Info("task store ready", "max_tasks", cfg.MaxTasks)
	return nil
}

// Shutdown closes the store and ends every subscription.
func (s *Store) Shutdown(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for ch := range s.subs {
		delete(s.subs, ch)
		close(ch)
	}
	return nil
}

// Health fails once the store is closed, which turns /healthz/ready 503.
func (s *Store) Health(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// MaxTasks returns the configured limit.
func (s *Store) MaxTasks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.MaxTasks
}

// Filter selects tasks for List. The zero Filter selects every task.
type Filter struct {
	Done  *bool // only tasks whose Done equals *Done
	Limit int   // at most Limit tasks; 0 means no limit
}

// List returns the tasks the filter selects, oldest first.
func (s *Store) List(f Filter) []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Task{}
	for _, id := range s.order {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		if t := s.tasks[id]; f.Done == nil || t.Done == *f.Done {
			out = append(out, t)
		}
	}
	return out
}

// Get returns the task with the given id, or ErrNotFound.
func (s *Store) Get(id string) (Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[id]
	if !ok {
		return Task{}, ErrNotFound
	}
	return t, nil
}

// Create adds a task. It fails with ErrFull at the configured limit.
func (s *Store) Create(title string, due *time.Time) (Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Task{}, ErrClosed
	}
	if len(s.tasks) >= s.cfg.MaxTasks {
		return Task{}, ErrFull
	}
	s.nextID++
	now := time.Now().UTC()
	t := Task{ID: strconv.Itoa(s.nextID), Title: title, Due: due, CreatedAt: now, UpdatedAt: now}
	s.tasks[t.ID] = t
	s.order = append(s.order, t.ID)
	s.changed(Created, t)
	return t, nil
}

// Update applies change to the task with the given id and returns the
// result, or ErrNotFound.
func (s *Store) Update(id string, change func(*Task)) (Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[id]
	if !ok {
		return Task{}, ErrNotFound
	}
	change(&t)
	t.ID, t.UpdatedAt = id, time.Now().UTC()
	s.tasks[id] = t
	s.changed(Updated, t)
	return t, nil
}

// Delete removes the task with the given id, or fails with ErrNotFound.
func (s *Store) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[id]
	if !ok {
		return ErrNotFound
	}
	delete(s.tasks, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
	s.changed(Deleted, t)
	return nil
}

// Subscribe returns a channel that receives every change from now on, and
// a function that ends the subscription. The channel holds up to buf
// events; a subscriber that falls further behind is dropped (its channel
// closes) rather than slowing writers down, so it can reconnect and read
// the list again instead of silently missing changes. The channel also
// closes when the store shuts down.
func (s *Store) Subscribe(buf int) (<-chan Event, func()) {
	ch := make(chan Event, max(buf, 1))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	s.subs[ch] = struct{}{}
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
	}
}

// changed updates the gauge and publishes an event; s.mu is held.
func (s *Store) changed(typ string, t Task) {
	if s.size != nil {
		s.size.Set(float64(len(s.tasks)))
	}
	s.seq++
	ev := Event{Seq: s.seq, Type: typ, Task: t}
	for ch := range s.subs {
		select {
		case ch <- ev:
		default:
			delete(s.subs, ch)
			close(ch)
		}
	}
}
