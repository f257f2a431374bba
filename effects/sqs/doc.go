// Package sqs is the Amazon SQS backend of gati.dev/gati/effects, on the
// AWS SDK for Go v2 (github.com/aws/aws-sdk-go-v2/service/sqs): durable
// effects in SQS standard queues, for apps that run on AWS and would
// rather not keep a database for them.
//
// # Configuration
//
// Link the driver with a blank import and name it in gati.yaml:
//
//	import _ "gati.dev/gati/effects/sqs"
//
//	modules:
//	  effects:
//	    backend: sqs
//	    dsn: sqs://?region=eu-west-1&prefix=myapp-prod-
//
// The DSN is sqs:// with parameters, all optional:
//
//   - region: the AWS region (default: $AWS_REGION or the profile's).
//   - prefix: starts every queue's SQS name (default "gati-"), so that
//     apps and environments sharing an account keep apart; at most 40
//     letters, digits, - and _.
//   - create: true (default) creates missing queues; false requires them
//     to exist and refuses to start, naming the missing one.
//   - endpoint: another SQS endpoint (a VPC endpoint, an emulator).
//   - profile: a profile of the shared AWS configuration files.
//
// Credentials come from the SDK's default chain: environment variables,
// the shared files, SSO, web identity (EKS), ECS task roles and EC2
// instance roles. The app needs sqs:SendMessage, ReceiveMessage,
// DeleteMessage, ChangeMessageVisibility, GetQueueUrl,
// GetQueueAttributes and ListQueues on <prefix>*, and sqs:CreateQueue
// unless create=false. Opening the backend checks that the endpoint
// answers: the app refuses to start otherwise, naming the endpoint and
// region.
//
// An app that builds its own client passes it to New instead.
//
// # Queues
//
// Each gati queue is one SQS standard queue, <prefix><queue>, with a
// dead-letter queue, <prefix><queue>-dead (so gati queue names ending in
// -dead are refused). Queue names may have 80 characters, -dead
// included. The queues that the app's kinds and modules.effects.queues
// name are resolved when the backend opens; others at first use. A
// queue the backend creates keeps messages 14 days, SQS's longest (an
// existing queue with a shorter retention is logged: an effect that
// waits longer, or stays dead longer, is deleted by SQS).
//
// The backend dead-letters effects itself, after each effect's own
// max_attempts: SQS's redrive policy counts receives per queue, not
// attempts per effect, and would move an effect without its last error.
// Leave the queues without a RedrivePolicy, or give it a maxReceiveCount
// above every kind's max_attempts, as a backstop only.
//
// FIFO queues are not used. They would order effects within a message
// group and drop a duplicate sent within 5 minutes, but they take no
// per-message delay (so no backoff or Delay without a resend on every
// receive), and a group's messages wait for the one in flight. Their
// deduplication lasts 5 minutes whatever the window asked, which is why
// the backend does not offer unique keys.
//
// # How effects map onto messages
//
// A message cannot change once sent, so the effect travels in its body,
// a JSON envelope with everything SQS cannot keep: the effect's id (a
// random UUID of ours: SQS's MessageId changes at every resend), kind,
// args, the attempts made, the history of errors, run_at and the
// request that enqueued it. Every change of state but a lease sends a
// new message and deletes the old one:
//
//   - Enqueue sends the message (SendMessageBatch, ten a call), with
//     DelaySeconds until run_at.
//   - Fetch is ReceiveMessage, ten messages a call, with a visibility
//     timeout of the lease: the lease is the receipt handle, and the
//     message stays invisible to other workers until it expires.
//     Extend is ChangeMessageVisibilityBatch.
//   - Success deletes the message (DeleteMessageBatch).
//   - Retry, snooze and release send the updated envelope with
//     DelaySeconds until the next run, then delete the old message.
//   - Death sends the envelope, with every error, to the dead-letter
//     queue, then deletes the old message.
//
// A crash between the send and the delete leaves both: the effect runs
// twice, which at-least-once delivery allows (workers must be
// idempotent with any backend). SQS standard queues may also, rarely,
// deliver a message twice.
//
// A worker that dies or stalls sends no outcome: its message becomes
// visible when the lease ends and is received again with an
// ApproximateReceiveCount above one. Every receive beyond the first was
// an attempt that ended without an outcome (a receive the backend ends
// itself always sends a new message), so each becomes a "lease_expired"
// error in the history, and the effect is dead-lettered when that was
// its last attempt. The attempt count is therefore exact except when
// SQS's approximate count is off or a standard queue delivers twice,
// and snoozes and releases do not count: the backend declares
// ExactAttempts. A receive whose answer was lost (a network failure
// after SQS hid the messages) also counts as an attempt.
//
// An outcome arriving after its lease ended, by this process's clock
// (slightly early, to stay ahead of SQS's), is ignored: the message may
// be another worker's by then. The runtime extends leases every third of
// a lease, so that happens to stalled processes only.
//
// # Delays and times
//
// SQS delays a message at most 15 minutes and counts in whole seconds.
// The envelope's run_at is what counts: a message that shows up before
// it (a longer delay) is sent again with a new delay rather than
// returned, one resend per 15 minutes of waiting, so Delay and RunAt
// have no limit (Capabilities.MaxDelay is zero) within the 14 days of
// retention. Delays and retries round up to whole seconds, and leases
// (visibility timeouts) too, within SQS's 12 hours: an attempt cannot
// keep its lease longer than 12 hours.
//
// # Dead-letter queue, lookup and stats
//
// SQS cannot find a message by id, nor list a queue. The backend
// declares Lookup false: Get finds dead effects only. Dead, Get,
// RetryDead and DiscardDead receive every message of the dead-letter
// queues they read (Dead with a queue reads one, the others all those of
// the prefix), hiding them for up to 30 seconds, and release them when
// done. That costs about one request per five dead effects, plus a
// final one-second long poll per queue (a short poll may answer empty
// while messages remain); one scan reads at most 10,000 messages a
// queue; and scans running at once (two operators) each see only what
// the other does not hold. The dead-letter queue is for inspecting and
// retrying failures by hand, not a database.
//
// Stats reads SQS's approximate counts (GetQueueAttributes): visible
// messages are available, delayed ones scheduled, in-flight ones
// running, and every message of a dead-letter queue dead. SQS updates
// them within about a minute, and effects waiting beyond 15 minutes show
// as available during the moment between two delays.
//
// Enqueue of several jobs is not atomic: a batch that fails after others
// succeeded returns an error naming the effects written. (The runtime
// enqueues one effect at a time.) A message body is at most 256 KiB: an
// effect whose args make it larger is refused at Enqueue, and a long
// error history has its oldest texts shortened to fit.
//
// # Capabilities
//
// No priorities (SQS has no order), no unique keys (see FIFO above), no
// transactions (use the outbox pattern: enqueue from an effect of the
// database backend); no MaxDelay; ExactAttempts as described above;
// Lookup false.
//
// # Testing
//
// The tests run the effects conformance suites against goaws, an SQS
// emulator, through a protocol adapter (package sqstest): see
// docs/effects-sqs.md for what they prove and what only a run against
// Amazon SQS (GATI_TEST_SQS=1) can.
package sqs
