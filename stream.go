package gati

import (
	"context"
	"sync"
)

// streamSet tracks the requests whose responses stream (SSE, Stream,
// WebSocket and other hijacked connections). Unlike ordinary requests,
// which shutdown lets finish, streams may never end on their own, so
// shutdown cancels their contexts.
type streamSet struct {
	mu      sync.Mutex
	live    map[*exchange]struct{}
	stopped bool
}

// streaming gives a streaming response its own context, registered for
// cancellation at shutdown. It keeps the request context's values but
// not its deadline (see liftDeadline), and ends when the client goes
// away.
func (x *exchange) streaming() {
	if x.stream != nil {
		return
	}
	x.liftDeadline()
	ctx, cancel := context.WithCancel(context.WithoutCancel(x.cur))
	stop := context.AfterFunc(x.base, cancel)
	x.cur, x.out = ctx, nil
	x.stream = func() { stop(); cancel() }
	x.app.streams.add(x)
}

func (s *streamSet) add(x *exchange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		x.stream()
		return
	}
	if s.live == nil {
		s.live = map[*exchange]struct{}{}
	}
	s.live[x] = struct{}{}
}

func (s *streamSet) remove(x *exchange) {
	s.mu.Lock()
	delete(s.live, x)
	s.mu.Unlock()
	x.stream()
}

// cancelAll ends every live stream, and any that starts from now on.
func (s *streamSet) cancelAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for x := range s.live {
		x.stream()
	}
}

// beginStopping marks the app as shutting down: readiness turns false,
// Global.Stopping closes and streaming responses are cancelled.
func (a *App) beginStopping() {
	a.stoppingOnce.Do(func() {
		a.shuttingDown.Store(true)
		close(a.stopping)
		a.streams.cancelAll()
	})
}
