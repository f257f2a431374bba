// Package sqlite is the embedded default backend of gati.dev/gati/effects:
// effects kept in a SQLite database file, with no server to run and no
// cgo (it uses modernc.org/sqlite). Link it in with a blank import:
//
//	import _ "gati.dev/gati/effects/sqlite"
//
// # Where the effects are
//
// With modules.effects.dsn empty, the database is the file effects.db in
// the data directory (modules.effects.data_dir, default .gati/data, or
// $GATI_DATA_DIR), created with its directory when missing. The DSN is
// otherwise the file's path, relative to the working directory when not
// absolute, optionally followed by ?synchronous=full:
//
//	modules:
//	  effects:
//	    backend: sqlite
//	    dsn: /var/lib/myapp/effects.db?synchronous=full
//
// The tables are gati_effects (one row per effect, its error history a
// JSON array), gati_effects_queues and gati_effects_schema, whose version
// the backend migrates forward when it opens the file. A file whose schema
// is newer than the binary is refused rather than guessed at. Succeeded
// effects stay in the table (Get finds them) for 24 hours, then a
// background sweep deletes them in small batches, so the file does not
// grow without bound; "effects.db?retention=72h" (or Retention) changes
// that, and retention=0 keeps them. Dead effects stay until they are
// retried or discarded.
//
// # Durability
//
// The database is in WAL mode. An effect is in the file when Enqueue
// returns: a process that crashes or is killed (kill -9) right after
// loses nothing that Enqueue, or Complete, reported as written, and an
// app transaction open at the crash leaves nothing behind. With the
// default synchronous=NORMAL, commits are handed to the operating system
// but not flushed to the disk one by one, so a power loss or kernel crash
// can lose the last transactions before a checkpoint (never corrupt the
// file). With ?synchronous=full every commit waits for the disk, which
// survives power loss too, at the cost of a flush per transaction
// (concurrent enqueues and batches share one).
//
// # One writer
//
// SQLite lets one transaction write at a time. The backend writes through
// a single connection, so its own enqueues, fetches and outcomes take
// turns in the process rather than in SQLite's busy handler, and it makes
// few transactions: a fetch leases up to a batch of effects in one
// statement, the outcomes of a batch are recorded in one transaction,
// and Enqueue calls that arrive while the writer is busy share the next
// transaction (a group commit). Reads (Get, Dead, Stats, and the look a
// fetch takes before it writes, so that idle polling stays read-only) use
// connections of their own, beside the writer. Several processes may
// share the file, say one with GATI_ROLE=api and one with
// GATI_ROLE=worker on one machine (SQLite's locks need a local file
// system, not NFS); they take turns writing, each waiting up to 10s.
//
// # Enqueueing in the app's transaction
//
// An app that keeps its own data in SQLite can keep its effects in the same
// database and enqueue them inside its transactions, so that an effect
// exists exactly when the transaction that asked for it commits:
//
//	db, _ := sql.Open("sqlite", "app.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
//	backend, err := sqlite.New(db) // creates the effects tables in app.db
//	fx := effects.Install(app, effects.WithBackend(backend))
//	...
//	tx, _ := db.BeginTx(ctx, nil)
//	// ... the app's writes on tx ...
//	SendWelcome.EnqueueTx(ctx, tx, Welcome{UserID: id})
//	tx.Commit()
//
// EnqueueTx takes a *sql.Tx on the database holding the effects tables:
// one from New's db, or from another handle on the same file. Open the
// app's handle with a busy timeout (its connections then wait for the
// effects' writes instead of failing with "database is locked"), with
// _txlock=immediate (a transaction that reads before it writes cannot
// then fail when another connection wrote in between), and with more
// than one connection: the backend reads and writes through the same
// pool while the app's transactions hold theirs.
package sqlite
