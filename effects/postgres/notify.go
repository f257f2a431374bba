package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"gati.dev/gati/effects"
)

// notifyChannel is the LISTEN/NOTIFY channel on which enqueues name the
// queue of effects that are due now.
const notifyChannel = "gati_effects"

var _ effects.Waker = (*Backend)(nil)

// notifier coalesces the queues this instance enqueued to into one
// NOTIFY statement at a time: while one is being sent, later enqueues
// only add their queue to the next.
type notifier struct {
	mu      sync.Mutex
	pending map[string]bool
	signal  chan struct{}
}

// due adds the queues of due jobs to the next notification.
func (b *Backend) due(queues []string) {
	if len(queues) == 0 {
		return
	}
	n := &b.notify
	n.mu.Lock()
	if n.pending == nil {
		n.pending = map[string]bool{}
	}
	for _, q := range queues {
		n.pending[q] = true
	}
	n.mu.Unlock()
	select {
	case n.signal <- struct{}{}:
	default:
	}
}

// sendLoop sends the pending notifications.
func (b *Backend) sendLoop() {
	defer b.cleaner.Done()
	n := &b.notify
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-n.signal:
		}
		n.mu.Lock()
		queues := make([]string, 0, len(n.pending))
		for q := range n.pending {
			queues = append(queues, q)
		}
		clear(n.pending)
		n.mu.Unlock()
		if len(queues) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := b.pool.Exec(ctx, notifySQL, notifyChannel, queues); err != nil {
			b.log.Debug("effects: NOTIFY failed; other instances find the effects at their next poll", "backend", "postgres", "err", err)
		}
		cancel()
	}
}

const notifySQL = `SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q`

// Subscribe listens on a connection of its own (not one of the pool's),
// reconnecting after errors.
func (b *Backend) Subscribe(wake func(queue string)) (cancel func()) {
	ctx, cancel := context.WithCancel(b.ctx)
	b.cleaner.Add(1)
	go func() {
		defer b.cleaner.Done()
		var wait time.Duration
		for ctx.Err() == nil {
			began := time.Now()
			err := b.listen(ctx, wake)
			if ctx.Err() != nil {
				return
			}
			if time.Since(began) > time.Minute {
				wait = 0
			}
			wait = min(max(2*wait, time.Second), 30*time.Second)
			b.log.Warn("effects: listening for other instances' enqueues failed; retrying", "backend", "postgres", "err", err, "retry_in", wait)
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
	}()
	return cancel
}

func (b *Backend) listen(ctx context.Context, wake func(queue string)) error {
	conn, err := pgx.ConnectConfig(ctx, b.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		wake(n.Payload)
	}
}
