package sqs_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/effects/sqs/sqstest"
)

// realSQS: GATI_TEST_SQS=1 runs the suite against Amazon SQS itself
// (see TestRealSQS); the goaws tests run either way.
var realSQS = os.Getenv("GATI_TEST_SQS") == "1"

func TestMain(m *testing.M) {
	if !realSQS {
		sqstest.Credentials() // goaws takes any; never look further
	}
	sqstest.Main(m)
}

var opened atomic.Int64

// prefix is a queue-name prefix of one backend's own, so that its Stats,
// Dead and Get read only the queues its test made.
func prefix() string {
	return fmt.Sprintf("t%d-%d-", time.Now().Unix()%100000, opened.Add(1))
}

func dsn(endpoint, prefix string, extra ...string) string {
	q := url.Values{"prefix": {prefix}}
	if endpoint != "" {
		q.Set("endpoint", endpoint)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "sqs://?" + q.Encode()
}

// open opens a backend through the registered driver, as an app does,
// and deletes its queues when the test ends.
func open(t *testing.T, dsn string) effects.Backend {
	t.Helper()
	b, err := effects.Open(context.Background(), "sqs", effects.OpenConfig{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteQueues(t, dsn) })
	return b
}

// deleteQueues deletes the queues of a DSN's prefix.
func deleteQueues(t *testing.T, dsn string) {
	u, _ := url.Parse(dsn)
	p := u.Query().Get("prefix")
	c := client(t, u.Query().Get("endpoint"))
	ctx := context.Background()
	out, err := c.ListQueues(ctx, &awssqs.ListQueuesInput{QueueNamePrefix: aws.String(p)})
	if err != nil {
		t.Logf("list the test's queues: %v", err)
		return
	}
	for _, q := range out.QueueUrls {
		if _, err := c.DeleteQueue(ctx, &awssqs.DeleteQueueInput{QueueUrl: aws.String(q)}); err != nil {
			t.Logf("delete %s: %v", q, err)
		}
	}
}

// client is an SDK client of the test's own, for what the backend does
// not do (sending a foreign message, deleting queues).
func client(t *testing.T, endpoint string) *awssqs.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return awssqs.NewFromConfig(cfg, func(o *awssqs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}

// goaws is the suite's harness on goaws. A tick of 500ms: SQS counts
// visibility timeouts and delays in whole seconds, and goaws makes
// expired messages visible once a second.
func goaws() effectstest.Harness {
	return effectstest.Harness{
		Tick: 500 * time.Millisecond,
		Open: func(t *testing.T) effects.Backend { return open(t, dsn(sqstest.Endpoint(t), prefix())) },
	}
}

func TestBackend(t *testing.T) { effectstest.RunBackend(t, goaws()) }

func TestRuntime(t *testing.T) { effectstest.RunRuntime(t, goaws()) }

// TestRealSQS runs the suite against Amazon SQS. It needs AWS
// credentials (the SDK's default chain) and costs a few cents, so it
// runs only when asked: GATI_TEST_SQS=1, with GATI_TEST_SQS_DSN for the
// region and prefix (default sqs://?prefix=gati-test-). It creates
// queues under a prefix of its own and deletes them after.
func TestRealSQS(t *testing.T) {
	if !realSQS {
		t.Skip("the real-SQS acceptance test needs AWS credentials and an account to bill: set GATI_TEST_SQS=1 " +
			"(and GATI_TEST_SQS_DSN=sqs://?region=...&prefix=...) to run it; the goaws tests above run without")
	}
	base, err := url.Parse(os.Getenv("GATI_TEST_SQS_DSN"))
	if err != nil || os.Getenv("GATI_TEST_SQS_DSN") == "" {
		base, _ = url.Parse("sqs://?prefix=gati-test-")
	}
	h := effectstest.Harness{
		Tick: time.Second,
		Open: func(t *testing.T) effects.Backend {
			q := base.Query()
			q.Set("prefix", q.Get("prefix")+prefix())
			return open(t, "sqs://?"+q.Encode())
		},
	}
	t.Run("Backend", func(t *testing.T) { effectstest.RunBackend(t, h) })
	t.Run("Runtime", func(t *testing.T) { effectstest.RunRuntime(t, h) })
}

func TestOpenEndpointDown(t *testing.T) {
	a := sqstest.OwnAdapter(t)
	a.Close() // nothing listens there now
	for _, queues := range [][]string{nil, {"emails"}} {
		_, err := effects.Open(context.Background(), "sqs", effects.OpenConfig{DSN: dsn(a.URL, prefix()), Queues: queues})
		if err == nil || !strings.Contains(err.Error(), a.URL) {
			t.Fatalf("open with the endpoint down (queues %v): %v, want an error naming %s", queues, err, a.URL)
		}
		t.Logf("queues %v: %v", queues, err)
	}
}

func TestOutageAfterOpen(t *testing.T) {
	a := sqstest.OwnAdapter(t)
	b := open(t, dsn(a.URL, prefix()))
	q := "outage"
	now := time.Now()
	job := &effects.Job{Kind: "k", Queue: q, Args: []byte(`{}`), Priority: 2, MaxAttempts: 3, RunAt: now, CreatedAt: now}
	if _, err := b.Enqueue(context.Background(), []*effects.Job{job}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	_, err := b.Enqueue(context.Background(), []*effects.Job{job})
	if err == nil || !strings.Contains(err.Error(), a.URL) {
		t.Fatalf("enqueue during an outage: %v, want an error naming %s", err, a.URL)
	}
	t.Logf("enqueue: %v", err)
	if _, err := b.Fetch(context.Background(), q, 10, time.Second); err == nil {
		t.Fatal("fetch during an outage: no error")
	}
	if _, err := b.Stats(context.Background()); err == nil {
		t.Fatal("stats during an outage: no error")
	}
}

func TestDSN(t *testing.T) {
	for _, bad := range []string{"postgres://x", "sqs://eu-west-1", "sqs://?regon=eu-west-1", "sqs://?create=maybe",
		"sqs://?endpoint=localhost:4100", "sqs://?prefix=has%20space"} {
		_, err := effects.Open(context.Background(), "sqs", effects.OpenConfig{DSN: bad})
		if err == nil {
			t.Errorf("DSN %q: no error", bad)
			continue
		}
		t.Logf("%s: %v", bad, err)
	}
}

func TestCreateFalse(t *testing.T) {
	p := prefix()
	_, err := effects.Open(context.Background(), "sqs", effects.OpenConfig{DSN: dsn(sqstest.Endpoint(t), p, "create", "false"), Queues: []string{"emails"}})
	if err == nil || !strings.Contains(err.Error(), p+"emails") || !strings.Contains(err.Error(), "create=false") {
		t.Fatalf("open with create=false and no queue: %v, want an error naming %semails", err, p)
	}
	// Made by someone else (an operator, Terraform), the queues serve.
	made, err := effects.Open(context.Background(), "sqs", effects.OpenConfig{DSN: dsn(sqstest.Endpoint(t), p), Queues: []string{"emails"}})
	if err != nil {
		t.Fatal(err)
	}
	made.Close()
	t.Cleanup(func() { deleteQueues(t, dsn(sqstest.Endpoint(t), p)) })
	d := dsn(sqstest.Endpoint(t), p, "create", "false")
	b, err := effects.Open(context.Background(), "sqs", effects.OpenConfig{DSN: d, Queues: []string{"emails"}})
	if err != nil {
		t.Fatalf("open with create=false and the queues made: %v", err)
	}
	b.Close()
}

func TestQueueNames(t *testing.T) {
	b := open(t, dsn(sqstest.Endpoint(t), prefix()))
	for _, q := range []string{"emails-dead", "Upper"} {
		if _, err := b.Fetch(context.Background(), q, 1, time.Second); err == nil {
			t.Errorf("queue %q: no error", q)
		}
	}
}
