// Package postgres is the PostgreSQL backend of gati.dev/gati/effects,
// on pgx (github.com/jackc/pgx/v5): durable effects that one app
// instance or many share through one database.
//
// # Configuration
//
// Link the driver with a blank import and name it in gati.yaml:
//
//	import _ "gati.dev/gati/effects/postgres"
//
//	modules:
//	  effects:
//	    backend: postgres
//	    dsn: postgres://app:secret@db.internal:5432/app?sslmode=require&pool_max_conns=20
//
// The DSN is anything pgxpool.ParseConfig reads: a postgres:// URL or a
// keyword/value string, with pgxpool's pool_* parameters. The backend
// opens its own pool, checks that the server answers (the app refuses to
// start otherwise, naming host:port and database) and closes the pool
// when the app stops. A DSN without connect_timeout gets 10 seconds.
//
// An app that already has a pool passes it instead; the pool stays the
// app's (Close leaves it open):
//
//	b, err := postgres.New(pool)
//	...
//	effects.Install(app, effects.WithBackend(b))
//
// # Schema
//
// The backend keeps effects in the table gati_effects, and the schema's
// version in gati_effects_schema, in the first schema of the
// connection's search_path (set search_path in the DSN for another).
// Opening a backend creates or migrates them in one transaction under an
// advisory lock, so instances that start together migrate once and the
// others wait for it. A schema newer than the binary (a newer version of
// the app migrated it) is logged and used as it is.
//
// Indexes, all partial, keep each query on the rows it needs: available
// effects by (queue, priority, run_at, id) for fetching; running ones by
// (queue, lease_until) to find expired leases; dead ones by finished_at
// for the dead-letter listing; succeeded ones by finished_at for the
// retention sweep; and a unique index on (kind, unique_slot), where
// unique_slot is the unique key while its window lasts: an enqueue that
// finds the window passed clears the old effect's slot (its unique_key
// stays on record) and takes the key.
//
// Succeeded effects are deleted 24 hours after they finish (see
// Retention), by a sweep every instance runs in small batches; dead
// effects stay until they are retried or discarded.
//
// # Many instances
//
// Any number of processes can run workers on one database. A fetch is
// one statement that locks the rows it leases with FOR UPDATE SKIP
// LOCKED, so concurrent fetches never lease a job twice and never wait
// on each other. The same statement takes back running effects whose
// lease expired (their worker died or stalled): each gets a
// "lease_expired" error in its history and runs again, or goes to the
// dead-letter queue when that was its last attempt. Each lease is
// numbered; an outcome or heartbeat carrying an older number than the
// effect's current one changes nothing. Outcomes and heartbeats are
// written in batches, one statement each.
//
// Lease expiry and "now" are the database server's clock; run times
// (delays, retries) come from the app's, so keep the clocks in sync.
//
// An instance's workers wake at once for effects it enqueues itself, and
// find those other instances enqueue at their next poll
// (modules.effects.poll_interval, 1s by default). To shorten that, the
// backend also NOTIFYs the channel gati_effects with the queue's name
// when it enqueues effects that are due now: coalesced, one NOTIFY
// statement in flight per instance, and for EnqueueTx inside the
// transaction, so it is delivered only if it commits. Subscribe (the
// effects.Waker interface) LISTENs on a connection of its own and reports the
// queues; the effects runtime does not call it yet.
//
// # Transactional enqueue
//
// Kind.EnqueueTx writes an effect inside the app's own transaction, so
// it exists (and runs) exactly when the transaction commits, and never
// when it rolls back:
//
//	tx, err := pool.Begin(ctx)
//	...
//	if _, err := tx.Exec(ctx, `INSERT INTO users ...`); err != nil { ... }
//	if _, err := SendWelcome.EnqueueTx(ctx, tx, Welcome{UserID: id}); err != nil { ... }
//	err = tx.Commit(ctx)
//
// The transaction is a pgx.Tx (from a pgx.Conn or a pgxpool.Pool) or a
// *sql.Tx of pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib);
// other drivers' transactions are refused. It must be on the backend's
// database. Under REPEATABLE READ or SERIALIZABLE, an enqueue whose
// unique key another transaction took concurrently fails with a
// serialization error, as any conflicting write there does.
//
// # Stats
//
// Stats lists the queues that have unfinished or dead effects; a queue
// whose effects all succeeded is not listed.
package postgres
