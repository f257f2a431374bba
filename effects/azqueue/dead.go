package azqueue

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2/queueerror"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/internal/queuekit"
)

// deadMsg is a message of a dead-letter queue, held by a scan.
type deadMsg struct {
	queue          string // the gati queue
	msgID, receipt string
	text           string
	env            envelope
}

// scanDead reads q's whole dead-letter queue (up to maxDeadScan
// messages). Peek returns at most 32 messages and cannot page, so the
// scan dequeues, 32 at a time, hiding what it read for
// deadScanVisibility; the caller acts on some messages and gives the
// rest back with unhide. Another scan of the same queue meanwhile sees
// only what this one has not reached.
func (b *Backend) scanDead(ctx context.Context, q string) ([]*deadMsg, error) {
	dq := b.deadQueue(q)
	byID := map[string]*deadMsg{}
	var order []string
	n := int32(32)
	vis := seconds(deadScanVisibility)
	for len(byID) < maxDeadScan {
		resp, err := dq.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: &n, VisibilityTimeout: vis})
		if queueerror.HasCode(err, queueerror.QueueNotFound) {
			break
		}
		if err != nil {
			b.unhide(context.WithoutCancel(ctx), mapValues(byID, order))
			return nil, b.unreachable(err)
		}
		if len(resp.Messages) == 0 {
			break
		}
		fresh := 0
		for _, m := range resp.Messages {
			d := &deadMsg{queue: q, msgID: deref(m.MessageID), receipt: deref(m.PopReceipt), text: deref(m.MessageText)}
			env, err := decode(d.text)
			if err != nil {
				now := time.Now()
				env = envelope{Job: effects.Job{ID: "azure-" + d.msgID, Kind: "unknown", Queue: q, State: effects.StateDead, FinishedAt: now,
					Errors: []effects.AttemptError{{At: now, Reason: "error", Error: "the message is not an effect: " + err.Error()}}}}
			}
			env.State, env.Queue = effects.StateDead, q
			d.env = env
			if _, seen := byID[d.msgID]; !seen {
				order = append(order, d.msgID)
				fresh++
			}
			byID[d.msgID] = d // a message read twice: its latest receipt
		}
		if fresh == 0 {
			break // the scan outlasted the visibility timeout and came round again
		}
	}
	if len(byID) >= maxDeadScan {
		b.log.Warn("effects/azqueue: the dead-letter queue holds more messages than one listing reads; it shows part of them",
			"queue", q, "read", len(byID))
	}
	return mapValues(byID, order), nil
}

func mapValues(m map[string]*deadMsg, order []string) []*deadMsg {
	out := make([]*deadMsg, 0, len(order))
	for _, id := range order {
		out = append(out, m[id])
	}
	return out
}

// unhide makes scanned messages visible again at once.
func (b *Backend) unhide(ctx context.Context, msgs []*deadMsg) {
	b.each(msgs, func(d *deadMsg) {
		zero := int32(0)
		if _, err := b.deadQueue(d.queue).UpdateMessage(ctx, d.msgID, d.receipt, d.text,
			&azqueue.UpdateMessageOptions{VisibilityTimeout: &zero}); err != nil && !stale(err) {
			b.log.Warn("effects/azqueue: a dead-letter message stays hidden until its scan's visibility timeout passes",
				"queue", d.queue, "message_id", d.msgID, "timeout", deadScanVisibility, "err", err)
		}
	})
}

// each runs fn on msgs, eight at a time.
func (b *Backend) each(msgs []*deadMsg, fn func(*deadMsg)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, d := range msgs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(d)
		}()
	}
	wg.Wait()
}

// deadQueues returns the queues a dead-letter operation looks at.
func (b *Backend) deadQueues(ctx context.Context, queue string) ([]string, error) {
	if queue != "" {
		return []string{queue}, nil
	}
	return b.queues(ctx)
}

// deadJob is the job of a dead-letter message.
func deadJob(d *deadMsg) *effects.Job { return &d.env.Job }

// Dead lists dead jobs newest first, reading the whole dead-letter queue
// of each queue asked for (see scanDead). A job dead-lettered twice (a
// crash between the copy and the delete) is listed once, as its newest
// copy. Before names a job of the previous page; if it is no longer
// dead, the listing ends.
func (b *Backend) Dead(ctx context.Context, q effects.DeadQuery) ([]*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	queues, err := b.deadQueues(ctx, q.Queue)
	if err != nil {
		return nil, err
	}
	var all []*deadMsg
	for _, name := range queues {
		msgs, err := b.scanDead(ctx, name)
		if err != nil {
			return nil, err
		}
		b.unhide(context.WithoutCancel(ctx), msgs)
		all = append(all, msgs...)
	}
	return queuekit.DeadPage(all, deadJob, q), nil
}

// find scans the dead-letter queues for id's copies, gives back the
// others and returns them, newest first.
func (b *Backend) find(ctx context.Context, id string) ([]*deadMsg, error) {
	queues, err := b.queues(ctx)
	if err != nil {
		return nil, err
	}
	return queuekit.Find(queues, id, deadJob,
		func(q string) ([]*deadMsg, error) { return b.scanDead(ctx, q) },
		func(_ string, others []*deadMsg) { b.unhide(context.WithoutCancel(ctx), others) })
}

// Get finds a dead job (live ones cannot be looked up in a queue).
func (b *Backend) Get(ctx context.Context, id string) (*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	found, err := b.find(ctx, id)
	if err != nil {
		return nil, err
	}
	b.unhide(context.WithoutCancel(ctx), found)
	j := found[0].env.Job
	return &j, nil
}

// RetryDead puts a dead job back in its queue, due now, its attempts
// reset and its errors kept, then deletes it from the dead-letter queue.
func (b *Backend) RetryDead(ctx context.Context, id string) error {
	if err := b.check(); err != nil {
		return err
	}
	found, err := b.find(ctx, id)
	if err != nil {
		return err
	}
	env := found[0].env
	env.State, env.Attempt, env.RunAt, env.FinishedAt, env.Dequeues = effects.StateAvailable, 0, time.Now(), time.Time{}, 0
	if err := b.ensure(ctx, env.Queue); err != nil {
		b.unhide(context.WithoutCancel(ctx), found)
		return err
	}
	if _, err := b.queue(env.Queue).EnqueueMessage(ctx, b.encode(&env), &azqueue.EnqueueMessageOptions{TimeToLive: &forever}); err != nil {
		b.unhide(context.WithoutCancel(ctx), found)
		return b.unreachable(err)
	}
	return b.remove(ctx, found)
}

// DiscardDead deletes a dead job.
func (b *Backend) DiscardDead(ctx context.Context, id string) error {
	if err := b.check(); err != nil {
		return err
	}
	found, err := b.find(ctx, id)
	if err != nil {
		return err
	}
	return b.remove(ctx, found)
}

func (b *Backend) remove(ctx context.Context, msgs []*deadMsg) error {
	var mu sync.Mutex
	var errs []error
	b.each(msgs, func(d *deadMsg) {
		if _, err := b.deadQueue(d.queue).DeleteMessage(ctx, d.msgID, d.receipt, nil); err != nil && !stale(err) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	})
	if err := errors.Join(errs...); err != nil {
		return b.unreachable(err)
	}
	return nil
}
