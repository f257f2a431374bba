package gati

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// connSet counts the connections Serve accepted that owe a client an
// answer: new ones (accepted, no request read yet) and active ones (a
// request in progress). Shutdown waits for them after closing the
// listener. Each connection keeps its own last state, so counting costs
// an atomic operation or two per state change and no lock.
type connSet struct {
	fresh  atomic.Int64 // StateNew
	active atomic.Int64 // StateActive
}

// connGrace bounds the wait for a connection accepted just before the
// listener closed to send its request: a client sends right after
// connecting, while a browser's speculative connection may never send.
const connGrace = time.Second

// track is the server's ConnState hook.
func (s *connSet) track(c net.Conn, state http.ConnState) {
	fc := framingOf(c)
	if fc == nil {
		return
	}
	prev := fc.state
	fc.state = int32(state) + 1 // stored +1: zero means not seen yet
	if prev > 0 {
		s.count(http.ConnState(prev-1), -1)
	}
	s.count(state, +1)
}

func (s *connSet) count(state http.ConnState, delta int64) {
	switch state {
	case http.StateNew:
		s.fresh.Add(delta)
	case http.StateActive:
		s.active.Add(delta)
	}
}

// waitAnswered waits until no connection has a request in progress and
// no connection accepted within grace is still waiting for its first
// request, or until ctx is done.
func (s *connSet) waitAnswered(ctx context.Context, grace time.Duration) {
	graceOver := time.Now().Add(grace)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for s.active.Load() > 0 || s.fresh.Load() > 0 && time.Now().Before(graceOver) {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
