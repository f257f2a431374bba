// Package azqueue is the Azure Queue Storage backend of
// gati.dev/gati/effects, on the official SDK
// (github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2): durable
// effects in a storage account's queues, shared by any number of app
// instances.
//
// # Configuration
//
// Link the driver with a blank import and name it in gati.yaml:
//
//	import _ "gati.dev/gati/effects/azqueue"
//
//	modules:
//	  effects:
//	    backend: azqueue
//	    dsn: DefaultEndpointsProtocol=https;AccountName=myapp;AccountKey=...;EndpointSuffix=core.windows.net
//
// The DSN is an Azure Storage connection string, with an account key
// (AccountName and AccountKey) or a SAS (SharedAccessSignature, with
// permission to create, list, add, read, update and process queue
// messages); QueueEndpoint overrides the account's endpoint. Two keys
// are the backend's own: QueuePrefix=... (default "gati-") starts every
// queue name it makes, so apps can share an account; and
// UseDevelopmentStorage=true means Azurite's well-known development
// account at 127.0.0.1:10001. Open creates the queues of every queue the
// app's workers serve and fails, naming the endpoint, when the service
// does not answer within 30 seconds. The client retries a failed call
// three times within about two seconds, so an outage fails an enqueue
// quickly instead of holding the request.
//
// An app that builds its own client (Microsoft Entra ID credentials, a
// custom transport) passes it to New instead, sdk being the SDK's
// package:
//
//	svc, err := sdk.NewServiceClient(url, cred, azqueue.ClientOptions())
//	b, err := azqueue.New(svc, azqueue.Prefix("shop-"))
//	effects.Install(app, effects.WithBackend(b))
//
// # Queues
//
// Each gati queue has an Azure queue and a dead-letter queue beside it,
// QueueName(q) and QueueName(q)+"-dead", created when first used and
// tagged with the metadata gatiqueue=q. Azure names are 3-63 lowercase
// letters, digits and single hyphens, so a gati queue name is mapped: the
// prefix and the name with underscores turned into hyphens
// ("default" → "gati-default", "gati-default-dead"). A name that this
// would change or clash ("mail_out", "a--b", one ending in "-dead", one
// too long) keeps a readable part and eight hex digits of its SHA-256
// ("mail_out" → "gati-mail-out-3f24c81d"), so two gati queues never share
// an Azure queue. Stats lists the queues under the prefix by their
// metadata.
//
// # Mapping
//
// A message's text is the job as JSON, base64-encoded: its id (a random
// UUID of the backend's, not Azure's message id), kind, args, attempt
// count, error history, run time and origin. Messages never expire
// (time to live -1).
//
//   - Enqueue puts one message per effect, hidden until its run time.
//     Azure has no batch put: when one of several fails, the others are
//     deleted again, best effort.
//   - Fetch dequeues up to 32 messages a call (looping for more), hidden
//     for the lease (whole seconds, at least one). The lease the runtime
//     holds is a token of the backend's that maps, in this process, to the
//     message's current pop receipt.
//   - Extend updates the message's visibility; Azure answers with a new
//     pop receipt, which replaces the old one behind the same token.
//   - Success deletes the message. Retry, snooze and release rewrite it
//     in place (Update Message: new text with the attempt and errors,
//     hidden until the next run time).
//   - Dead puts the job, with its whole history, in the dead-letter
//     queue and deletes the live message.
//   - An outcome whose pop receipt Azure no longer honours (the lease
//     expired and another worker dequeued the message) is dropped.
//
// Azure counts dequeues. The text records the dequeue count the backend
// last wrote it at, so a message dequeued more often than that had
// attempts that ended with no outcome (a crash, a stall past the lease):
// each is recorded as a "lease_expired" error and counted, and the job
// is dead-lettered when that used up its attempts. Attempt counts are
// exact.
//
// # Limits
//
//   - No priorities, unique keys or transactional enqueue (the runtime
//     refuses those options). A cloud queue cannot join a database
//     transaction: see the outbox pattern in docs/effects-system.md.
//   - Delays and leases are whole seconds. Azure hides a message for at
//     most 7 days; a longer delay is reached by hiding the message again
//     each time it shows up early, so there is no limit on delays.
//   - A message holds at most 64 KiB of text: an effect whose message
//     would be over 48 KiB is refused at enqueue, and when a long error
//     history outgrows the rest, its oldest errors are dropped.
//   - Get finds dead jobs only; a live job cannot be looked up by id.
//   - Stats reports Azure's approximate message count, which does not
//     tell due, scheduled and running messages apart: all of them are
//     counted as available.
//   - Peek shows at most 32 messages and cannot page, so the dead-letter
//     operations (Dead, Get, RetryDead, DiscardDead) dequeue the whole
//     dead-letter queue, 32 at a time and up to 10,000 messages, hidden
//     for 30 seconds, then make what they did not act on visible again.
//     They cost two calls per dead message and are for operators: two run
//     at once see only part of the queue each, and one that crashes
//     leaves its messages hidden for 30 seconds.
//   - A crash between putting a job in the dead-letter queue and deleting
//     its live message leaves two dead copies; listings show the newest,
//     and retry and discard act on both.
//
// The tests run the conformance suite against Azurite 3.37.0. Azurite
// does not prove Azure's throttling (503 Server Busy), its approximate
// counts under load, or the behaviour of receipts across the service's
// partitions.
package azqueue
