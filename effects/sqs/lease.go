package sqs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"gati.dev/gati/effects"
)

// inflight is an attempt this process leased: the message it came in
// and its envelope, which the outcome turns into the next message.
type inflight struct {
	queue, url, handle string
	env                *envelope // Attempt counts the running attempt
	// deadline is when the lease ends by this process's clock, a little
	// before SQS makes the message visible again: an outcome or
	// extension after it is ignored, as the message may be another
	// worker's by then.
	deadline time.Time
	// sent: the outcome's new message is sent, only the old one's
	// delete remains (when Complete is called again after a failure).
	sent bool
}

// Enqueue sends one message per job, in batches of ten. It is not
// atomic across batches: when a batch fails, Enqueue returns an error
// naming the effects that were written.
func (b *Backend) Enqueue(ctx context.Context, jobs []*effects.Job) ([]effects.Inserted, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	envs := make([]*envelope, len(jobs))
	msgs := make([]outMsg, len(jobs))
	byQueue := map[string][]int{}
	var order []string
	now := time.Now()
	for i, j := range jobs {
		if j.UniqueKey != "" {
			return nil, fmt.Errorf("sqs: effect %s: unique keys are not supported (SQS deduplicates only FIFO queues, for 5 minutes)", j.Kind)
		}
		envs[i] = newEnvelope(j)
		body, err := envs[i].marshal()
		if err != nil {
			return nil, err
		}
		msgs[i] = outMsg{body: body, delay: delaySeconds(j.RunAt, now)}
		if byQueue[j.Queue] == nil {
			order = append(order, j.Queue)
		}
		byQueue[j.Queue] = append(byQueue[j.Queue], i)
	}
	urls := map[string]string{}
	for _, q := range order { // every queue first: a missing one writes nothing
		u, err := b.queueURL(ctx, q)
		if err != nil {
			return nil, err
		}
		urls[q] = u
	}
	var written []string
	var errs []error
	for _, q := range order {
		idx := byQueue[q]
		batch := make([]outMsg, len(idx))
		for k, i := range idx {
			batch[k] = msgs[i]
		}
		for k, err := range b.send(ctx, urls[q], batch) {
			if err != nil {
				errs = append(errs, fmt.Errorf("effect %d (%s): %w", idx[k], jobs[idx[k]].Kind, err))
			} else {
				written = append(written, envs[idx[k]].ID)
			}
		}
	}
	if len(errs) > 0 {
		if len(written) == 0 {
			return nil, fmt.Errorf("sqs: enqueue at %s: %w", b.where, errors.Join(errs...))
		}
		return nil, fmt.Errorf("sqs: enqueue at %s wrote %d of %d effects (%s): %w", b.where, len(written), len(jobs),
			strings.Join(written, ", "), errors.Join(errs...))
	}
	out := make([]effects.Inserted, len(envs))
	for i, e := range envs {
		out[i] = effects.Inserted{ID: e.ID}
	}
	return out, nil
}

// Fetch receives up to limit messages, ten a call, with a visibility
// timeout of lease (rounded up to whole seconds). A message received
// before (its ApproximateReceiveCount is above one) had attempts that
// ended with no outcome: each is recorded as a "lease_expired" error,
// and the effect goes to the dead-letter queue when that was its last
// attempt. A message whose run_at is still ahead (delays beyond SQS's
// 15 minutes) is sent again with a new delay instead of being returned.
func (b *Backend) Fetch(ctx context.Context, queue string, limit int, lease time.Duration) ([]*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	u, err := b.queueURL(ctx, queue)
	if err != nil {
		return nil, err
	}
	b.sweep(time.Now())
	var out []*effects.Job
	for round := 0; len(out) < limit && round < limit/batchMax+5; round++ {
		base := time.Now()
		resp, err := b.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(u),
			MaxNumberOfMessages:         int32(min(batchMax, limit-len(out))),
			VisibilityTimeout:           visibility(lease),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		})
		if err != nil {
			b.forget(u, err)
			return out, fmt.Errorf("sqs: receive from the queue %s at %s: %w", queue, b.where, err)
		}
		if len(resp.Messages) == 0 {
			break
		}
		for _, m := range resp.Messages {
			j, err := b.take(ctx, queue, u, m, base, lease)
			if err != nil {
				return out, err
			}
			if j != nil {
				out = append(out, j)
			}
		}
	}
	return out, nil
}

// take turns a received message into a leased job, or forwards it (to
// the dead-letter queue, or back with a delay) and returns nil.
func (b *Backend) take(ctx context.Context, queue, u string, m types.Message, base time.Time, lease time.Duration) (*effects.Job, error) {
	handle, body := aws.ToString(m.ReceiptHandle), aws.ToString(m.Body)
	env, err := decodeEnvelope(body)
	var newer errNewer
	switch {
	case errors.As(err, &newer):
		b.log.Warn("effects: an SQS message was written by a newer version of the app; leaving it to that version",
			"queue", queue, "message_id", aws.ToString(m.MessageId), "err", err)
		return nil, nil
	case err != nil:
		b.log.Error("effects: an SQS message is not an effect; moving it to the dead-letter queue",
			"queue", queue, "message_id", aws.ToString(m.MessageId), "err", err)
		return nil, b.forward(ctx, u, handle, poison(queue, aws.ToString(m.MessageId), body, err), true)
	}
	now := time.Now()
	received, _ := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	if lost := received - 1; lost > 0 {
		// Earlier receives of this very message ended with no outcome:
		// every outcome sends a new message.
		for i := 1; i <= lost; i++ {
			env.Errors = append(env.Errors, effects.AttemptError{Attempt: env.Attempt + i, At: now, Reason: "lease_expired",
				Error: "the attempt's lease expired: its worker stopped or stalled"})
		}
		env.Attempt += lost
		if env.Attempt >= env.MaxAttempts {
			env.FinishedAt = now
			return nil, b.forward(ctx, u, handle, env, true)
		}
	}
	if env.RunAt.After(now) {
		return nil, b.forward(ctx, u, handle, env, false)
	}
	env.Attempt++
	rec := &inflight{queue: queue, url: u, handle: handle, env: env, deadline: leaseEnd(base, lease)}
	b.mu.Lock()
	b.leases[handle] = rec
	b.mu.Unlock()
	j := env.job(effects.StateRunning)
	j.Lease, j.LeaseUntil = handle, base.Add(lease)
	return j, nil
}

// forward sends env as a new message (to the dead-letter queue, or to
// its queue with a delay until its run_at) and deletes the received one.
// A crash between the two leaves both: the effect runs twice, which
// at-least-once delivery allows.
func (b *Backend) forward(ctx context.Context, u, handle string, env *envelope, dead bool) error {
	body, err := env.marshal()
	if err != nil {
		return err
	}
	target, err := b.target(ctx, env.Queue, dead)
	if err != nil {
		return err
	}
	if err := b.send(ctx, target, []outMsg{{body: body, delay: delaySeconds(env.RunAt, time.Now())}})[0]; err != nil {
		return fmt.Errorf("sqs: forward effect %s: %w", env.ID, err)
	}
	if err := b.delete(ctx, u, []string{handle})[0]; err != nil && isRequestError(err) {
		return fmt.Errorf("sqs: forward effect %s: %w", env.ID, err)
	}
	return nil
}

func (b *Backend) target(ctx context.Context, queue string, dead bool) (string, error) {
	if dead {
		return b.deadURL(ctx, queue, true)
	}
	return b.queueURL(ctx, queue)
}

// lookup returns the attempt a lease names, if it is current.
func (b *Backend) lookup(lease, id string, now time.Time) *inflight {
	b.mu.Lock()
	defer b.mu.Unlock()
	rec := b.leases[lease]
	if rec == nil || rec.env.ID != id {
		return nil
	}
	if now.After(rec.deadline) {
		delete(b.leases, lease)
		b.log.Warn("effects: an SQS lease expired before its outcome or extension; the effect runs again",
			"effect_id", id, "queue", rec.queue)
		return nil
	}
	return rec
}

// sweep forgets leases that expired without an outcome.
func (b *Backend) sweep(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for h, rec := range b.leases {
		if now.After(rec.deadline) {
			delete(b.leases, h)
		}
	}
}

func (b *Backend) drop(lease string) {
	b.mu.Lock()
	delete(b.leases, lease)
	b.mu.Unlock()
}

// Complete applies the outcomes of current leases: a success deletes the
// message; a retry, snooze or release sends the updated envelope with a
// delay until its run_at, and a death sends it to the dead-letter queue,
// then deletes the old message. An outcome whose lease expired (by this
// process's clock) or was never this process's is ignored.
func (b *Backend) Complete(ctx context.Context, outcomes []effects.Outcome) error {
	if err := b.check(); err != nil {
		return err
	}
	type step struct {
		rec    *inflight
		target string // queue to send to: "" deletes only
		dead   bool
		msg    outMsg
		failed bool
	}
	now := time.Now()
	var steps []*step
	var errs []error
	for _, o := range outcomes {
		rec := b.lookup(o.Lease, o.ID, now)
		if rec == nil {
			continue
		}
		s := &step{rec: rec}
		steps = append(steps, s)
		if o.Result == effects.ResultSucceeded || b.isSent(rec) {
			continue
		}
		next := rec.env.clone()
		if o.Error != nil {
			next.Errors = append(next.Errors, *o.Error)
		}
		switch o.Result {
		case effects.ResultRetry:
			next.RunAt = o.RunAt
		case effects.ResultSnooze:
			next.Attempt, next.RunAt = next.Attempt-1, o.RunAt
		case effects.ResultRelease:
			next.Attempt, next.RunAt = next.Attempt-1, now
		case effects.ResultDead:
			next.FinishedAt, s.dead = now, true
		default:
			s.failed = true
			errs = append(errs, fmt.Errorf("sqs: effect %s: unknown result %d", o.ID, o.Result))
			continue
		}
		body, err := next.marshal()
		if err != nil {
			s.failed = true
			errs = append(errs, err)
			continue
		}
		s.target, s.msg = rec.queue, outMsg{body: body, delay: delaySeconds(next.RunAt, now)}
	}

	// Send the new messages, per queue.
	type dest struct {
		queue string
		dead  bool
	}
	sends := map[dest][]*step{}
	for _, s := range steps {
		if s.target != "" && !s.failed {
			d := dest{s.target, s.dead}
			sends[d] = append(sends[d], s)
		}
	}
	for d, ss := range sends {
		u, err := b.target(ctx, d.queue, d.dead)
		if err != nil {
			errs = append(errs, err)
			for _, s := range ss {
				s.failed = true
			}
			continue
		}
		msgs := make([]outMsg, len(ss))
		for i, s := range ss {
			msgs[i] = s.msg
		}
		for i, err := range b.send(ctx, u, msgs) {
			if err != nil {
				ss[i].failed = true
				errs = append(errs, fmt.Errorf("effect %s: %w", ss[i].rec.env.ID, err))
				continue
			}
			b.mu.Lock()
			ss[i].rec.sent = true
			b.mu.Unlock()
		}
	}

	// Delete the received messages, per queue.
	deletes := map[string][]*step{}
	for _, s := range steps {
		if !s.failed {
			deletes[s.rec.url] = append(deletes[s.rec.url], s)
		}
	}
	for u, ss := range deletes {
		handles := make([]string, len(ss))
		for i, s := range ss {
			handles[i] = s.rec.handle
		}
		for i, err := range b.delete(ctx, u, handles) {
			switch {
			case err == nil:
			case isRequestError(err):
				errs = append(errs, fmt.Errorf("effect %s: %w", ss[i].rec.env.ID, err))
				continue // Complete again deletes it
			default:
				// The receipt handle is no longer valid: the lease was
				// lost, and the message runs again.
				b.log.Warn("effects: SQS refused to delete a completed effect's message; it runs again",
					"effect_id", ss[i].rec.env.ID, "queue", ss[i].rec.queue, "err", err)
			}
			b.drop(ss[i].rec.handle)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("sqs: record outcomes at %s: %w", b.where, errors.Join(errs...))
	}
	return nil
}

func (b *Backend) isSent(rec *inflight) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return rec.sent
}

// Extend changes the visibility timeout of the messages of current
// leases to lease from now (ChangeMessageVisibilityBatch). SQS keeps a
// message invisible for at most 12 hours after its receive: an attempt
// cannot hold its lease longer.
func (b *Backend) Extend(ctx context.Context, leases []effects.Leased, lease time.Duration) error {
	if err := b.check(); err != nil {
		return err
	}
	now := time.Now()
	byURL := map[string][]*inflight{}
	for _, l := range leases {
		if rec := b.lookup(l.Lease, l.ID, now); rec != nil {
			byURL[rec.url] = append(byURL[rec.url], rec)
		}
	}
	var errs []error
	for u, recs := range byURL {
		handles := make([]string, len(recs))
		for i, r := range recs {
			handles[i] = r.handle
		}
		for i, err := range b.changeVisibility(ctx, u, handles, visibility(lease)) {
			switch {
			case err == nil:
				b.mu.Lock()
				recs[i].deadline = leaseEnd(now, lease)
				b.mu.Unlock()
			case isRequestError(err):
				errs = append(errs, err)
			default:
				b.log.Warn("effects: SQS refused to extend a lease; the effect may run again", "effect_id", recs[i].env.ID, "err", err)
				b.drop(recs[i].handle)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("sqs: extend leases at %s: %w", b.where, errors.Join(errs...))
	}
	return nil
}

// visibility is a lease in SQS's whole seconds, rounded up, within 1s
// and 12h.
func visibility(lease time.Duration) int32 {
	return int32(min(max((lease+time.Second-1)/time.Second, 1), maxVisible/time.Second))
}

// leaseEnd is when a lease taken at base ends by this process's count:
// a little early, so that an outcome does not race SQS's clock.
func leaseEnd(base time.Time, lease time.Duration) time.Time {
	return base.Add(lease - min(lease/10, 500*time.Millisecond))
}

// delaySeconds is the DelaySeconds that makes a message visible at
// runAt, rounded up to whole seconds, at most SQS's 15 minutes: a later
// run_at is reached by sending the message again when it shows up
// early.
func delaySeconds(runAt, now time.Time) int32 {
	d := runAt.Sub(now)
	if d <= 0 {
		return 0
	}
	return int32(min((d+time.Second-1)/time.Second, maxSQSDelay/time.Second))
}

type outMsg struct {
	body  []byte
	delay int32
}

// requestError is the failure of a whole request (an outage, a throttle
// beyond the SDK's retries), as opposed to one entry of a batch.
type requestError struct{ err error }

func (e *requestError) Error() string { return e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }

func isRequestError(err error) bool {
	var r *requestError
	return errors.As(err, &r)
}

// entryError is SQS's refusal of one entry of a batch.
func entryError(f types.BatchResultErrorEntry) error {
	return fmt.Errorf("%s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
}

// batches calls do with runs of at most ten items (and, for sends, at
// most maxBody bytes) of a request to the queue u, collecting per item
// nil or its error. A request that fails ends it (and forgets u's URL if
// the queue is gone).
func (b *Backend) batches(u string, n int, size func(i int) int, do func(start, end int) (failed map[int]error, err error)) []error {
	errs := make([]error, n)
	for start := 0; start < n; {
		end, bytes := start, 0
		for end < n && end-start < batchMax && (end == start || bytes+size(end) <= maxBody) {
			bytes += size(end)
			end++
		}
		failed, err := do(start, end)
		if err != nil {
			b.forget(u, err)
			for i := start; i < n; i++ {
				errs[i] = &requestError{err}
			}
			return errs
		}
		for i, e := range failed {
			errs[start+i] = e
		}
		start = end
	}
	return errs
}

func (b *Backend) send(ctx context.Context, u string, msgs []outMsg) []error {
	return b.batches(u, len(msgs), func(i int) int { return len(msgs[i].body) }, func(start, end int) (map[int]error, error) {
		entries := make([]types.SendMessageBatchRequestEntry, 0, end-start)
		for i, m := range msgs[start:end] {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)),
				MessageBody: aws.String(string(m.body)), DelaySeconds: m.delay})
		}
		out, err := b.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: entries})
		if err != nil {
			return nil, err
		}
		return batchFailures(end-start, out.Successful, out.Failed), nil
	})
}

func (b *Backend) delete(ctx context.Context, u string, handles []string) []error {
	return b.batches(u, len(handles), func(int) int { return 0 }, func(start, end int) (map[int]error, error) {
		entries := make([]types.DeleteMessageBatchRequestEntry, 0, end-start)
		for i, h := range handles[start:end] {
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h)})
		}
		out, err := b.client.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: aws.String(u), Entries: entries})
		if err != nil {
			return nil, err
		}
		return batchFailures(end-start, out.Successful, out.Failed), nil
	})
}

func (b *Backend) changeVisibility(ctx context.Context, u string, handles []string, seconds int32) []error {
	return b.batches(u, len(handles), func(int) int { return 0 }, func(start, end int) (map[int]error, error) {
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, 0, end-start)
		for i, h := range handles[start:end] {
			entries = append(entries, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)),
				ReceiptHandle: aws.String(h), VisibilityTimeout: seconds})
		}
		out, err := b.client.ChangeMessageVisibilityBatch(ctx, &awssqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(u), Entries: entries})
		if err != nil {
			return nil, err
		}
		return batchFailures(end-start, out.Successful, out.Failed), nil
	})
}

// resultEntry is an entry of a batch call's Successful.
type resultEntry interface {
	types.SendMessageBatchResultEntry | types.DeleteMessageBatchResultEntry | types.ChangeMessageVisibilityBatchResultEntry
}

// entryID returns the Id of a successful batch entry.
func entryID[E resultEntry](e E) string {
	switch e := any(e).(type) {
	case types.SendMessageBatchResultEntry:
		return aws.ToString(e.Id)
	case types.DeleteMessageBatchResultEntry:
		return aws.ToString(e.Id)
	case types.ChangeMessageVisibilityBatchResultEntry:
		return aws.ToString(e.Id)
	}
	return ""
}

// batchFailures maps a batch result to the failed entries' errors; an
// entry SQS reported neither way counts as failed.
func batchFailures[E resultEntry](n int, successful []E, failed []types.BatchResultErrorEntry) map[int]error {
	out := map[int]error{}
	for i := range n {
		out[i] = errors.New("not in the batch's result")
	}
	for _, e := range successful {
		if i, err := strconv.Atoi(entryID(e)); err == nil {
			delete(out, i)
		}
	}
	for _, f := range failed {
		if i, err := strconv.Atoi(aws.ToString(f.Id)); err == nil && i < n {
			out[i] = entryError(f)
		}
	}
	return out
}
