package azqueue

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2/queueerror"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/internal/queuekit"
)

func init() { effects.Register("azqueue", open) }

// Backend keeps effects in Azure Queue Storage: one queue per gati queue
// and one dead-letter queue beside it. It is safe for concurrent use.
type Backend struct {
	svc      *azqueue.ServiceClient
	endpoint string // the queue service URL, for errors
	prefix   string
	log      *slog.Logger

	mu      sync.Mutex
	ensured map[string]bool // gati queues whose two Azure queues exist
	closed  bool

	leases queuekit.Table[*lease]
}

var _ effects.Backend = (*Backend)(nil)

// lease is one running attempt: the dequeued message and the receipt that
// currently proves it is ours (Update Message replaces it).
type lease struct {
	mu       sync.Mutex // orders Extend and Complete on one message
	queue    string     // the gati queue
	msgID    string
	receipt  string
	text     string   // the message text as stored, rewritten unchanged by Extend
	env      envelope // the job as this attempt sees it
	dequeues int64    // the message's dequeue count at this attempt
	done     bool
}

// envelope is the message text: the job, and the dequeue count the
// backend last wrote it at.
type envelope struct {
	V int `json:"v"`
	effects.Job
	// Dequeues is the message's dequeue count when the backend last
	// wrote it: dequeues beyond it and the current one are attempts that
	// ended with no outcome.
	Dequeues int64 `json:"dequeues,omitempty"`
}

const (
	envelopeVersion = 1
	// maxMessage is Azure's limit on a message's text (64 KiB).
	maxMessage = 64 << 10
	// maxEnqueued bounds a new effect's message, leaving room for the
	// error history that its attempts add.
	maxEnqueued = 48 << 10
	// deadScanVisibility hides dead-letter messages while a listing
	// reads them; they are made visible again as soon as it is done.
	deadScanVisibility = 30 * time.Second
	// maxDeadScan bounds the messages one listing reads from one
	// dead-letter queue.
	maxDeadScan = 10_000
	// DefaultPrefix starts every queue name the backend makes.
	DefaultPrefix = "gati-"
)

// maxVisibility is Azure's longest visibility timeout (7 days); a
// variable so tests can prove re-delaying with a short one.
var maxVisibility = 7 * 24 * time.Hour

// Option adjusts New.
type Option func(*Backend)

// Prefix sets the prefix of the backend's Azure queue names (default
// "gati-"): lowercase letters, digits and single hyphens.
func Prefix(p string) Option { return func(b *Backend) { b.prefix = p } }

// Logger sets where the backend logs (default slog.Default()).
func Logger(l *slog.Logger) Option { return func(b *Backend) { b.log = l } }

var prefixRE = regexp.MustCompile(`^([a-z0-9]+-?)*$`)

// New returns a backend on svc. Queues are created when first used.
func New(svc *azqueue.ServiceClient, opts ...Option) (*Backend, error) {
	if svc == nil {
		return nil, errors.New("effects/azqueue: nil service client")
	}
	b := &Backend{svc: svc, endpoint: redact(svc.URL()), prefix: DefaultPrefix, log: slog.Default(),
		ensured: map[string]bool{}}
	for _, o := range opts {
		o(b)
	}
	if len(b.prefix) > 20 || !prefixRE.MatchString(b.prefix) {
		return nil, fmt.Errorf("effects/azqueue: queue name prefix %q: use at most 20 lowercase letters, digits and single hyphens", b.prefix)
	}
	return b, nil
}

// ClientOptions are the Azure client's options the driver uses: a few
// quick retries, so an outage fails an enqueue in seconds rather than
// the SDK's default of a minute or more.
func ClientOptions() *azqueue.ClientOptions {
	return &azqueue.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{
		MaxRetries: 3, TryTimeout: 30 * time.Second, RetryDelay: 200 * time.Millisecond, MaxRetryDelay: 2 * time.Second,
	}}}
}

// DevelopmentConnectionString is Azurite's well-known development account
// on its default queue port; "UseDevelopmentStorage=true" means it.
const DevelopmentConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
	"AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
	"QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"

// open is the "azqueue" driver: cfg.DSN is an Azure Storage connection
// string, with an optional QueuePrefix=... of ours.
func open(ctx context.Context, cfg effects.OpenConfig) (effects.Backend, error) {
	if cfg.DSN == "" {
		return nil, errors.New("modules.effects.dsn is empty: set it to an Azure Storage connection string " +
			"(DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net), or UseDevelopmentStorage=true for Azurite")
	}
	conn, prefix, err := splitDSN(cfg.DSN)
	if err != nil {
		return nil, err
	}
	svc, err := azqueue.NewServiceClientFromConnectionString(conn, ClientOptions())
	if err != nil {
		return nil, fmt.Errorf("modules.effects.dsn: %w", err)
	}
	b, err := New(svc, Prefix(prefix), Logger(cfg.Logger))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if len(cfg.Queues) == 0 {
		if err := b.Ping(ctx); err != nil {
			return nil, err
		}
	}
	for _, q := range cfg.Queues {
		if err := b.ensure(ctx, q); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// splitDSN takes our QueuePrefix key out of a connection string.
func splitDSN(dsn string) (conn, prefix string, err error) {
	prefix = DefaultPrefix
	var keep []string
	for part := range strings.SplitSeq(strings.TrimSpace(dsn), ";") {
		k, v, _ := strings.Cut(part, "=")
		switch {
		case part == "":
		case strings.EqualFold(k, "QueuePrefix"):
			prefix = v
		case strings.EqualFold(k, "UseDevelopmentStorage") && strings.EqualFold(v, "true"):
			keep = append(keep, strings.Split(strings.TrimSuffix(DevelopmentConnectionString, ";"), ";")...)
		default:
			keep = append(keep, part)
		}
	}
	if len(keep) == 0 {
		return "", "", errors.New("modules.effects.dsn: no Azure Storage connection string")
	}
	return strings.Join(keep, ";"), prefix, nil
}

// redact drops a SAS token's query from a service URL.
func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		p.RawQuery = ""
		return p.String()
	}
	return u
}

// Name returns "azqueue".
func (b *Backend) Name() string { return "azqueue" }

// Capabilities: attempts are exact (kept in the message); no priority,
// unique keys or transactions; Get finds dead jobs only and Stats counts
// approximately.
func (b *Backend) Capabilities() effects.Capabilities {
	return effects.Capabilities{ExactAttempts: true}
}

// Ping checks that the queue service answers.
func (b *Backend) Ping(ctx context.Context) error {
	max := int32(1)
	pager := b.svc.NewListQueuesPager(&azqueue.ListQueuesOptions{Prefix: &b.prefix, MaxResults: &max})
	if _, err := pager.NextPage(ctx); err != nil {
		return b.unreachable(err)
	}
	return nil
}

func (b *Backend) unreachable(err error) error {
	return fmt.Errorf("effects/azqueue: Azure Queue Storage at %s: %w", b.endpoint, err)
}

// Close forgets the leases; the service client holds nothing to release.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.leases.Clear()
	return nil
}

func (b *Backend) check() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("effects/azqueue: backend closed")
	}
	return nil
}

// QueueName returns the Azure queue that holds the gati queue q. It is
// the prefix and q with underscores turned into hyphens, when that is a
// valid Azure name that does not end in "-dead"; otherwise (runs of
// hyphens, a trailing hyphen, too long) a readable part of it and eight
// hex digits of q's SHA-256, so that distinct gati queues never share an
// Azure queue.
func (b *Backend) QueueName(q string) string {
	s := strings.ReplaceAll(q, "_", "-")
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	s = strings.TrimSuffix(s, "-")
	name := b.prefix + s
	const room = 63 - len("-dead")
	if s == q && len(name) <= room && len(name) >= 3 && !strings.HasSuffix(name, "-dead") {
		return name
	}
	sum := sha256.Sum256([]byte(q))
	h := hex.EncodeToString(sum[:4])
	if len(name) > room-len(h)-1 {
		name = strings.TrimRight(name[:room-len(h)-1], "-")
	}
	if name == "" {
		return h
	}
	return name + "-" + h
}

// DeadQueueName returns the Azure queue of q's dead-letter queue:
// QueueName(q) + "-dead".
func (b *Backend) DeadQueueName(q string) string { return b.QueueName(q) + "-dead" }

func (b *Backend) queue(q string) *azqueue.QueueClient { return b.svc.NewQueueClient(b.QueueName(q)) }
func (b *Backend) deadQueue(q string) *azqueue.QueueClient {
	return b.svc.NewQueueClient(b.DeadQueueName(q))
}

// metaQueue is the metadata key that names a queue's gati queue.
const metaQueue = "gatiqueue"

// ensure creates q's queue and dead-letter queue unless this process
// already did.
func (b *Backend) ensure(ctx context.Context, q string) error {
	b.mu.Lock()
	done := b.ensured[q]
	b.mu.Unlock()
	if done {
		return nil
	}
	meta := map[string]*string{metaQueue: &q}
	for _, name := range []string{b.QueueName(q), b.DeadQueueName(q)} {
		_, err := b.svc.CreateQueue(ctx, name, &azqueue.CreateOptions{Metadata: meta})
		if err != nil && !queueerror.HasCode(err, queueerror.QueueAlreadyExists) {
			return fmt.Errorf("effects/azqueue: create the queue %s at %s: %w", name, b.endpoint, err)
		}
	}
	b.mu.Lock()
	b.ensured[q] = true
	b.mu.Unlock()
	return nil
}

// forget makes the next use of q create its queues again (someone
// deleted them).
func (b *Backend) forget(q string) {
	b.mu.Lock()
	delete(b.ensured, q)
	b.mu.Unlock()
}

// encode turns an envelope into message text (base64 of its JSON, as
// Azure's other SDKs write by default), dropping the oldest errors if the
// history outgrew Azure's 64 KiB.
func (b *Backend) encode(env *envelope) string {
	env.V = envelopeVersion
	for {
		body, _ := json.Marshal(env)
		text := base64.StdEncoding.EncodeToString(body)
		if len(text) <= maxMessage || len(env.Errors) <= 1 {
			return text
		}
		b.log.Warn("effects/azqueue: an effect's error history outgrew Azure's 64 KiB message; dropping its oldest error",
			"effect_id", env.ID, "errors", len(env.Errors))
		env.Errors = slices.Delete(env.Errors, 0, 1)
	}
}

func decode(text string) (envelope, error) {
	var env envelope
	body, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return env, fmt.Errorf("not base64: %w", err)
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return env, err
	}
	if env.V != envelopeVersion || env.ID == "" {
		return env, fmt.Errorf("not an effect of envelope version %d", envelopeVersion)
	}
	return env, nil
}

// seconds rounds d up to whole seconds, within [0, maxVisibility].
func seconds(d time.Duration) *int32 {
	d = min(max(d, 0), maxVisibility)
	s := int32(math.Ceil(d.Seconds()))
	return &s
}

// forever is the time to live of every message: they never expire.
var forever = int32(-1)

// Enqueue puts one message per job. The service has no batch put, so a
// failure part way deletes the messages already put (best effort).
func (b *Backend) Enqueue(ctx context.Context, jobs []*effects.Job) ([]effects.Inserted, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	texts := make([]string, len(jobs))
	out := make([]effects.Inserted, len(jobs))
	for i, j := range jobs {
		if j.UniqueKey != "" {
			return nil, errors.New("effects/azqueue: unique keys are not supported")
		}
		env := envelope{Job: queuekit.Fresh(j)}
		texts[i] = b.encode(&env)
		if len(texts[i]) > maxEnqueued {
			return nil, fmt.Errorf("effects/azqueue: the effect %s is %d bytes as a message; Azure's limit is 64 KiB and the backend keeps 16 KiB for its error history: pass a reference to the payload instead", j.Kind, len(texts[i]))
		}
		out[i] = effects.Inserted{ID: env.ID}
	}
	type put struct{ q, msgID, receipt string }
	puts := make([]put, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	now := time.Now()
	for i, j := range jobs {
		if err := b.ensure(ctx, j.Queue); err != nil {
			return nil, err
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			opts := &azqueue.EnqueueMessageOptions{TimeToLive: &forever, VisibilityTimeout: seconds(j.RunAt.Sub(now))}
			resp, err := b.queue(j.Queue).EnqueueMessage(ctx, texts[i], opts)
			if queueerror.HasCode(err, queueerror.QueueNotFound) {
				b.forget(j.Queue)
				if err = b.ensure(ctx, j.Queue); err == nil {
					resp, err = b.queue(j.Queue).EnqueueMessage(ctx, texts[i], opts)
				}
			}
			if err != nil {
				errs[i] = err
				return
			}
			if len(resp.Messages) == 1 {
				m := resp.Messages[0]
				puts[i] = put{j.Queue, deref(m.MessageID), deref(m.PopReceipt)}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, p := range puts {
			if p.msgID == "" {
				continue
			}
			if _, derr := b.queue(p.q).DeleteMessage(context.WithoutCancel(ctx), p.msgID, p.receipt, nil); derr != nil {
				b.log.Error("effects/azqueue: an enqueue failed part way and one of its messages could not be taken back; it will run",
					"queue", p.q, "message_id", p.msgID, "err", derr)
			}
		}
		return nil, b.unreachable(err)
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Fetch dequeues up to limit messages of queue, 32 a call, invisible for
// the lease. A message dequeued more often than its envelope accounts
// for had attempts that ended with no outcome: each is recorded as
// "lease_expired", and the job is dead-lettered when that used up its
// attempts. One dequeued before its run time (a delay beyond Azure's 7
// days) is hidden again until then.
func (b *Backend) Fetch(ctx context.Context, queue string, limit int, leaseFor time.Duration) ([]*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if err := b.ensure(ctx, queue); err != nil {
		return nil, err
	}
	vis := seconds(max(leaseFor, time.Second))
	var out []*effects.Job
	var errs []error
	for len(out) < limit {
		n := int32(min(32, limit-len(out)))
		resp, err := b.queue(queue).DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: &n, VisibilityTimeout: vis})
		if queueerror.HasCode(err, queueerror.QueueNotFound) {
			b.forget(queue)
			break
		}
		if err != nil {
			errs = append(errs, b.unreachable(err))
			break
		}
		for _, m := range resp.Messages {
			j, err := b.take(ctx, queue, m, leaseFor)
			if err != nil {
				errs = append(errs, err)
			}
			if j != nil {
				out = append(out, j)
			}
		}
		if len(resp.Messages) < int(n) {
			break
		}
	}
	return out, errors.Join(errs...)
}

// take turns a dequeued message into a leased job, or settles it (dead,
// not due) and returns nil.
func (b *Backend) take(ctx context.Context, queue string, m *azqueue.DequeuedMessage, leaseFor time.Duration) (*effects.Job, error) {
	msgID, receipt, text, dequeues := deref(m.MessageID), deref(m.PopReceipt), deref(m.MessageText), deref(m.DequeueCount)
	q := b.queue(queue)
	env, err := decode(text)
	now := time.Now()
	if err != nil {
		// Not ours, or damaged: keep it in the dead-letter queue for an
		// operator rather than failing every fetch.
		b.log.Error("effects/azqueue: a message that is not an effect is moved to the dead-letter queue", "queue", queue, "message_id", msgID, "err", err)
		args, _ := json.Marshal(text)
		env = envelope{Job: effects.Job{ID: "azure-" + msgID, Kind: "unknown", Queue: queue, Args: args, MaxAttempts: 1, CreatedAt: now,
			Errors: []effects.AttemptError{{Attempt: 0, At: now, Reason: "error", Error: "the message is not an effect: " + err.Error()}}}}
		return nil, b.deadLetter(ctx, queue, msgID, receipt, &env)
	}
	env.Queue = queue
	if lost := dequeues - env.Dequeues - 1; lost > 0 {
		for range lost {
			env.Attempt++
			env.Errors = append(env.Errors, effects.AttemptError{Attempt: env.Attempt, At: now, Reason: "lease_expired",
				Error: "the attempt's lease expired: its worker stopped or stalled"})
		}
		if env.Attempt >= env.MaxAttempts {
			return nil, b.deadLetter(ctx, queue, msgID, receipt, &env)
		}
	}
	if env.RunAt.After(now) {
		env.Dequeues = dequeues
		_, err := q.UpdateMessage(ctx, msgID, receipt, b.encode(&env), &azqueue.UpdateMessageOptions{VisibilityTimeout: seconds(env.RunAt.Sub(now))})
		if err != nil && !stale(err) {
			return nil, b.unreachable(err)
		}
		return nil, nil
	}
	env.Attempt++
	env.State = effects.StateRunning
	l := &lease{queue: queue, msgID: msgID, receipt: receipt, text: text, env: env, dequeues: dequeues}
	token := b.leases.Add(env.ID, l, now.Add(leaseFor))
	b.leases.Prune(now)
	j := env.Job
	j.Lease, j.LeaseUntil = token, now.Add(leaseFor)
	return &j, nil
}

// stale reports that a message changed hands or went: its receipt no
// longer holds.
func stale(err error) bool {
	return queueerror.HasCode(err, queueerror.MessageNotFound, queueerror.PopReceiptMismatch)
}

// deadLetter puts env in queue's dead-letter queue, then deletes the live
// message.
func (b *Backend) deadLetter(ctx context.Context, queue, msgID, receipt string, env *envelope) error {
	env.State, env.FinishedAt, env.Dequeues = effects.StateDead, time.Now(), 0
	if _, err := b.deadQueue(queue).EnqueueMessage(ctx, b.encode(env), &azqueue.EnqueueMessageOptions{TimeToLive: &forever}); err != nil {
		return b.unreachable(err)
	}
	if _, err := b.queue(queue).DeleteMessage(ctx, msgID, receipt, nil); err != nil && !stale(err) {
		// The dead copy stays; the live one comes back at its lease's
		// end and dies again: listings show the newest of the two.
		return b.unreachable(err)
	}
	return nil
}

// Complete applies each outcome whose lease is current: success deletes
// the message; retry, snooze and release rewrite it (attempt and errors)
// and hide it until its run time; dead moves it to the dead-letter
// queue. An outcome whose receipt the service no longer honours (the
// message was dequeued again) is dropped.
func (b *Backend) Complete(ctx context.Context, outcomes []effects.Outcome) error {
	if err := b.check(); err != nil {
		return err
	}
	var errs []error
	for _, o := range outcomes {
		l, ok := b.leases.Lookup(o.ID, o.Lease)
		if !ok {
			continue
		}
		err := b.apply(ctx, l, o)
		if err != nil && !stale(err) {
			errs = append(errs, err)
			continue
		}
		b.leases.Release(o.ID, o.Lease)
	}
	if len(errs) > 0 {
		return b.unreachable(errors.Join(errs...))
	}
	return nil
}

func (b *Backend) apply(ctx context.Context, l *lease, o effects.Outcome) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return nil
	}
	q := b.queue(l.queue)
	env := l.env
	env.Errors = slices.Clone(env.Errors)
	if o.Error != nil {
		env.Errors = append(env.Errors, *o.Error)
	}
	now := time.Now()
	var err error
	switch o.Result {
	case effects.ResultSucceeded:
		_, err = q.DeleteMessage(ctx, l.msgID, l.receipt, nil)
	case effects.ResultDead:
		err = b.deadLetter(ctx, l.queue, l.msgID, l.receipt, &env)
	default:
		switch o.Result {
		case effects.ResultSnooze:
			env.Attempt--
		case effects.ResultRelease:
			env.Attempt--
			o.RunAt = now
		}
		env.State, env.RunAt, env.Dequeues = effects.StateAvailable, o.RunAt, l.dequeues
		_, err = q.UpdateMessage(ctx, l.msgID, l.receipt, b.encode(&env), &azqueue.UpdateMessageOptions{VisibilityTimeout: seconds(o.RunAt.Sub(now))})
	}
	if err == nil {
		l.done = true
	}
	return err
}

// Extend hides the leased messages for another lease. Each update
// returns a new receipt, which the lease keeps.
func (b *Backend) Extend(ctx context.Context, leases []effects.Leased, leaseFor time.Duration) error {
	if err := b.check(); err != nil {
		return err
	}
	var errs []error
	for _, ld := range leases {
		l, ok := b.leases.Lookup(ld.ID, ld.Lease)
		if !ok {
			continue
		}
		l.mu.Lock()
		if !l.done {
			resp, err := b.queue(l.queue).UpdateMessage(ctx, l.msgID, l.receipt, l.text,
				&azqueue.UpdateMessageOptions{VisibilityTimeout: seconds(max(leaseFor, time.Second))})
			switch {
			case err == nil:
				l.receipt = deref(resp.PopReceipt)
				b.leases.Renew(ld.Lease, time.Now().Add(leaseFor))
			case stale(err):
				l.done = true // another worker has it now
			default:
				errs = append(errs, err)
			}
		}
		l.mu.Unlock()
	}
	if len(errs) > 0 {
		return b.unreachable(errors.Join(errs...))
	}
	return nil
}

// Stats lists the backend's queues (by their metadata) with Azure's
// approximate message counts. Azure's count includes hidden messages and
// does not tell due, scheduled and leased apart: every live message is
// counted as available.
func (b *Backend) Stats(ctx context.Context) ([]effects.QueueStats, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	queues, err := b.queues(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]effects.QueueStats, 0, len(queues))
	for _, q := range queues {
		live, err := b.queue(q).GetProperties(ctx, nil)
		if err != nil {
			return nil, b.unreachable(err)
		}
		dead, err := b.deadQueue(q).GetProperties(ctx, nil)
		if err != nil && !queueerror.HasCode(err, queueerror.QueueNotFound) {
			return nil, b.unreachable(err)
		}
		out = append(out, effects.QueueStats{Queue: q, Available: deref(live.ApproximateMessagesCount), Dead: deref(dead.ApproximateMessagesCount)})
	}
	return out, nil
}

// queues lists the gati queues that have Azure queues under the prefix,
// sorted.
func (b *Backend) queues(ctx context.Context) ([]string, error) {
	var names []string
	pager := b.svc.NewListQueuesPager(&azqueue.ListQueuesOptions{Prefix: &b.prefix, Include: azqueue.ListQueuesInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, b.unreachable(err)
		}
		for _, q := range page.Queues {
			name := deref(q.Name)
			gq := deref(q.Metadata[metaQueue])
			if gq == "" || strings.HasSuffix(name, "-dead") || b.QueueName(gq) != name {
				continue
			}
			names = append(names, gq)
		}
	}
	slices.Sort(names)
	return names, nil
}
