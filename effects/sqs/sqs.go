package sqs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"gati.dev/gati/effects"
)

const (
	// DefaultPrefix starts the SQS name of every queue unless the DSN's
	// prefix parameter says otherwise.
	DefaultPrefix = "gati-"
	// DeadSuffix ends the name of a queue's dead-letter queue.
	DeadSuffix = "-dead"

	maxQueueName = 80                  // SQS's limit on a queue name
	maxSQSDelay  = 15 * time.Minute    // SQS's limit on DelaySeconds
	retention    = 14 * 24 * time.Hour // SQS's longest MessageRetentionPeriod
	maxVisible   = 12 * time.Hour      // SQS's longest VisibilityTimeout
	batchMax     = 10                  // entries in one SQS batch call
)

// Options configure New.
type Options struct {
	// Prefix starts the SQS name of every queue (default DefaultPrefix):
	// queue "emails" is "<prefix>emails", its dead-letter queue
	// "<prefix>emails-dead". Letters, digits, - and _.
	Prefix string
	// NoCreate requires the queues to exist: a missing one is an error
	// naming it, instead of being created.
	NoCreate bool
	// Queues are resolved (and created, unless NoCreate) by New, with
	// their dead-letter queues, so that a missing queue or an
	// unreachable endpoint fails at start rather than at first use.
	Queues []string
	// Logger reports what the backend cannot return as an error (a
	// message that is not an effect, a lost lease). Default slog.Default().
	Logger *slog.Logger
}

// Backend is the Amazon SQS backend of gati.dev/gati/effects (see the
// package documentation for the mapping and its limits).
type Backend struct {
	client *awssqs.Client
	prefix string
	create bool
	where  string // names the service in errors: endpoint and region
	log    *slog.Logger
	closed atomic.Bool

	mu     sync.Mutex
	urls   map[string]string    // SQS queue name → queue URL
	leases map[string]*inflight // receipt handle → the attempt this process runs
}

var _ effects.Backend = (*Backend)(nil)

var (
	prefixRE = regexp.MustCompile(`^[A-Za-z0-9_-]{0,40}$`)
	queueRE  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)
)

// New returns a backend on client, checking that the service answers
// and resolving opts.Queues.
func New(ctx context.Context, client *awssqs.Client, opts Options) (*Backend, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if !prefixRE.MatchString(opts.Prefix) {
		return nil, fmt.Errorf("sqs: prefix %q: use at most 40 letters, digits, - and _", opts.Prefix)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	o := client.Options()
	where := "SQS in region " + o.Region
	if o.BaseEndpoint != nil && *o.BaseEndpoint != "" {
		where = "the SQS endpoint " + *o.BaseEndpoint + " (region " + o.Region + ")"
	}
	b := &Backend{client: client, prefix: opts.Prefix, create: !opts.NoCreate, where: where, log: opts.Logger,
		urls: map[string]string{}, leases: map[string]*inflight{}}
	if len(opts.Queues) == 0 {
		if err := b.Ping(ctx); err != nil {
			return nil, err
		}
	}
	for _, q := range opts.Queues {
		if _, err := b.queueURL(ctx, q); err != nil {
			return nil, err
		}
		if _, err := b.deadURL(ctx, q, true); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Open opens the backend a DSN describes (see the package documentation).
func Open(ctx context.Context, cfg effects.OpenConfig) (*Backend, error) {
	d, err := parseDSN(cfg.DSN)
	if err != nil {
		return nil, err
	}
	var loads []func(*config.LoadOptions) error
	if d.region != "" {
		loads = append(loads, config.WithRegion(d.region))
	}
	if d.profile != "" {
		loads = append(loads, config.WithSharedConfigProfile(d.profile))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("sqs: load the AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("sqs: no AWS region: set region= in the DSN (sqs://?region=eu-west-1) or $AWS_REGION")
	}
	client := awssqs.NewFromConfig(awsCfg, func(o *awssqs.Options) {
		if d.endpoint != "" {
			o.BaseEndpoint = aws.String(d.endpoint)
		}
	})
	return New(ctx, client, Options{Prefix: d.prefix, NoCreate: !d.create, Queues: cfg.Queues, Logger: cfg.Logger})
}

type dsn struct {
	region, endpoint, prefix, profile string
	create                            bool
}

// parseDSN reads sqs://?region=R&endpoint=URL&prefix=P&create=false&profile=NAME.
func parseDSN(s string) (dsn, error) {
	d := dsn{prefix: DefaultPrefix, create: true}
	if s == "" {
		return d, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "sqs" {
		return d, fmt.Errorf("sqs: DSN %q: use sqs://?region=REGION&prefix=PREFIX (see the package documentation)", s)
	}
	if u.Host != "" || (u.Path != "" && u.Path != "/") {
		return d, fmt.Errorf("sqs: DSN %q: put everything in parameters (sqs://?region=%s)", s, u.Host)
	}
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "region":
			d.region = v
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return d, fmt.Errorf("sqs: DSN endpoint %q: use an http:// or https:// URL", v)
			}
			d.endpoint = v
		case "prefix":
			d.prefix = v
		case "profile":
			d.profile = v
		case "create":
			c, err := strconv.ParseBool(v)
			if err != nil {
				return d, fmt.Errorf("sqs: DSN create=%q: use true or false", v)
			}
			d.create = c
		default:
			return d, fmt.Errorf("sqs: DSN parameter %q: known are region, endpoint, prefix, profile and create", k)
		}
	}
	return d, nil
}

// Name returns "sqs".
func (b *Backend) Name() string { return "sqs" }

// Capabilities: no priorities, unique keys or transactions; delays of any
// length (see the package documentation); attempts counted in the
// message; no lookup of live jobs.
func (b *Backend) Capabilities() effects.Capabilities {
	return effects.Capabilities{ExactAttempts: true}
}

// Close makes every later call fail. The SDK client holds nothing to
// release.
func (b *Backend) Close() error {
	b.closed.Store(true)
	return nil
}

func (b *Backend) check() error {
	if b.closed.Load() {
		return errors.New("sqs: backend closed")
	}
	return nil
}

// Ping lists one queue of the prefix: the service answers and the
// credentials are accepted.
func (b *Backend) Ping(ctx context.Context) error {
	if err := b.check(); err != nil {
		return err
	}
	_, err := b.client.ListQueues(ctx, &awssqs.ListQueuesInput{QueueNamePrefix: aws.String(b.prefix), MaxResults: aws.Int32(1)})
	if err != nil {
		return fmt.Errorf("sqs: %s does not answer: %w", b.where, err)
	}
	return nil
}

// noQueueError reports a queue that does not exist and was not created.
type noQueueError struct {
	name, where string
	noCreate    bool // because the DSN says create=false
}

func (e *noQueueError) Error() string {
	s := "sqs: the queue " + e.name + " does not exist at " + e.where
	if e.noCreate {
		s += ", and the DSN says create=false: create it (each queue with its " + DeadSuffix + " queue), or drop create=false"
	}
	return s
}

// sqsName is the SQS name of gati queue q (or its dead-letter queue).
func (b *Backend) sqsName(q string, dead bool) (string, error) {
	if !queueRE.MatchString(q) {
		return "", fmt.Errorf("sqs: queue name %q: use 1-64 lowercase letters, digits, _ and - starting with a letter", q)
	}
	if strings.HasSuffix(q, DeadSuffix) {
		return "", fmt.Errorf("sqs: queue name %q: names ending in %s are the dead-letter queues of this backend", q, DeadSuffix)
	}
	name := b.prefix + q
	if dead {
		name += DeadSuffix
	}
	if len(b.prefix)+len(q)+len(DeadSuffix) > maxQueueName {
		return "", fmt.Errorf("sqs: queue %q with prefix %q: SQS names are at most %d characters, %s included", q, b.prefix, maxQueueName, DeadSuffix)
	}
	return name, nil
}

func (b *Backend) queueURL(ctx context.Context, q string) (string, error) {
	name, err := b.sqsName(q, false)
	if err != nil {
		return "", err
	}
	return b.resolve(ctx, name, b.create)
}

func (b *Backend) deadURL(ctx context.Context, q string, create bool) (string, error) {
	name, err := b.sqsName(q, true)
	if err != nil {
		return "", err
	}
	return b.resolve(ctx, name, create && b.create)
}

// resolve finds the URL of the SQS queue name, creating the queue when
// it is missing and create is set.
func (b *Backend) resolve(ctx context.Context, name string, create bool) (string, error) {
	b.mu.Lock()
	u, ok := b.urls[name]
	b.mu.Unlock()
	if ok {
		return u, nil
	}
	out, err := b.client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String(name)})
	switch {
	case err == nil:
		u = aws.ToString(out.QueueUrl)
		b.checkRetention(ctx, name, u)
	case !isNoQueue(err):
		return "", fmt.Errorf("sqs: find the queue %s at %s: %w", name, b.where, err)
	case !create:
		return "", &noQueueError{name: name, where: b.where, noCreate: !b.create}
	default:
		// Retention at SQS's maximum: an effect waits at most 14 days
		// for a worker, a dead one 14 days for an operator.
		out, err := b.client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(name),
			Attributes: map[string]string{string(types.QueueAttributeNameMessageRetentionPeriod): strconv.Itoa(int(retention / time.Second))}})
		if err != nil {
			return "", fmt.Errorf("sqs: create the queue %s at %s: %w", name, b.where, err)
		}
		u = aws.ToString(out.QueueUrl)
		b.log.Info("effects: created an SQS queue", "queue", name, "url", u)
	}
	b.mu.Lock()
	b.urls[name] = u
	b.mu.Unlock()
	return u, nil
}

// checkRetention warns about an existing queue that forgets messages
// sooner than 14 days.
func (b *Backend) checkRetention(ctx context.Context, name, u string) {
	out, err := b.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameMessageRetentionPeriod}})
	if err != nil {
		return
	}
	s, ok := out.Attributes[string(types.QueueAttributeNameMessageRetentionPeriod)]
	if n, err := strconv.Atoi(s); ok && err == nil && time.Duration(n)*time.Second < retention {
		b.log.Warn("effects: an SQS queue deletes messages before 14 days: effects that wait longer (or stay dead longer) are lost",
			"queue", name, "retention", time.Duration(n)*time.Second)
	}
}

// forget drops a cached URL after SQS said the queue is gone (deleted
// by an operator): the next use resolves, and maybe creates, it again.
func (b *Backend) forget(u string, err error) {
	if !isNoQueue(err) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for name, v := range b.urls {
		if v == u {
			delete(b.urls, name)
		}
	}
}

func isNoQueue(err error) bool {
	var nq *types.QueueDoesNotExist
	var nqe *noQueueError
	return errors.As(err, &nq) || errors.As(err, &nqe)
}

// queues lists the SQS queues of the prefix, as gati queue names with
// their URLs: those ListQueues returns, and those this process resolved
// (ListQueues is eventually consistent: a new queue may be missing).
func (b *Backend) queues(ctx context.Context) (live, dead map[string]string, err error) {
	live, dead = map[string]string{}, map[string]string{}
	add := func(name, u string) {
		rest, ok := strings.CutPrefix(name, b.prefix)
		if !ok {
			return
		}
		q, isDead := strings.CutSuffix(rest, DeadSuffix)
		if !queueRE.MatchString(q) || strings.HasSuffix(q, DeadSuffix) {
			return // not one of ours
		}
		if isDead {
			dead[q] = u
		} else {
			live[q] = u
		}
	}
	in := &awssqs.ListQueuesInput{QueueNamePrefix: aws.String(b.prefix), MaxResults: aws.Int32(1000)}
	for {
		out, err := b.client.ListQueues(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("sqs: list the queues of %s: %w", b.where, err)
		}
		for _, u := range out.QueueUrls {
			add(lastSegment(u), u)
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	b.mu.Lock()
	for name, u := range b.urls {
		add(name, u)
	}
	b.mu.Unlock()
	return live, dead, nil
}

// Stats reads SQS's approximate counts: visible messages are available,
// delayed ones scheduled, in-flight ones running, and every message of
// the dead-letter queue dead. SQS updates them within about a minute.
func (b *Backend) Stats(ctx context.Context) ([]effects.QueueStats, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	live, dead, err := b.queues(ctx)
	if err != nil {
		return nil, err
	}
	byQueue := map[string]*effects.QueueStats{}
	stat := func(q string) *effects.QueueStats {
		if byQueue[q] == nil {
			byQueue[q] = &effects.QueueStats{Queue: q}
		}
		return byQueue[q]
	}
	names := []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
		types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed}
	count := func(u string) (visible, inFlight, delayed int64, err error) {
		out, err := b.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(u), AttributeNames: names})
		if err != nil {
			b.forget(u, err)
			return 0, 0, 0, err
		}
		n := func(a types.QueueAttributeName) int64 {
			v, _ := strconv.ParseInt(out.Attributes[string(a)], 10, 64)
			return v
		}
		return n(names[0]), n(names[1]), n(names[2]), nil
	}
	for q, u := range live {
		v, f, d, err := count(u)
		if isNoQueue(err) {
			continue // deleted since it was listed
		}
		if err != nil {
			return nil, fmt.Errorf("sqs: count the effects of queue %s: %w", q, err)
		}
		s := stat(q)
		s.Available, s.Running, s.Scheduled = v, f, d
	}
	for q, u := range dead {
		v, f, d, err := count(u)
		if isNoQueue(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sqs: count the dead effects of queue %s: %w", q, err)
		}
		stat(q).Dead = v + f + d
	}
	out := make([]effects.QueueStats, 0, len(byQueue))
	for _, s := range byQueue {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b effects.QueueStats) int { return strings.Compare(a.Queue, b.Queue) })
	return out, nil
}

func init() {
	effects.Register("sqs", func(ctx context.Context, cfg effects.OpenConfig) (effects.Backend, error) {
		b, err := Open(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return b, nil
	})
}
