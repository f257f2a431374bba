// Package pubsub is the Google Cloud Pub/Sub backend of
// gati.dev/gati/effects, on the v2 client (cloud.google.com/go/pubsub/v2)
// and its synchronous Pull: durable effects in a project's topics and
// subscriptions, shared by any number of app instances.
//
// # Configuration
//
// Link the driver with a blank import and name it in gati.yaml:
//
//	import _ "gati.dev/gati/effects/pubsub"
//
//	modules:
//	  effects:
//	    backend: pubsub
//	    dsn: pubsub://my-project
//
// The DSN is pubsub://PROJECT_ID with optional parameters: prefix (of
// every topic and subscription id the backend makes, default "gati-"),
// endpoint (HOST:PORT of a regional endpoint), emulator (HOST:PORT of
// the Pub/Sub emulator or another fake: plaintext, no credentials; the
// PUBSUB_EMULATOR_HOST variable does the same) and timeout (of each call
// the backend makes, default 15s, so an outage fails an enqueue instead
// of holding the request while the client retries):
//
//	pubsub://my-project?prefix=shop-&timeout=5s
//	pubsub://test-project?emulator=127.0.0.1:8085
//
// Credentials are Application Default Credentials
// (GOOGLE_APPLICATION_CREDENTIALS, the metadata server of a Google
// Cloud runtime). Open checks that Pub/Sub answers, failing at once with
// the endpoint and the reason when it cannot be reached, and makes the
// topics and subscriptions of every queue the app's workers serve. An
// app that builds its own client passes it to New; Close then leaves it
// open.
//
// # Topics and subscriptions
//
// Each gati queue q has a topic and a subscription, both named prefix+q
// ("gati-default"), and a dead-letter topic and subscription,
// prefix+q+".dead" (gati queue names have no dots, so the two never
// meet). The backend creates whatever is missing (it needs
// roles/pubsub.editor for that; with less, create them beforehand as
// below). Subscriptions keep unacknowledged messages for 7 days (the
// longest Pub/Sub allows), never expire, have a 30-second ack deadline,
// and the live one has a dead-letter policy: the dead-letter topic,
// 100 delivery attempts. The policy is what makes Pub/Sub count
// deliveries; an existing live subscription without one is refused at
// Open. Pub/Sub's service agent needs the publisher role on the
// dead-letter topic and the subscriber role on the subscription for the
// policy to forward anything, which, as below, it should never need to.
//
// # Mapping
//
// A message's data is the job as JSON: its id (a random UUID of the
// backend's, not Pub/Sub's message id, which changes each time the job
// is published again), kind, args, attempt count, error history, run
// time and origin. The attributes gati_id, gati_kind and gati_not_before
// repeat some of it for people and subscription filters.
//
//   - Enqueue publishes the effects of each queue in one request, so one
//     Enqueue of up to 1,000 effects of a queue writes all or none.
//   - Fetch pulls (a synchronous Pull of the subscription admin client,
//     which may wait up to the timeout for messages to arrive) and sets
//     the ack deadline of what it leases to the lease (whole seconds, at
//     most 600). The lease the runtime holds is a token of the backend's
//     that maps, in this process, to the delivery's ack id.
//   - Extend modifies the ack deadline again.
//   - Success acknowledges the message. Retry, snooze and release publish
//     the job again, with its attempt and errors updated and its run time
//     as gati_not_before, then acknowledge the old copy. Dead publishes it
//     to the dead-letter topic and acknowledges it.
//
// Pub/Sub has no delayed delivery: a copy published for later is
// delivered at once, and Fetch gives it an ack deadline of the time left
// (at most 600 seconds) instead of returning it, as often as it takes.
// Those early deliveries count in Pub/Sub's delivery count, so once the
// copy is due Fetch publishes it again as a ready copy and acknowledges
// the old one: every delivery of a ready copy is an attempt, and one
// delivered more than once had attempts that ended with no outcome (a
// crash, a stall past the lease). Each is recorded as a "lease_expired"
// error and counted, and the job is dead-lettered when that used up its
// attempts. Attempt counts are exact as far as Pub/Sub's delivery count
// is, which its documentation calls best effort. A copy delivered 50
// times (a long delay, or many lost attempts) or published 3 days ago is
// published again, so neither the dead-letter policy's 100 deliveries
// nor the 7-day retention is reached.
//
// # Limits
//
//   - No priorities, unique keys or transactional enqueue (the runtime
//     refuses those options). A cloud queue cannot join a database
//     transaction: see the outbox pattern in docs/effects-system.md.
//   - Delays and leases are whole seconds; a delay is reached within
//     about a second plus a poll, and costs a second publish. There is
//     no limit on delays, but effects that no worker pulls for 7 days
//     are dropped by Pub/Sub.
//   - Publishing again and then acknowledging is at-least-once: a crash
//     between the two leaves two copies of a job, which may run twice.
//   - Outcomes are checked against leases in this process only. Across
//     processes, a worker that outlived its lease may still acknowledge
//     a message that another worker now runs; enable exactly-once
//     delivery on the subscription to have Pub/Sub refuse that.
//   - A pull cut short by the timeout or by shutdown as messages arrive
//     leaves them held until their ack deadline; they are then counted as
//     a lost attempt each.
//   - Get finds dead jobs only; a live job cannot be looked up by id.
//   - Stats cannot count live messages: Pub/Sub's API has no backlog
//     count (Cloud Monitoring's subscription/num_undelivered_messages
//     is one), so the backend declares Capabilities.NoLiveCounts and
//     reports dead jobs only, reading each dead-letter subscription at
//     most once a minute.
//   - Pub/Sub cannot peek, so the dead-letter operations (Dead, Get,
//     RetryDead, DiscardDead, Stats) pull the whole dead-letter
//     subscription, up to 10,000 messages, then nack what they did not
//     act on. They are for operators: two at once see only part of it
//     each, and one that crashes leaves its messages held for 30
//     seconds. A sweep every 6 hours, and every listing, publishes again
//     the dead copies older than 3 days, so dead jobs outlive the 7-day
//     retention.
//
// The tests run the conformance suite against pstest from the v1 module
// (cloud.google.com/go/pubsub v1.52.0), in process. pstest does not
// prove: per-delivery ack ids (its ack id is the message id), an
// approximate delivery count, the dead-letter policy's forwarding at 100
// deliveries, the 7-day retention (it drops messages that wait
// undelivered for 10 minutes instead), how long the service holds an
// empty pull, IAM, or quotas and throttling.
package pubsub
