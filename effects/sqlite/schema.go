package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations create and change the tables, in order: migration i brings
// the schema from version i to i+1. The version is kept in a table of its
// own (not PRAGMA user_version, which an app's own database may use).
// Append, never edit.
var migrations = []string{
	// 1: the jobs, the queues they name, and indexes for each state's
	// question: which available jobs run next, which scheduled jobs are
	// due, which leases expired, which jobs died last, which job holds a
	// unique key.
	//
	// state is effects.State, except that an available job whose run_at
	// is still to come is 'scheduled' until a fetch finds it due, so that
	// a backlog of delayed effects never lies in the way of the due ones.
	// Times are Unix nanoseconds; errors is a JSON array of
	// effects.AttemptError; lease is the current attempt's token.
	`CREATE TABLE gati_effects (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		kind         TEXT    NOT NULL,
		queue        TEXT    NOT NULL,
		args         TEXT    NOT NULL,
		priority     INTEGER NOT NULL,
		state        TEXT    NOT NULL,
		attempt      INTEGER NOT NULL,
		max_attempts INTEGER NOT NULL,
		run_at       INTEGER NOT NULL,
		timeout      INTEGER NOT NULL,
		unique_key   TEXT,
		unique_until INTEGER,
		created_at   INTEGER NOT NULL,
		finished_at  INTEGER,
		errors       TEXT,
		trace_id     TEXT    NOT NULL,
		request_id   TEXT    NOT NULL,
		lease        INTEGER,
		lease_until  INTEGER
	);
	CREATE INDEX gati_effects_available ON gati_effects (queue, priority, run_at) WHERE state = 'available';
	CREATE INDEX gati_effects_scheduled ON gati_effects (queue, run_at) WHERE state = 'scheduled';
	CREATE INDEX gati_effects_running ON gati_effects (queue, lease_until) WHERE state = 'running';
	CREATE INDEX gati_effects_dead ON gati_effects (queue, finished_at) WHERE state = 'dead';
	CREATE INDEX gati_effects_unique ON gati_effects (kind, unique_key) WHERE unique_key IS NOT NULL;
	CREATE TABLE gati_effects_queues (queue TEXT PRIMARY KEY) WITHOUT ROWID;`,
	// 2: succeeded jobs by when they finished, for the retention sweep.
	`CREATE INDEX gati_effects_succeeded ON gati_effects (finished_at) WHERE state = 'succeeded';`,
}

// migrate brings the schema to the newest version, in one transaction
// that holds the write lock from its start (whatever the handle's
// _txlock), so that two processes opening a new file take turns.
func (b *Backend) migrate(ctx context.Context) (err error) {
	conn, err := b.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS gati_effects_schema (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var version int
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM gati_effects_schema`).Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("the effects schema is at version %d, newer than this binary's %d: run a newer gati build", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		if _, err := conn.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("effects schema migration %d: %w", v+1, err)
		}
	}
	if version < len(migrations) {
		if _, err := conn.ExecContext(ctx, `DELETE FROM gati_effects_schema`); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO gati_effects_schema (version) VALUES (?)`, len(migrations)); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, `COMMIT`)
	return err
}

// columns are the columns scanJob reads, in its order.
const columns = `id, kind, queue, args, priority, state, attempt, max_attempts, run_at, timeout,
	unique_key, unique_until, created_at, finished_at, errors, trace_id, request_id, lease, lease_until`

// The statements of the hot paths, prepared once.
const (
	sqlInsert = `INSERT INTO gati_effects (kind, queue, args, priority, state, attempt, max_attempts, run_at, timeout,
		unique_key, unique_until, created_at, trace_id, request_id)
		VALUES (?1, ?2, ?3, ?4, iif(?6 > ?13, 'scheduled', 'available'), 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`
	sqlQueue  = `INSERT OR IGNORE INTO gati_effects_queues (queue) VALUES (?)`
	sqlUnique = `SELECT id, unique_until FROM gati_effects WHERE kind = ? AND unique_key = ? ORDER BY id DESC LIMIT 1`

	// sqlReady asks, without the write lock, whether a fetch has anything
	// to do: an idle queue's polls stay reads.
	sqlReady = `SELECT EXISTS (SELECT 1 FROM gati_effects WHERE state = 'available' AND queue = ?1)
		OR EXISTS (SELECT 1 FROM gati_effects WHERE state = 'scheduled' AND queue = ?1 AND run_at <= ?2)
		OR EXISTS (SELECT 1 FROM gati_effects WHERE state = 'running' AND queue = ?1 AND lease_until <= ?2)`

	// sqlPromote makes a queue's due scheduled jobs available, the
	// earliest first, a bounded number at a time.
	sqlPromote = `UPDATE gati_effects SET state = 'available'
		WHERE id IN (SELECT id FROM gati_effects WHERE state = 'scheduled' AND queue = ?1 AND run_at <= ?2
			ORDER BY run_at LIMIT 1000)`

	// sqlExpire ends the attempts of a queue whose leases passed.
	sqlExpire = `UPDATE gati_effects SET
		errors = json_insert(coalesce(errors, '[]'), '$[#]', json_object('attempt', attempt, 'at', ?3, 'reason', 'lease_expired',
			'error', 'the attempt''s lease expired: its worker stopped or stalled')),
		lease = NULL, lease_until = NULL,
		state = iif(attempt >= max_attempts, 'dead', 'available'),
		finished_at = iif(attempt >= max_attempts, ?2, NULL),
		run_at = iif(attempt >= max_attempts, run_at, ?2)
		WHERE state = 'running' AND queue = ?1 AND lease_until <= ?2`

	// sqlFetch leases the first available jobs of a queue in one
	// statement: the subquery walks gati_effects_available in order.
	sqlFetch = `UPDATE gati_effects SET state = 'running', attempt = attempt + 1, lease = ?1, lease_until = ?2
		WHERE id IN (SELECT id FROM gati_effects WHERE state = 'available' AND queue = ?3
			ORDER BY priority, run_at, id LIMIT ?4)
		RETURNING ` + columns

	// sqlComplete applies one outcome if its lease is current.
	sqlComplete = `UPDATE gati_effects SET state = iif(?1 = 'available' AND ?3 > ?8, 'scheduled', ?1),
		attempt = attempt - ?2, run_at = coalesce(?3, run_at), finished_at = ?4,
		errors = iif(?5 IS NULL, errors, json_insert(coalesce(errors, '[]'), '$[#]', json(?5))),
		lease = NULL, lease_until = NULL
		WHERE id = ?6 AND state = 'running' AND lease = ?7`

	sqlExtend = `UPDATE gati_effects SET lease_until = ?1 WHERE id = ?2 AND state = 'running' AND lease = ?3`
	sqlGet    = `SELECT ` + columns + ` FROM gati_effects WHERE id = ?`
)

type statements struct {
	insert, queue, unique, expire, promote, fetch, complete, extend *sql.Stmt // on the writer
	ready, get                                                      *sql.Stmt // on the readers
}

func (b *Backend) prepare(ctx context.Context) error {
	var errs []error
	prep := func(db *sql.DB, q string) *sql.Stmt {
		s, err := db.PrepareContext(ctx, q)
		errs = append(errs, err)
		return s
	}
	b.st = statements{
		insert: prep(b.w, sqlInsert), queue: prep(b.w, sqlQueue), unique: prep(b.w, sqlUnique),
		expire: prep(b.w, sqlExpire), promote: prep(b.w, sqlPromote), fetch: prep(b.w, sqlFetch), complete: prep(b.w, sqlComplete),
		extend: prep(b.w, sqlExtend), ready: prep(b.r, sqlReady), get: prep(b.r, sqlGet),
	}
	if err := errors.Join(errs...); err != nil {
		b.st.close()
		return err
	}
	return nil
}

func (s *statements) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.insert, s.queue, s.unique, s.expire, s.promote, s.fetch, s.complete, s.extend, s.ready, s.get} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
