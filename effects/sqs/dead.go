package sqs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"gati.dev/gati/effects"
)

const (
	// scanVisibility hides the dead messages a scan received from other
	// scans until it releases them (or, if it dies, for this long).
	scanVisibility = 30
	// scanWait is the long poll that ends a scan: an empty answer after
	// waiting on every SQS server means the queue has nothing more
	// visible (a short poll may answer empty while messages remain).
	scanWait = 1
	// maxScan bounds the messages one scan receives from a dead-letter
	// queue (SQS allows 120,000 in flight per queue).
	maxScan = 10_000
)

// deadMsg is a message received from a dead-letter queue.
type deadMsg struct {
	env    *envelope
	url    string
	handle string
}

// scan receives every message of the dead-letter queues of queue ("":
// all queues), hiding them from other scans until release. It stops at
// stop's first true, if stop is not nil.
func (b *Backend) scan(ctx context.Context, queue string, stop func(*envelope) bool) ([]deadMsg, error) {
	var urls []string
	if queue != "" {
		u, err := b.deadURL(ctx, queue, false)
		if isNoQueue(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		urls = []string{u}
	} else {
		_, dead, err := b.queues(ctx)
		if err != nil {
			return nil, err
		}
		for _, q := range slices.Sorted(maps.Keys(dead)) {
			urls = append(urls, dead[q])
		}
	}
	var got []deadMsg
	for _, u := range urls {
		n := 0
		for n < maxScan {
			resp, err := b.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(u),
				MaxNumberOfMessages: batchMax, VisibilityTimeout: scanVisibility, WaitTimeSeconds: scanWait})
			if isNoQueue(err) {
				b.forget(u, err)
				break
			}
			if err != nil {
				b.release(ctx, got)
				return nil, fmt.Errorf("sqs: read the dead-letter queue %s at %s: %w", u, b.where, err)
			}
			if len(resp.Messages) == 0 {
				break
			}
			for _, m := range resp.Messages {
				n++
				env, err := decodeEnvelope(aws.ToString(m.Body))
				if err != nil { // a foreign message sent there by hand
					env = poison(strings.TrimSuffix(strings.TrimPrefix(lastSegment(u), b.prefix), DeadSuffix), aws.ToString(m.MessageId), aws.ToString(m.Body), err)
				}
				got = append(got, deadMsg{env: env, url: u, handle: aws.ToString(m.ReceiptHandle)})
				if stop != nil && stop(env) {
					return got, nil
				}
			}
		}
		if n >= maxScan {
			b.log.Warn("effects: an SQS dead-letter queue holds more messages than one scan reads; listings are incomplete",
				"queue", u, "read", maxScan)
		}
	}
	return got, nil
}

// release makes scanned messages visible again, best effort: those it
// misses reappear after scanVisibility.
func (b *Backend) release(ctx context.Context, msgs []deadMsg) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	byURL := map[string][]string{}
	for _, m := range msgs {
		byURL[m.url] = append(byURL[m.url], m.handle)
	}
	for u, handles := range byURL {
		for _, err := range b.changeVisibility(ctx, u, handles, 0) {
			if err != nil {
				b.log.Debug("effects: releasing a scanned dead SQS message failed; it reappears shortly", "err", err)
				break
			}
		}
	}
}

// Dead lists the dead-letter queues, newest first. SQS cannot list a
// queue: each call receives every message of the dead-letter queues it
// reads (of q.Queue, or all of the prefix), hiding them for a moment,
// and releases them. It costs about one request per five dead effects,
// and a concurrent scan (another Dead, Get, RetryDead or DiscardDead)
// sees only what this one does not hold.
func (b *Backend) Dead(ctx context.Context, q effects.DeadQuery) ([]*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	msgs, err := b.scan(ctx, q.Queue, nil)
	if err != nil {
		return nil, err
	}
	b.release(ctx, msgs)
	seen := map[string]bool{}
	var dead []*envelope
	for _, m := range msgs {
		if seen[m.env.ID] || (q.Kind != "" && m.env.Kind != q.Kind) {
			continue // a duplicate copy (at-least-once), or filtered out
		}
		seen[m.env.ID] = true
		dead = append(dead, m.env)
	}
	newestFirst := func(a, b *envelope) int {
		return cmp.Or(b.FinishedAt.Compare(a.FinishedAt), strings.Compare(b.ID, a.ID))
	}
	slices.SortFunc(dead, newestFirst)
	if q.Before != "" {
		if i := slices.IndexFunc(dead, func(e *envelope) bool { return e.ID == q.Before }); i >= 0 {
			dead = dead[i+1:]
		}
	}
	limit := cmp.Or(q.Limit, 100)
	out := make([]*effects.Job, 0, min(limit, len(dead)))
	for _, e := range dead[:min(limit, len(dead))] {
		out = append(out, e.job(effects.StateDead))
	}
	return out, nil
}

// find scans the dead-letter queues for id, releasing the other
// messages, and returns the copies that have it (usually one).
func (b *Backend) find(ctx context.Context, id string) ([]deadMsg, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	msgs, err := b.scan(ctx, "", func(e *envelope) bool { return e.ID == id })
	if err != nil {
		return nil, err
	}
	var hits, rest []deadMsg
	for _, m := range msgs {
		if m.env.ID == id {
			hits = append(hits, m)
		} else {
			rest = append(rest, m)
		}
	}
	b.release(ctx, rest)
	if len(hits) == 0 {
		return nil, effects.ErrNotFound
	}
	return hits, nil
}

// Get finds a dead job by scanning the dead-letter queues (see Dead);
// SQS cannot find a live message by id, so other states are
// ErrNotFound.
func (b *Backend) Get(ctx context.Context, id string) (*effects.Job, error) {
	hits, err := b.find(ctx, id)
	if err != nil {
		return nil, err
	}
	b.release(ctx, hits)
	return hits[0].env.job(effects.StateDead), nil
}

// RetryDead sends a dead job back to its queue, due now, with its
// attempts reset and its errors kept, and deletes it from the
// dead-letter queue.
func (b *Backend) RetryDead(ctx context.Context, id string) error {
	hits, err := b.find(ctx, id)
	if err != nil {
		return err
	}
	env := hits[0].env.clone()
	env.Attempt, env.RunAt, env.FinishedAt = 0, time.Now(), time.Time{}
	body, err := env.marshal()
	if err == nil {
		var u string
		if u, err = b.queueURL(ctx, env.Queue); err == nil {
			err = b.send(ctx, u, []outMsg{{body: body}})[0]
		}
	}
	if err != nil {
		b.release(ctx, hits)
		return fmt.Errorf("sqs: retry dead effect %s: %w", id, err)
	}
	return b.deleteDead(ctx, hits)
}

// DiscardDead deletes a dead job from its dead-letter queue.
func (b *Backend) DiscardDead(ctx context.Context, id string) error {
	hits, err := b.find(ctx, id)
	if err != nil {
		return err
	}
	return b.deleteDead(ctx, hits)
}

func (b *Backend) deleteDead(ctx context.Context, hits []deadMsg) error {
	var errs []error
	for _, m := range hits {
		if err := b.delete(ctx, m.url, []string{m.handle})[0]; err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqs: delete dead effect %s: %w", hits[0].env.ID, err)
	}
	return nil
}

func lastSegment(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }
