package pubsub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"
	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/internal/queuekit"
)

func init() { effects.Register("pubsub", open) }

// Backend keeps effects in Google Cloud Pub/Sub: a topic and a
// subscription per gati queue, and a dead-letter topic and subscription
// beside them. It is safe for concurrent use.
type Backend struct {
	client   *pubsub.Client
	ownsConn bool
	project  string // "projects/ID"
	prefix   string
	endpoint string // for errors
	timeout  time.Duration
	log      *slog.Logger

	mu        sync.Mutex
	ensured   map[string]bool
	deadCount map[string]deadCount
	closed    bool

	leases queuekit.Table[*lease]

	stop context.CancelFunc
	bg   sync.WaitGroup
}

var _ effects.Backend = (*Backend)(nil)

// lease is one running attempt: the delivery's ack id and the job as
// the attempt sees it.
type lease struct {
	queue     string
	ackID     string
	env       envelope
	published bool // the outcome's new message is out: only the ack remains
}

type deadCount struct {
	n  int64
	at time.Time
}

// envelope is a message's data: the job, and whether this copy was
// published due.
type envelope struct {
	V int `json:"v"`
	effects.Job
	// Ready: the copy was published due (or became due and was published
	// again), so every delivery of it is an attempt and deliveries beyond
	// the first ended with no outcome. A copy published for later is
	// delivered early and put back (a wait) until it is due.
	Ready bool `json:"ready,omitempty"`
}

const (
	envelopeVersion = 1
	// subAckDeadline is the ack deadline of the subscriptions the
	// backend creates: how long a pulled message stays hidden before
	// Fetch sets its own deadline, or after a process died between the two.
	subAckDeadline = 30
	// maxDeliveries is the subscriptions' dead-letter policy: Pub/Sub
	// itself moves a message delivered this often to the dead-letter
	// topic. The backend renews copies long before (renewAfter).
	maxDeliveries = 100
	// retention is how long a subscription keeps an unacknowledged
	// message: Pub/Sub's maximum.
	retention = 7 * 24 * time.Hour
	// maxDeadScan bounds the messages one listing reads from one
	// dead-letter subscription.
	maxDeadScan = 10_000
	// DefaultPrefix starts every topic and subscription the backend makes.
	DefaultPrefix = "gati-"
)

// Variables so tests can prove renewal quickly.
var (
	// maxAckDeadline is Pub/Sub's longest ack deadline.
	maxAckDeadline = 600 * time.Second
	// renewAfter: a copy delivered this often is published again, so
	// Pub/Sub's delivery count (and its dead-letter policy) never reach
	// the 100 of maxDeliveries.
	renewAfter int32 = 50
	// renewAge: a copy (live or dead) published this long ago is
	// published again before the subscription's 7-day retention drops it.
	renewAge = 3 * 24 * time.Hour
	// statsEvery: Stats reads a dead-letter subscription at most this often.
	statsEvery = time.Minute
	// sweepEvery: how often the backend renews old dead-letter copies of
	// the queues it uses.
	sweepEvery = 6 * time.Hour
)

// Option adjusts New.
type Option func(*Backend)

// Prefix sets the prefix of the backend's topic and subscription ids
// (default "gati-"): a letter, then letters, digits and -_.~+%.
func Prefix(p string) Option { return func(b *Backend) { b.prefix = p } }

// Logger sets where the backend logs (default slog.Default()).
func Logger(l *slog.Logger) Option { return func(b *Backend) { b.log = l } }

// Timeout bounds each call to Pub/Sub that the backend makes (default
// 15s), so an outage fails an enqueue instead of holding the request
// while the client retries.
func Timeout(d time.Duration) Option { return func(b *Backend) { b.timeout = d } }

var prefixRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._~+%-]{0,99}$`)

// New returns a backend on client's project. Topics and subscriptions
// are created when first used. Close leaves the client open.
func New(client *pubsub.Client, opts ...Option) (*Backend, error) {
	if client == nil {
		return nil, errors.New("effects/pubsub: nil client")
	}
	return newBackend(client, false, "pubsub.googleapis.com:443", opts)
}

func newBackend(client *pubsub.Client, owns bool, endpoint string, opts []Option) (*Backend, error) {
	b := &Backend{client: client, ownsConn: owns, project: "projects/" + client.Project(), prefix: DefaultPrefix,
		endpoint: endpoint, timeout: 15 * time.Second, log: slog.Default(),
		ensured: map[string]bool{}, deadCount: map[string]deadCount{}}
	for _, o := range opts {
		o(b)
	}
	if !prefixRE.MatchString(b.prefix) || strings.HasPrefix(strings.ToLower(b.prefix), "goog") {
		return nil, fmt.Errorf("effects/pubsub: prefix %q: use a letter, then up to 99 letters, digits and -_.~+%%, not starting with goog", b.prefix)
	}
	ctx, stop := context.WithCancel(context.Background())
	b.stop = stop
	b.bg.Add(1)
	go b.sweep(ctx)
	return b, nil
}

// open is the "pubsub" driver: cfg.DSN is pubsub://PROJECT with optional
// prefix, emulator, endpoint and timeout parameters.
func open(ctx context.Context, cfg effects.OpenConfig) (effects.Backend, error) {
	if cfg.DSN == "" {
		return nil, errors.New("modules.effects.dsn is empty: set it to pubsub://PROJECT_ID (credentials: Application Default Credentials)")
	}
	u, err := url.Parse(cfg.DSN)
	if err != nil || u.Scheme != "pubsub" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("modules.effects.dsn %q: want pubsub://PROJECT_ID[?prefix=gati-&emulator=HOST:PORT&endpoint=HOST:PORT&timeout=15s]", cfg.DSN)
	}
	q := u.Query()
	opts := []Option{Logger(cfg.Logger)}
	if q.Has("prefix") {
		opts = append(opts, Prefix(q.Get("prefix")))
	}
	if s := q.Get("timeout"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("modules.effects.dsn: timeout %q: want a positive duration such as 15s", s)
		}
		opts = append(opts, Timeout(d))
	}
	endpoint := "pubsub.googleapis.com:443"
	var copts []option.ClientOption
	switch emu := cmpOr(q.Get("emulator"), os.Getenv("PUBSUB_EMULATOR_HOST")); {
	case emu != "":
		endpoint = emu
		copts = append(copts, option.WithEndpoint(emu), option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())), option.WithTelemetryDisabled())
	case q.Get("endpoint") != "":
		endpoint = q.Get("endpoint")
		copts = append(copts, option.WithEndpoint(endpoint))
	}
	client, err := pubsub.NewClient(ctx, u.Host, copts...)
	if err != nil {
		return nil, fmt.Errorf("Pub/Sub at %s: %w", endpoint, err)
	}
	b, err := newBackend(client, true, endpoint, opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = b.Ping(ctx) // fails at once, with the reason, when Pub/Sub is unreachable
	for _, q := range cfg.Queues {
		if err == nil {
			err = b.ensure(ctx, q)
		}
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Name returns "pubsub".
func (b *Backend) Name() string { return "pubsub" }

// Capabilities: attempts are exact (kept in the message); no priority,
// unique keys or transactions; Get finds dead jobs only, and Stats
// counts dead jobs only.
func (b *Backend) Capabilities() effects.Capabilities {
	return effects.Capabilities{ExactAttempts: true, NoLiveCounts: true}
}

// Ping checks that Pub/Sub answers for the project.
func (b *Backend) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	it := b.client.SubscriptionAdminClient.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: b.project, PageSize: 1}, noRetry)
	if _, err := it.Next(); err != nil && err != iterator.Done {
		return b.unreachable(err)
	}
	return nil
}

func (b *Backend) unreachable(err error) error {
	return fmt.Errorf("effects/pubsub: Pub/Sub at %s (%s): %w", b.endpoint, b.project, err)
}

// Close stops the backend's sweep and, when Open made the client,
// closes it.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.leases.Clear()
	b.mu.Unlock()
	b.stop()
	b.bg.Wait()
	if b.ownsConn {
		return b.client.Close()
	}
	return nil
}

func (b *Backend) check() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("effects/pubsub: backend closed")
	}
	return nil
}

// TopicID returns the id of the topic and subscription of the gati
// queue q: the prefix and q. DeadTopicID adds ".dead" (gati queue names
// have no dots, so the two never meet).
func (b *Backend) TopicID(q string) string     { return b.prefix + q }
func (b *Backend) DeadTopicID(q string) string { return b.prefix + q + ".dead" }

func (b *Backend) topic(q string) string     { return b.project + "/topics/" + b.TopicID(q) }
func (b *Backend) sub(q string) string       { return b.project + "/subscriptions/" + b.TopicID(q) }
func (b *Backend) deadTopic(q string) string { return b.project + "/topics/" + b.DeadTopicID(q) }
func (b *Backend) deadSub(q string) string   { return b.project + "/subscriptions/" + b.DeadTopicID(q) }
func (b *Backend) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.timeout)
}

// ensure creates q's topics and subscriptions unless they exist. An
// existing live subscription must have a dead-letter policy: Pub/Sub
// counts deliveries only then, and the backend needs the count to find
// attempts that ended with no outcome.
func (b *Backend) ensure(ctx context.Context, q string) error {
	b.mu.Lock()
	done := b.ensured[q]
	b.mu.Unlock()
	if done {
		return nil
	}
	ctx, cancel := b.callCtx(ctx)
	defer cancel()
	subs := b.client.SubscriptionAdminClient
	s, err := subs.GetSubscription(ctx, &pb.GetSubscriptionRequest{Subscription: b.sub(q)})
	switch {
	case err == nil:
		if s.DeadLetterPolicy == nil {
			return fmt.Errorf("effects/pubsub: the subscription %s has no dead-letter policy, so Pub/Sub does not count its deliveries; "+
				"give it one (dead-letter topic %s, max delivery attempts %d) or delete it and let the backend create it", b.sub(q), b.deadTopic(q), maxDeliveries)
		}
	case status.Code(err) == codes.NotFound:
		if err := b.create(ctx, q); err != nil {
			return err
		}
	default:
		return b.unreachable(err)
	}
	b.mu.Lock()
	b.ensured[q] = true
	b.mu.Unlock()
	return nil
}

func (b *Backend) create(ctx context.Context, q string) error {
	never := &pb.ExpirationPolicy{} // no ttl: the subscription never expires
	keep := durationpb.New(retention)
	steps := []struct {
		what string
		do   func() error
	}{
		{b.deadTopic(q), func() error {
			_, err := b.client.TopicAdminClient.CreateTopic(ctx, &pb.Topic{Name: b.deadTopic(q)})
			return err
		}},
		{b.deadSub(q), func() error {
			_, err := b.client.SubscriptionAdminClient.CreateSubscription(ctx, &pb.Subscription{Name: b.deadSub(q), Topic: b.deadTopic(q),
				AckDeadlineSeconds: subAckDeadline, MessageRetentionDuration: keep, ExpirationPolicy: never})
			return err
		}},
		{b.topic(q), func() error {
			_, err := b.client.TopicAdminClient.CreateTopic(ctx, &pb.Topic{Name: b.topic(q)})
			return err
		}},
		{b.sub(q), func() error {
			_, err := b.client.SubscriptionAdminClient.CreateSubscription(ctx, &pb.Subscription{Name: b.sub(q), Topic: b.topic(q),
				AckDeadlineSeconds: subAckDeadline, MessageRetentionDuration: keep, ExpirationPolicy: never,
				DeadLetterPolicy: &pb.DeadLetterPolicy{DeadLetterTopic: b.deadTopic(q), MaxDeliveryAttempts: maxDeliveries}})
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil && status.Code(err) != codes.AlreadyExists {
			return b.unreachable(fmt.Errorf("create %s: %w", s.what, err))
		}
	}
	return nil
}

// message makes the Pub/Sub message of env: its JSON, and attributes
// for people and subscription filters.
func message(env *envelope) *pb.PubsubMessage {
	env.V = envelopeVersion
	data, _ := json.Marshal(env)
	attrs := map[string]string{"gati_id": env.ID, "gati_kind": env.Kind}
	if !env.Ready {
		attrs["gati_not_before"] = env.RunAt.UTC().Format(time.RFC3339Nano)
	}
	return &pb.PubsubMessage{Data: data, Attributes: attrs}
}

func decode(data []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return env, err
	}
	if env.V != envelopeVersion || env.ID == "" {
		return env, fmt.Errorf("not an effect of envelope version %d", envelopeVersion)
	}
	return env, nil
}

// seconds rounds d up to whole seconds within [0, 600], an ack deadline.
func seconds(d time.Duration) int32 {
	d = min(max(d, 0), maxAckDeadline)
	return int32(math.Ceil(d.Seconds()))
}

// publish sends msgs to topic, up to 1,000 a request.
func (b *Backend) publish(ctx context.Context, topic string, msgs []*pb.PubsubMessage) error {
	for len(msgs) > 0 {
		n := min(len(msgs), 1000)
		cctx, cancel := b.callCtx(ctx)
		_, err := b.client.TopicAdminClient.Publish(cctx, &pb.PublishRequest{Topic: topic, Messages: msgs[:n]})
		cancel()
		if err != nil {
			return b.unreachable(fmt.Errorf("publish to %s: %w", topic, err))
		}
		msgs = msgs[n:]
	}
	return nil
}

// ack acknowledges ackIDs of sub, 1,000 a request.
func (b *Backend) ack(ctx context.Context, sub string, ackIDs []string) error {
	for len(ackIDs) > 0 {
		n := min(len(ackIDs), 1000)
		cctx, cancel := b.callCtx(ctx)
		err := b.client.SubscriptionAdminClient.Acknowledge(cctx, &pb.AcknowledgeRequest{Subscription: sub, AckIds: ackIDs[:n]})
		cancel()
		if err != nil {
			return b.unreachable(fmt.Errorf("acknowledge on %s: %w", sub, err))
		}
		ackIDs = ackIDs[n:]
	}
	return nil
}

// modack sets the ack deadline of ackIDs of sub (zero: nack).
func (b *Backend) modack(ctx context.Context, sub string, ackIDs []string, secs int32) error {
	for len(ackIDs) > 0 {
		n := min(len(ackIDs), 1000)
		cctx, cancel := b.callCtx(ctx)
		err := b.client.SubscriptionAdminClient.ModifyAckDeadline(cctx, &pb.ModifyAckDeadlineRequest{Subscription: sub, AckIds: ackIDs[:n], AckDeadlineSeconds: secs})
		cancel()
		if err != nil {
			return b.unreachable(fmt.Errorf("modify ack deadlines on %s: %w", sub, err))
		}
		ackIDs = ackIDs[n:]
	}
	return nil
}

// Enqueue publishes the jobs of each queue in one request (Pub/Sub
// publishes a request's messages together), so a single Enqueue of up
// to 1,000 jobs of one queue writes all or none.
func (b *Backend) Enqueue(ctx context.Context, jobs []*effects.Job) ([]effects.Inserted, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	out := make([]effects.Inserted, len(jobs))
	byQueue := map[string][]*pb.PubsubMessage{}
	var order []string
	now := time.Now()
	for i, j := range jobs {
		if j.UniqueKey != "" {
			return nil, errors.New("effects/pubsub: unique keys are not supported")
		}
		env := envelope{Job: queuekit.Fresh(j)}
		env.Ready = !env.RunAt.After(now)
		if _, ok := byQueue[j.Queue]; !ok {
			order = append(order, j.Queue)
		}
		byQueue[j.Queue] = append(byQueue[j.Queue], message(&env))
		out[i] = effects.Inserted{ID: env.ID}
	}
	for _, q := range order {
		if err := b.ensure(ctx, q); err != nil {
			return nil, err
		}
		if err := b.publish(ctx, b.topic(q), byQueue[q]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// noRetry makes a pull fail at once when Pub/Sub is unreachable, rather
// than retry until its deadline: a pull that waits (a long poll) and one
// that retries would end alike, and an outage must show.
var noRetry = gax.WithRetry(func() gax.Retryer { return nil })

// Fetch pulls up to limit messages of queue. A copy published for later
// that shows up early gets an ack deadline of the time left (at most
// 600s) and is not returned; once due it is published again as a ready
// copy, whose deliveries Pub/Sub counts from one. A ready copy delivered
// more than once had attempts that ended with no outcome: each is
// recorded as "lease_expired", and the job is dead-lettered when that
// used up its attempts. The rest are leased: their ack deadline becomes
// the lease.
func (b *Backend) Fetch(ctx context.Context, queue string, limit int, leaseFor time.Duration) ([]*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if err := b.ensure(ctx, queue); err != nil {
		return nil, err
	}
	var out []*effects.Job
	var errs []error
	for round := 0; round < 3 && len(out) < limit; round++ {
		pctx, cancel := b.callCtx(ctx)
		resp, err := b.client.SubscriptionAdminClient.Pull(pctx, &pb.PullRequest{Subscription: b.sub(queue), MaxMessages: int32(min(limit-len(out), 1000))}, noRetry)
		expired := pctx.Err() != nil && ctx.Err() == nil
		cancel()
		if status.Code(err) == codes.NotFound {
			b.forget(queue)
			break
		}
		if err != nil {
			if ctx.Err() == nil && !expired { // expired: a long poll that found nothing
				errs = append(errs, b.unreachable(err))
			}
			break
		}
		if len(resp.ReceivedMessages) == 0 {
			break
		}
		jobs, republished, err := b.sort(ctx, queue, resp.ReceivedMessages, leaseFor)
		out = append(out, jobs...)
		if err != nil {
			errs = append(errs, err)
			break
		}
		if republished == 0 {
			break
		}
	}
	return out, errors.Join(errs...)
}

func (b *Backend) forget(q string) {
	b.mu.Lock()
	delete(b.ensured, q)
	b.mu.Unlock()
}

// sort settles a pulled batch: leases the due, puts back the early,
// publishes again what must be renewed and dead-letters what used up its
// attempts. It reports how many it published again (they come right back).
func (b *Backend) sort(ctx context.Context, queue string, msgs []*pb.ReceivedMessage, leaseFor time.Duration) ([]*effects.Job, int, error) {
	now := time.Now()
	var (
		again, dead             []*pb.PubsubMessage // to publish to the live and dead topics
		againAcks, deadAcks     []string            // to ack once they are published
		waits                   = map[int32][]string{}
		leased                  []*lease
		leasedAcks              []string
		errs                    []error
		jobs                    []*effects.Job
		liveTopic, deadTopicStr = b.topic(queue), b.deadTopic(queue)
	)
	for _, rm := range msgs {
		m := rm.Message
		env, err := decode(m.Data)
		if err != nil {
			b.log.Error("effects/pubsub: a message that is not an effect is moved to the dead-letter topic", "queue", queue, "message_id", m.MessageId, "err", err)
			args, _ := json.Marshal(string(m.Data))
			env = envelope{Job: effects.Job{ID: "pubsub-" + m.MessageId, Kind: "unknown", Queue: queue, Args: args, MaxAttempts: 1, CreatedAt: now,
				State: effects.StateDead, FinishedAt: now,
				Errors: []effects.AttemptError{{At: now, Reason: "error", Error: "the message is not an effect: " + err.Error()}}}}
			dead, deadAcks = append(dead, message(&env)), append(deadAcks, rm.AckId)
			continue
		}
		env.Queue = queue
		deliveries := max(rm.DeliveryAttempt, 1)
		published := m.PublishTime.AsTime()
		if !env.Ready {
			if env.RunAt.After(now) {
				if deliveries >= renewAfter || now.Sub(published) > renewAge {
					again, againAcks = append(again, message(&env)), append(againAcks, rm.AckId)
				} else {
					s := seconds(env.RunAt.Sub(now))
					waits[s] = append(waits[s], rm.AckId)
				}
				continue
			}
			env.Ready = true // due: a fresh copy counts deliveries from one
			again, againAcks = append(again, message(&env)), append(againAcks, rm.AckId)
			continue
		}
		if lost := int(deliveries) - 1; lost > 0 {
			for range lost {
				env.Attempt++
				env.Errors = append(env.Errors, effects.AttemptError{Attempt: env.Attempt, At: now, Reason: "lease_expired",
					Error: "the attempt's lease expired: its worker stopped or stalled"})
			}
			if env.Attempt >= env.MaxAttempts {
				env.State, env.FinishedAt = effects.StateDead, now
				dead, deadAcks = append(dead, message(&env)), append(deadAcks, rm.AckId)
				continue
			}
		}
		if deliveries >= renewAfter || now.Sub(published) > renewAge {
			again, againAcks = append(again, message(&env)), append(againAcks, rm.AckId) // its count so far is in env
			continue
		}
		env.Attempt++
		env.State = effects.StateRunning
		leased = append(leased, &lease{queue: queue, ackID: rm.AckId, env: env})
		leasedAcks = append(leasedAcks, rm.AckId)
	}
	sub := b.sub(queue)
	if len(leasedAcks) > 0 {
		if err := b.modack(ctx, sub, leasedAcks, max(seconds(leaseFor), 1)); err != nil {
			// They keep the subscription's deadline; heartbeats extend it.
			errs = append(errs, err)
		}
		until := now.Add(leaseFor)
		for _, l := range leased {
			j := l.env.Job
			j.Lease, j.LeaseUntil = b.leases.Add(l.env.ID, l, until), until
			jobs = append(jobs, &j)
		}
		b.leases.Prune(now)
	}
	for s, ids := range waits {
		if err := b.modack(ctx, sub, ids, s); err != nil {
			errs = append(errs, err)
		}
	}
	republished := 0
	for _, batch := range []struct {
		topic string
		msgs  []*pb.PubsubMessage
		acks  []string
	}{{liveTopic, again, againAcks}, {deadTopicStr, dead, deadAcks}} {
		if len(batch.msgs) == 0 {
			continue
		}
		if err := b.publish(ctx, batch.topic, batch.msgs); err != nil {
			errs = append(errs, err) // not acked: they come back
			continue
		}
		if err := b.ack(ctx, sub, batch.acks); err != nil {
			errs = append(errs, err)
		}
		if batch.topic == liveTopic {
			republished += len(batch.msgs)
		} else {
			b.countDead(queue, int64(len(batch.msgs)))
		}
	}
	return jobs, republished, errors.Join(errs...)
}

// Complete applies each outcome whose lease is current: success
// acknowledges the message; retry, snooze and release publish the job
// again (attempt and errors updated, due at its run time) and then
// acknowledge the old copy; dead publishes it to the dead-letter topic
// and acknowledges it.
func (b *Backend) Complete(ctx context.Context, outcomes []effects.Outcome) error {
	if err := b.check(); err != nil {
		return err
	}
	type item struct {
		l     *lease
		token string
		id    string
	}
	now := time.Now()
	pubs := map[string][]*pb.PubsubMessage{} // topic → messages
	pubItems := map[string][]item{}
	var ackOnly []item
	for _, o := range outcomes {
		l, ok := b.leases.Lookup(o.ID, o.Lease)
		if !ok {
			continue
		}
		it := item{l, o.Lease, o.ID}
		b.mu.Lock()
		published := l.published
		b.mu.Unlock()
		if o.Result == effects.ResultSucceeded || published {
			ackOnly = append(ackOnly, it)
			continue
		}
		env := l.env
		env.Errors = slices.Clone(env.Errors)
		if o.Error != nil {
			env.Errors = append(env.Errors, *o.Error)
		}
		topic := b.topic(l.queue)
		switch o.Result {
		case effects.ResultDead:
			env.State, env.FinishedAt = effects.StateDead, now
			topic = b.deadTopic(l.queue)
		case effects.ResultSnooze:
			env.Attempt--
		case effects.ResultRelease:
			env.Attempt--
			o.RunAt = now
		}
		if o.Result != effects.ResultDead {
			env.State, env.RunAt = effects.StateAvailable, o.RunAt
			env.Ready = !o.RunAt.After(now)
		}
		pubs[topic] = append(pubs[topic], message(&env))
		pubItems[topic] = append(pubItems[topic], it)
	}
	var errs []error
	toAck := ackOnly
	for topic, msgs := range pubs {
		if err := b.publish(ctx, topic, msgs); err != nil {
			errs = append(errs, err)
			continue
		}
		b.mu.Lock()
		for _, it := range pubItems[topic] {
			it.l.published = true
		}
		b.mu.Unlock()
		if strings.HasSuffix(topic, ".dead") {
			b.countDead(pubItems[topic][0].l.queue, int64(len(msgs)))
		}
		toAck = append(toAck, pubItems[topic]...)
	}
	bySub := map[string][]item{}
	for _, it := range toAck {
		bySub[it.l.queue] = append(bySub[it.l.queue], it)
	}
	for q, items := range bySub {
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.l.ackID
		}
		if err := b.ack(ctx, b.sub(q), ids); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, it := range items {
			b.leases.Release(it.id, it.token)
		}
	}
	return errors.Join(errs...)
}

// Extend sets the ack deadline of the leased messages to the lease.
func (b *Backend) Extend(ctx context.Context, leases []effects.Leased, leaseFor time.Duration) error {
	if err := b.check(); err != nil {
		return err
	}
	bySub := map[string][]string{}
	until := time.Now().Add(leaseFor)
	for _, ld := range leases {
		if l, ok := b.leases.Lookup(ld.ID, ld.Lease); ok {
			bySub[l.queue] = append(bySub[l.queue], l.ackID)
			b.leases.Renew(ld.Lease, until)
		}
	}
	var errs []error
	for q, ids := range bySub {
		if err := b.modack(ctx, b.sub(q), ids, max(seconds(leaseFor), 1)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// countDead adds n to the cached dead count of q, if there is one.
func (b *Backend) countDead(q string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.deadCount[q]; ok {
		c.n = max(c.n+n, 0)
		b.deadCount[q] = c
	}
}

// Stats lists the backend's queues with their dead jobs. Pub/Sub's API
// cannot count a subscription's backlog (Cloud Monitoring's
// subscription/num_undelivered_messages does): live counts read zero,
// as Capabilities.NoLiveCounts declares. A dead-letter subscription is
// read whole at most once a minute; this process's own dead-letterings,
// retries and discards keep the count current in between.
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
		b.mu.Lock()
		c, ok := b.deadCount[q]
		b.mu.Unlock()
		if !ok || time.Since(c.at) > statsEvery {
			msgs, err := b.scanDead(ctx, q)
			if err != nil {
				return nil, err
			}
			b.nack(ctx, q, msgs)
			c = deadCount{n: int64(len(uniqueJobs(msgs))), at: time.Now()}
			b.mu.Lock()
			b.deadCount[q] = c
			b.mu.Unlock()
		}
		out = append(out, effects.QueueStats{Queue: q, Dead: c.n})
	}
	return out, nil
}

// queues lists the gati queues that have a live subscription under the
// prefix, sorted.
func (b *Backend) queues(ctx context.Context) ([]string, error) {
	ctx, cancel := b.callCtx(ctx)
	defer cancel()
	var names []string
	it := b.client.SubscriptionAdminClient.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{Project: b.project})
	for {
		s, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, b.unreachable(err)
		}
		id := s.Name[strings.LastIndex(s.Name, "/")+1:]
		q, ok := strings.CutPrefix(id, b.prefix)
		if !ok || strings.HasSuffix(q, ".dead") || s.Topic != b.topic(q) {
			continue
		}
		names = append(names, q)
	}
	slices.Sort(names)
	return names, nil
}

// sweep renews old dead-letter copies of the queues this process uses,
// so the subscriptions' 7-day retention never drops one that nobody
// listed.
func (b *Backend) sweep(ctx context.Context) {
	defer b.bg.Done()
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.mu.Lock()
		var queues []string
		for q := range b.ensured {
			queues = append(queues, q)
		}
		b.mu.Unlock()
		for _, q := range queues {
			msgs, err := b.scanDead(ctx, q)
			if err != nil {
				b.log.Warn("effects/pubsub: renewing old dead-letter messages failed; retrying later", "queue", q, "err", err)
				continue
			}
			b.nack(ctx, q, msgs)
		}
	}
}
