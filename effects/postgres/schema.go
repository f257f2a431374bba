package postgres

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's versions, applied in order, each once:
// version i+1 is migrations[i]. Append only; never edit one that shipped.
var migrations = []string{
	// 1: the effects table and the indexes of its queries.
	`CREATE TABLE gati_effects (
		id           bigserial   PRIMARY KEY,
		kind         text        NOT NULL,
		queue        text        NOT NULL,
		args         jsonb       NOT NULL,
		priority     smallint    NOT NULL,
		state        text        NOT NULL DEFAULT 'available'
		             CHECK (state IN ('available', 'running', 'succeeded', 'dead')),
		attempt      integer     NOT NULL DEFAULT 0,
		max_attempts integer     NOT NULL,
		run_at       timestamptz NOT NULL,
		timeout      interval,
		unique_key   text,
		-- unique_slot is unique_key while the key's window holds it: a later
		-- enqueue of the key clears it once unique_until has passed.
		unique_slot  text,
		unique_until timestamptz,
		created_at   timestamptz NOT NULL DEFAULT now(),
		finished_at  timestamptz,
		errors       jsonb,
		trace_id     text,
		request_id   text,
		-- lease counts the attempt's leases: the current attempt's identity.
		lease        integer     NOT NULL DEFAULT 0,
		lease_until  timestamptz
	);
	CREATE INDEX gati_effects_fetch ON gati_effects (queue, priority, run_at, id) WHERE state = 'available';
	CREATE INDEX gati_effects_leases ON gati_effects (queue, lease_until) WHERE state = 'running';
	CREATE INDEX gati_effects_dead ON gati_effects (finished_at DESC, id DESC) WHERE state = 'dead';
	CREATE INDEX gati_effects_succeeded ON gati_effects (finished_at) WHERE state = 'succeeded';
	CREATE UNIQUE INDEX gati_effects_unique ON gati_effects (kind, unique_slot) WHERE unique_slot IS NOT NULL;`,
}

// migrateLock is the advisory lock key under which instances migrate,
// one at a time.
const migrateLock int64 = 0x6761_7469_6678_0001 // "gatifx" 1

// SchemaVersion is the schema version this package migrates to.
func SchemaVersion() int { return len(migrations) }

// migrate brings the schema up to date, in one transaction under an
// advisory lock, so instances starting together migrate once.
func migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS gati_effects_schema (
			version    integer     PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM gati_effects_schema`).Scan(&have); err != nil {
			return err
		}
		if have > len(migrations) {
			log.Warn("effects: the postgres schema is newer than this binary knows; an instance of a newer version migrated it",
				"schema_version", have, "known_version", len(migrations))
			return nil
		}
		for v := have + 1; v <= len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("schema migration %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO gati_effects_schema (version) VALUES ($1)`, v); err != nil {
				return err
			}
		}
		return nil
	})
}
