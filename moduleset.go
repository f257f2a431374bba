package gati

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// moduleSet holds the app's modules in registration order, then, once
// ordered, in initialization order.
type moduleSet struct {
	list   []*moduleEntry
	inited []*moduleEntry
}

type moduleEntry struct {
	mod  Module
	info ModuleInfo
	loc  string
}

var moduleNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

func (s *moduleSet) add(m Module, loc string) error {
	info := m.ModuleInfo()
	if !moduleNameRE.MatchString(info.Name) {
		return fmt.Errorf("%s: module name %q is not valid: use lowercase letters, digits, '_' and '-', starting with a letter", loc, info.Name)
	}
	for _, e := range s.list {
		if e.info.Name == info.Name {
			return fmt.Errorf("%s: module %q is already registered at %s", loc, info.Name, e.loc)
		}
	}
	s.list = append(s.list, &moduleEntry{mod: m, info: info, loc: loc})
	return nil
}

// order sorts the modules so each comes after those it requires. It
// reports a missing requirement, or a cycle listed in order: "a → b → a".
func (s *moduleSet) order() error {
	byName := make(map[string]*moduleEntry, len(s.list))
	for _, e := range s.list {
		byName[e.info.Name] = e
	}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var sorted []*moduleEntry
	var path []string
	var visit func(e *moduleEntry) error
	visit = func(e *moduleEntry) error {
		switch state[e.info.Name] {
		case done:
			return nil
		case visiting:
			start := slices.Index(path, e.info.Name)
			cycle := append(slices.Clone(path[start:]), e.info.Name)
			return fmt.Errorf("gati: module dependency cycle: %s", strings.Join(cycle, " → "))
		}
		state[e.info.Name] = visiting
		path = append(path, e.info.Name)
		for _, dep := range e.info.Requires {
			d, ok := byName[dep]
			if !ok {
				return fmt.Errorf("gati: module %q requires %q, which is not registered (%s)", e.info.Name, dep, e.loc)
			}
			if err := visit(d); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[e.info.Name] = done
		sorted = append(sorted, e)
		return nil
	}
	for _, e := range s.list {
		if err := visit(e); err != nil {
			return err
		}
	}
	s.list = sorted
	return nil
}

// initAll initializes modules in order. On the first failure it shuts
// down those already initialized and returns an error naming the module.
func (s *moduleSet) initAll(ctx context.Context, g *Global) error {
	for _, e := range s.list {
		start := time.Now()
		if err := e.init(ctx, g); err != nil {
			s.shutdownAll(context.WithoutCancel(ctx), g.logger)
			return err
		}
		s.inited = append(s.inited, e)
		g.logger.Debug("module initialized", slog.String("module", e.info.Name), slog.Duration("took", time.Since(start)))
	}
	return nil
}

func (e *moduleEntry) init(ctx context.Context, g *Global) error {
	in, ok := e.mod.(Initializer)
	if !ok {
		return nil
	}
	timeout := e.info.InitTimeout
	if timeout <= 0 {
		timeout = DefaultInitTimeout
	}
	mc := &ModuleContext{name: e.info.Name, global: g,
		logger: g.logger.With(slog.String("module", e.info.Name)), metrics: g.metrics.sub(e.info.Name)}
	err := callBounded(ctx, timeout, func(ctx context.Context) error { return in.Init(ctx, mc) })
	if err != nil {
		return fmt.Errorf("gati: module %q failed to initialize: %w", e.info.Name, err)
	}
	return nil
}

// shutdownAll shuts initialized modules down in reverse order, logging
// failures and continuing, and returns them joined.
func (s *moduleSet) shutdownAll(ctx context.Context, log *slog.Logger) error {
	var errs []error
	for i := len(s.inited) - 1; i >= 0; i-- {
		e := s.inited[i]
		sd, ok := e.mod.(Shutdowner)
		if !ok {
			continue
		}
		if err := callBounded(ctx, 0, sd.Shutdown); err != nil {
			log.Error("module shutdown failed", slog.String("module", e.info.Name), slog.Any("error", err))
			errs = append(errs, fmt.Errorf("module %q: %w", e.info.Name, err))
		}
	}
	s.inited = nil
	return errors.Join(errs...)
}

// ErrTimeout is returned when a module call outlives its time limit.
var ErrTimeout = errors.New("gati: timed out")

// callBounded runs fn with a deadline (none when timeout is 0) and turns
// a panic into an error. When fn ignores its context and overruns, the
// caller gets ErrTimeout at the deadline and fn is abandoned.
func callBounded(ctx context.Context, timeout time.Duration, fn func(context.Context) error) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			}
		}()
		done <- fn(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w after %s", ErrTimeout, timeout)
		}
		return ctx.Err()
	}
}
