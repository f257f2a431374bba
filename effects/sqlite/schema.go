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
	// question: which available jobs run next, which leases expired,
	// which jobs died last, which job holds a unique key.
	//
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
	CREATE INDEX gati_effects_running ON gati_effects (queue, lease_until) WHERE state = 'running';
	CREATE INDEX gati_effects_dead ON gati_effects (queue, finished_at) WHERE state = 'dead';
	CREATE INDEX gati_effects_unique ON gati_effects (kind, unique_key) WHERE unique_key IS NOT NULL;
	CREATE TABLE gati_effects_queues (queue TEXT PRIMARY KEY) WITHOUT ROWID;`,
}

// migrate brings the schema to the newest version, in one transaction.
func (b *Backend) migrate(ctx context.Context) error {
	return b.write(ctx, func(tx *sql.Tx) error {
		// A write first, so the transaction holds the write lock before
		// it reads the version (see write).
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS gati_effects_schema (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM gati_effects_schema`).Scan(&version); err != nil {
			return err
		}
		if version > len(migrations) {
			return fmt.Errorf("the effects schema is at version %d, newer than this binary's %d: run a newer gati build", version, len(migrations))
		}
		if version == len(migrations) {
			return nil
		}
		for v := version; v < len(migrations); v++ {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("effects schema migration %d: %w", v+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM gati_effects_schema`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO gati_effects_schema (version) VALUES (?)`, len(migrations))
		return err
	})
}

// columns are the columns scanJob reads, in its order.
const columns = `id, kind, queue, args, priority, state, attempt, max_attempts, run_at, timeout,
	unique_key, unique_until, created_at, finished_at, errors, trace_id, request_id, lease, lease_until`

// The statements of the hot paths, prepared once.
const (
	sqlInsert = `INSERT INTO gati_effects (kind, queue, args, priority, state, attempt, max_attempts, run_at, timeout,
		unique_key, unique_until, created_at, trace_id, request_id) VALUES (?, ?, ?, ?, 'available', 0, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlQueue  = `INSERT OR IGNORE INTO gati_effects_queues (queue) VALUES (?)`
	sqlUnique = `SELECT id, unique_until FROM gati_effects WHERE kind = ? AND unique_key = ? ORDER BY id DESC LIMIT 1`

	// sqlReady asks, without the write lock, whether a fetch has anything
	// to do: an idle queue's polls stay reads.
	sqlReady = `SELECT EXISTS (SELECT 1 FROM gati_effects WHERE state = 'available' AND queue = ?1 AND run_at <= ?2)
		OR EXISTS (SELECT 1 FROM gati_effects WHERE state = 'running' AND queue = ?1 AND lease_until <= ?2)`

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
		WHERE id IN (SELECT id FROM gati_effects WHERE state = 'available' AND queue = ?3 AND run_at <= ?4
			ORDER BY priority, run_at, id LIMIT ?5)
		RETURNING ` + columns

	// sqlComplete applies one outcome if its lease is current.
	sqlComplete = `UPDATE gati_effects SET state = ?1, attempt = attempt - ?2, run_at = coalesce(?3, run_at), finished_at = ?4,
		errors = iif(?5 IS NULL, errors, json_insert(coalesce(errors, '[]'), '$[#]', json(?5))),
		lease = NULL, lease_until = NULL
		WHERE id = ?6 AND state = 'running' AND lease = ?7`

	sqlExtend = `UPDATE gati_effects SET lease_until = ?1 WHERE id = ?2 AND state = 'running' AND lease = ?3`
	sqlGet    = `SELECT ` + columns + ` FROM gati_effects WHERE id = ?`
)

type statements struct {
	insert, queue, unique, expire, fetch, complete, extend *sql.Stmt // on the writer
	ready, get                                             *sql.Stmt // on the readers
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
		expire: prep(b.w, sqlExpire), fetch: prep(b.w, sqlFetch), complete: prep(b.w, sqlComplete),
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
	for _, st := range []*sql.Stmt{s.insert, s.queue, s.unique, s.expire, s.fetch, s.complete, s.extend, s.ready, s.get} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
