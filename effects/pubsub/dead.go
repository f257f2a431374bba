package pubsub

import (
	"context"
	"strconv"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/internal/queuekit"
)

// deadMsg is a message of a dead-letter subscription, held by a scan.
type deadMsg struct {
	queue string
	ackID string
	env   envelope
}

// scanDead reads q's whole dead-letter subscription (up to maxDeadScan
// messages): Pub/Sub cannot peek, so the scan pulls, holding what it read
// for the subscription's 30-second ack deadline; the caller acknowledges
// some messages and gives the rest back with nack. A scan ends at a pull
// that finds nothing within a second (two for the first). Copies
// older than renewAge are published again on the way, so the
// subscription's 7-day retention never drops a dead job.
func (b *Backend) scanDead(ctx context.Context, q string) ([]*deadMsg, error) {
	var out []*deadMsg
	var renew []*pb.PubsubMessage
	var renewAcks []string
	seen := map[string]*deadMsg{} // by message id; nil for a renewed one
	wait := 2 * time.Second
	for len(out) < maxDeadScan {
		pctx, cancel := context.WithTimeout(ctx, wait)
		resp, err := b.client.SubscriptionAdminClient.Pull(pctx, &pb.PullRequest{Subscription: b.deadSub(q), MaxMessages: 1000}, noRetry)
		expired := pctx.Err() != nil
		cancel()
		if err != nil && ctx.Err() == nil && expired {
			break // nothing more within the wait
		}
		if err != nil {
			b.nack(context.WithoutCancel(ctx), q, out)
			return nil, b.unreachable(err)
		}
		if len(resp.ReceivedMessages) == 0 {
			break
		}
		wait = time.Second
		now := time.Now()
		fresh := 0
		for _, rm := range resp.ReceivedMessages {
			m := rm.Message
			if d, ok := seen[m.MessageId]; ok {
				if d != nil {
					d.ackID = rm.AckId // read again: only its latest ack id holds
				}
				continue
			}
			seen[m.MessageId] = nil
			fresh++
			env, err := decode(m.Data)
			if err != nil {
				env = envelope{Job: effects.Job{ID: "pubsub-" + m.MessageId, Kind: "unknown", Queue: q, FinishedAt: m.PublishTime.AsTime(),
					Errors: []effects.AttemptError{{At: now, Reason: "error", Error: "the message is not an effect: " + err.Error()}}}}
			}
			if env.State != effects.StateDead {
				// Pub/Sub's own dead-letter policy moved it: it was
				// delivered maxDeliveries times with no outcome.
				n, _ := strconv.Atoi(m.Attributes["CloudPubSubDeadLetterSourceDeliveryCount"])
				env.FinishedAt = m.PublishTime.AsTime()
				env.Errors = append(env.Errors, effects.AttemptError{Attempt: env.Attempt, At: env.FinishedAt, Reason: "lease_expired",
					Error: "Pub/Sub's dead-letter policy moved it after " + strconv.Itoa(n) + " deliveries with no outcome"})
			}
			env.State, env.Queue = effects.StateDead, q
			if now.Sub(m.PublishTime.AsTime()) > renewAge {
				renew, renewAcks = append(renew, message(&env)), append(renewAcks, rm.AckId)
				continue // the renewed copy is read by the next pull
			}
			d := &deadMsg{queue: q, ackID: rm.AckId, env: env}
			seen[m.MessageId] = d
			out = append(out, d)
		}
		if len(renew) > 0 {
			if err := b.publish(ctx, b.deadTopic(q), renew); err == nil {
				if err := b.ack(ctx, b.deadSub(q), renewAcks); err != nil {
					b.log.Warn("effects/pubsub: an old dead-letter message was renewed but not acknowledged: it is listed twice until the next scan", "queue", q, "err", err)
				}
			} else {
				b.log.Warn("effects/pubsub: renewing old dead-letter messages failed", "queue", q, "err", err)
				b.modack(context.WithoutCancel(ctx), b.deadSub(q), renewAcks, 0)
			}
			renew, renewAcks = nil, nil
		}
		if fresh == 0 {
			break // the scan outlasted the ack deadline and came round again
		}
	}
	if len(out) >= maxDeadScan {
		b.log.Warn("effects/pubsub: the dead-letter subscription holds more messages than one listing reads; it shows part of them", "queue", q, "read", len(out))
	}
	return out, nil
}

// nack gives scanned messages back at once.
func (b *Backend) nack(ctx context.Context, q string, msgs []*deadMsg) {
	if len(msgs) == 0 {
		return
	}
	ids := make([]string, len(msgs))
	for i, d := range msgs {
		ids[i] = d.ackID
	}
	if err := b.modack(ctx, b.deadSub(q), ids, 0); err != nil {
		b.log.Warn("effects/pubsub: dead-letter messages stay held until their ack deadline passes", "queue", q, "count", len(ids), "err", err)
	}
}

// deadJob is the job of a dead-letter message.
func deadJob(d *deadMsg) *effects.Job { return &d.env.Job }

// uniqueJobs returns one message per job, the newest, newest first.
func uniqueJobs(msgs []*deadMsg) []*deadMsg { return queuekit.Newest(msgs, deadJob) }

func (b *Backend) deadQueues(ctx context.Context, queue string) ([]string, error) {
	if queue != "" {
		return []string{queue}, nil
	}
	return b.queues(ctx)
}

// Dead lists dead jobs newest first, reading the whole dead-letter
// subscription of each queue asked for (see scanDead). A job
// dead-lettered twice (a crash between publishing and acknowledging) is
// listed once, as its newest copy. Before names a job of the previous
// page; if it is no longer dead, the listing ends.
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
		b.nack(context.WithoutCancel(ctx), name, msgs)
		all = append(all, msgs...)
		b.mu.Lock()
		b.deadCount[name] = deadCount{n: int64(len(uniqueJobs(msgs))), at: time.Now()}
		b.mu.Unlock()
	}
	return queuekit.DeadPage(all, deadJob, q), nil
}

// find scans the dead-letter subscriptions for id's copies, gives back
// the others and returns them, newest first.
func (b *Backend) find(ctx context.Context, id string) ([]*deadMsg, error) {
	queues, err := b.queues(ctx)
	if err != nil {
		return nil, err
	}
	return queuekit.Find(queues, id, deadJob,
		func(q string) ([]*deadMsg, error) { return b.scanDead(ctx, q) },
		func(q string, others []*deadMsg) { b.nack(context.WithoutCancel(ctx), q, others) })
}

// Get finds a dead job (live ones cannot be looked up in Pub/Sub).
func (b *Backend) Get(ctx context.Context, id string) (*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	found, err := b.find(ctx, id)
	if err != nil {
		return nil, err
	}
	b.nack(context.WithoutCancel(ctx), found[0].queue, found)
	j := found[0].env.Job
	return &j, nil
}

// RetryDead publishes a dead job to its queue, due now, its attempts
// reset and its errors kept, then acknowledges it in the dead-letter
// subscription.
func (b *Backend) RetryDead(ctx context.Context, id string) error {
	if err := b.check(); err != nil {
		return err
	}
	found, err := b.find(ctx, id)
	if err != nil {
		return err
	}
	q := found[0].queue
	env := found[0].env
	env.State, env.Attempt, env.RunAt, env.FinishedAt, env.Ready = effects.StateAvailable, 0, time.Now(), time.Time{}, true
	if err := b.ensure(ctx, q); err != nil {
		b.nack(context.WithoutCancel(ctx), q, found)
		return err
	}
	if err := b.publish(ctx, b.topic(q), []*pb.PubsubMessage{message(&env)}); err != nil {
		b.nack(context.WithoutCancel(ctx), q, found)
		return err
	}
	return b.remove(ctx, q, found)
}

// DiscardDead acknowledges a dead job's copies in the dead-letter
// subscription.
func (b *Backend) DiscardDead(ctx context.Context, id string) error {
	if err := b.check(); err != nil {
		return err
	}
	found, err := b.find(ctx, id)
	if err != nil {
		return err
	}
	return b.remove(ctx, found[0].queue, found)
}

func (b *Backend) remove(ctx context.Context, q string, msgs []*deadMsg) error {
	ids := make([]string, len(msgs))
	for i, d := range msgs {
		ids[i] = d.ackID
	}
	if err := b.ack(ctx, b.deadSub(q), ids); err != nil {
		return err
	}
	b.countDead(q, -1)
	return nil
}
