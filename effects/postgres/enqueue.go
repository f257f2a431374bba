package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"gati.dev/gati/effects"
)

// querier runs a query on a pool or in a transaction, pgx's or
// database/sql's, calling each for every row.
type querier interface {
	query(ctx context.Context, sql string, args []any, each func(scan func(dest ...any) error) error) error
}

type pgxQuerier struct {
	q interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

func (p pgxQuerier) query(ctx context.Context, sql string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := p.q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

type sqlQuerier struct{ tx *sql.Tx }

func (s sqlQuerier) query(ctx context.Context, sql string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := s.tx.QueryContext(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

// eachRow calls each for every row of pgx's or database/sql's rows.
func eachRow(rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}, each func(scan func(dest ...any) error) error) error {
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

const insertColumns = `kind, queue, args, priority, max_attempts, run_at, timeout,
	unique_key, unique_slot, unique_until, created_at, trace_id, request_id`

// insertOneSQL inserts one job without a unique key (rowPlain's values).
const insertOneSQL = `INSERT INTO gati_effects (` + insertColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, nullif($7::bigint, 0) * interval '1 microsecond',
	NULL, NULL, NULL, $8, nullif($9, ''), nullif($10, ''))
RETURNING id`

// insertOneUniqueSQL inserts one job with a unique key (row's values),
// unless the key is taken: then it returns no row.
const insertOneUniqueSQL = `INSERT INTO gati_effects (` + insertColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, nullif($7::bigint, 0) * interval '1 microsecond',
	$8, $8, $9, $10, nullif($11, ''), nullif($12, ''))
ON CONFLICT (kind, unique_slot) WHERE unique_slot IS NOT NULL DO NOTHING
RETURNING id`

// insertManySQL inserts a batch from one array per column, returning
// each job's id and whether it was inserted, in the batch's order (the
// ids are drawn before the insert, so the order does not rest on
// RETURNING's). %s is the conflict clause.
const insertManySQL = `
WITH input AS MATERIALIZED (
	SELECT nextval('gati_effects_id_seq') AS id, i.*
	FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::smallint[], $5::integer[], $6::timestamptz[], $7::bigint[],
		$8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[]) WITH ORDINALITY
		AS i(kind, queue, args, priority, max_attempts, run_at, timeout_us,
			unique_key, unique_until, created_at, trace_id, request_id, ord)
), inserted AS (
	INSERT INTO gati_effects (id, ` + insertColumns + `)
	SELECT id, kind, queue, args, priority, max_attempts, run_at, nullif(timeout_us, 0) * interval '1 microsecond',
		nullif(unique_key, ''), nullif(unique_key, ''), CASE WHEN unique_key <> '' THEN unique_until END,
		created_at, nullif(trace_id, ''), nullif(request_id, '')
	FROM input ORDER BY ord
	ON CONFLICT (kind, unique_slot) WHERE unique_slot IS NOT NULL DO NOTHING
	RETURNING id
)
SELECT input.id, inserted.id IS NOT NULL FROM input LEFT JOIN inserted USING (id) ORDER BY ord`

// insertManyPlainSQL is insertManySQL for a batch without unique keys.
const insertManyPlainSQL = `
WITH input AS MATERIALIZED (
	SELECT nextval('gati_effects_id_seq') AS id, i.*
	FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::smallint[], $5::integer[], $6::timestamptz[], $7::bigint[],
		$8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[]) WITH ORDINALITY
		AS i(kind, queue, args, priority, max_attempts, run_at, timeout_us,
			unique_key, unique_until, created_at, trace_id, request_id, ord)
), inserted AS (
	INSERT INTO gati_effects (id, ` + insertColumns + `)
	SELECT id, kind, queue, args, priority, max_attempts, run_at, nullif(timeout_us, 0) * interval '1 microsecond',
		NULL, NULL, NULL, created_at, nullif(trace_id, ''), nullif(request_id, '')
	FROM input ORDER BY ord
)
SELECT id, true FROM input ORDER BY ord`

// resolveSQL finds the jobs holding unique keys that an insert found
// taken, freeing those whose window has passed (the select sees them as
// they were, flagged not live) so that the next insert takes the key.
const resolveSQL = `
WITH keys AS (
	SELECT DISTINCT kind, key FROM unnest($1::text[], $2::text[]) AS k(kind, key)
), released AS (
	UPDATE gati_effects e SET unique_slot = NULL
	FROM keys WHERE e.kind = keys.kind AND e.unique_slot = keys.key AND e.unique_until <= now()
)
SELECT e.kind, e.unique_slot, e.id, e.unique_until > now()
FROM gati_effects e JOIN keys ON e.kind = keys.kind AND e.unique_slot = keys.key`

// columns holds a batch as one array per column.
type columns struct {
	kind, queue                   []string
	args                          [][]byte
	priority                      []int16
	maxAttempts                   []int32
	runAt, uniqueUntil, createdAt []time.Time
	timeoutUS                     []int64
	uniqueKey, traceID, requestID []string
}

func (c *columns) add(j *effects.Job) {
	args := []byte(j.Args)
	if len(args) == 0 {
		args = []byte("null")
	}
	created := j.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	c.kind, c.queue, c.args = append(c.kind, j.Kind), append(c.queue, j.Queue), append(c.args, args)
	c.priority, c.maxAttempts = append(c.priority, int16(j.Priority)), append(c.maxAttempts, int32(max(j.MaxAttempts, 1)))
	c.runAt, c.timeoutUS = append(c.runAt, j.RunAt), append(c.timeoutUS, j.Timeout.Microseconds())
	c.uniqueKey, c.uniqueUntil = append(c.uniqueKey, j.UniqueKey), append(c.uniqueUntil, j.UniqueUntil)
	c.createdAt, c.traceID, c.requestID = append(c.createdAt, created), append(c.traceID, j.TraceID), append(c.requestID, j.RequestID)
}

func (c *columns) row(i int) []any {
	return []any{c.kind[i], c.queue[i], c.args[i], c.priority[i], c.maxAttempts[i], c.runAt[i], c.timeoutUS[i],
		c.uniqueKey[i], c.uniqueUntil[i], c.createdAt[i], c.traceID[i], c.requestID[i]}
}

func (c *columns) rowPlain(i int) []any {
	return []any{c.kind[i], c.queue[i], c.args[i], c.priority[i], c.maxAttempts[i], c.runAt[i], c.timeoutUS[i],
		c.createdAt[i], c.traceID[i], c.requestID[i]}
}

func (c *columns) arrays() []any {
	return []any{c.kind, c.queue, c.args, c.priority, c.maxAttempts, c.runAt, c.timeoutUS,
		c.uniqueKey, c.uniqueUntil, c.createdAt, c.traceID, c.requestID}
}

func (c *columns) subset(idx []int) *columns {
	s := &columns{}
	for _, i := range idx {
		s.kind, s.queue, s.args = append(s.kind, c.kind[i]), append(s.queue, c.queue[i]), append(s.args, c.args[i])
		s.priority, s.maxAttempts = append(s.priority, c.priority[i]), append(s.maxAttempts, c.maxAttempts[i])
		s.runAt, s.timeoutUS = append(s.runAt, c.runAt[i]), append(s.timeoutUS, c.timeoutUS[i])
		s.uniqueKey, s.uniqueUntil = append(s.uniqueKey, c.uniqueKey[i]), append(s.uniqueUntil, c.uniqueUntil[i])
		s.createdAt, s.traceID, s.requestID = append(s.createdAt, c.createdAt[i]), append(s.traceID, c.traceID[i]), append(s.requestID, c.requestID[i])
	}
	return s
}

// enqueue inserts jobs through q. Without unique keys it is one
// statement, or a COPY for batches of copyMin jobs or more on pgx. With
// them, an insert skips taken keys, a second statement finds their
// holders (and frees the expired), and the insert is tried again for
// keys that were freed. inTx says q is a transaction already; otherwise
// a batch with unique keys gets one, so that it is written whole or not
// at all.
func enqueue(ctx context.Context, q querier, jobs []*effects.Job, inTx bool) ([]effects.Inserted, error) {
	if len(jobs) == 0 {
		return []effects.Inserted{}, nil
	}
	c := &columns{}
	unique := false
	for _, j := range jobs {
		c.add(j)
		unique = unique || j.UniqueKey != ""
	}
	out := make([]effects.Inserted, len(jobs))
	if pq, ok := q.(pgxQuerier); ok && !unique && len(jobs) >= copyMin {
		if cp, ok := pq.q.(copier); ok {
			return copyInsert(ctx, cp, c)
		}
	}
	if !unique {
		i := 0
		sql, args := insertManyPlainSQL, c.arrays()
		if len(jobs) == 1 {
			sql, args = insertOneSQL, c.rowPlain(0)
		}
		err := q.query(ctx, sql, args, func(scan func(...any) error) error {
			var id int64
			var ok bool
			if len(jobs) == 1 {
				if err := scan(&id); err != nil {
					return err
				}
			} else if err := scan(&id, &ok); err != nil {
				return err
			}
			if i < len(out) {
				out[i] = effects.Inserted{ID: strconv.FormatInt(id, 10)}
			}
			i++
			return nil
		})
		if err == nil && i != len(jobs) {
			err = errors.New("the insert returned a wrong number of ids")
		}
		return out, err
	}
	if pq, ok := q.(pgxQuerier); ok && !inTx && len(jobs) > 1 {
		if pool, ok := pq.q.(*pgxpool.Pool); ok {
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				var err error
				out, err = enqueueUnique(ctx, pgxQuerier{tx}, c)
				return err
			})
			return out, err
		}
	}
	return enqueueUnique(ctx, q, c)
}

// enqueueUnique inserts a batch with unique keys.
func enqueueUnique(ctx context.Context, q querier, c *columns) ([]effects.Inserted, error) {
	out := make([]effects.Inserted, len(c.kind))
	pending := make([]int, len(c.kind))
	for i := range pending {
		pending[i] = i
	}
	for round := 0; round < 5 && len(pending) > 0; round++ {
		var conflicted []int
		if len(pending) == 1 {
			i := pending[0]
			var id int64
			n := 0
			err := q.query(ctx, insertOneUniqueSQL, c.row(i), func(scan func(...any) error) error { n++; return scan(&id) })
			if err != nil {
				return nil, err
			}
			if n == 1 {
				out[i] = effects.Inserted{ID: strconv.FormatInt(id, 10)}
			} else {
				conflicted = pending
			}
		} else {
			k := 0
			err := q.query(ctx, insertManySQL, c.subset(pending).arrays(), func(scan func(...any) error) error {
				var id int64
				var inserted bool
				if err := scan(&id, &inserted); err != nil {
					return err
				}
				if k < len(pending) {
					if inserted {
						out[pending[k]] = effects.Inserted{ID: strconv.FormatInt(id, 10)}
					} else {
						conflicted = append(conflicted, pending[k])
					}
				}
				k++
				return nil
			})
			if err != nil {
				return nil, err
			}
			if k != len(pending) {
				return nil, errors.New("the insert returned a wrong number of ids")
			}
		}
		if len(conflicted) == 0 {
			return out, nil
		}
		kinds, keys := make([]string, len(conflicted)), make([]string, len(conflicted))
		for n, i := range conflicted {
			kinds[n], keys[n] = c.kind[i], c.uniqueKey[i]
		}
		type holder struct {
			id   int64
			live bool
		}
		holders := map[[2]string]holder{}
		err := q.query(ctx, resolveSQL, []any{kinds, keys}, func(scan func(...any) error) error {
			var kind, key string
			var h holder
			if err := scan(&kind, &key, &h.id, &h.live); err != nil {
				return err
			}
			holders[[2]string{kind, key}] = h
			return nil
		})
		if err != nil {
			return nil, err
		}
		pending = nil
		for _, i := range conflicted {
			if h, ok := holders[[2]string{c.kind[i], c.uniqueKey[i]}]; ok && h.live {
				out[i] = effects.Inserted{ID: strconv.FormatInt(h.id, 10), Duplicate: true}
			} else {
				pending = append(pending, i) // the key was freed: insert again
			}
		}
	}
	if len(pending) > 0 {
		return nil, errors.New("unique keys kept changing hands under concurrent enqueues; try again")
	}
	return out, nil
}

// copyMin is the smallest batch that COPY inserts: from about this size,
// COPY's extra round trips (drawing the ids, describing the table) cost
// less than it saves on encoding and unnesting arrays.
const copyMin = 64

// copier is a pgx pool or transaction.
type copier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
}

// copyInsert inserts a batch without unique keys with COPY, its ids drawn
// first so that Enqueue can return them. COPY writes all rows or none.
func copyInsert(ctx context.Context, cp copier, c *columns) ([]effects.Inserted, error) {
	n := len(c.kind)
	rows, err := cp.Query(ctx, `SELECT nextval('gati_effects_id_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, errors.New("drew a wrong number of ids")
	}
	src := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		var timeout, trace, request any
		if us := c.timeoutUS[i]; us != 0 {
			timeout = pgtype.Interval{Microseconds: us, Valid: true}
		}
		if c.traceID[i] != "" {
			trace = c.traceID[i]
		}
		if c.requestID[i] != "" {
			request = c.requestID[i]
		}
		return []any{ids[i], c.kind[i], c.queue[i], c.args[i], c.priority[i], c.maxAttempts[i], c.runAt[i],
			timeout, c.createdAt[i], trace, request}, nil
	})
	if _, err := cp.CopyFrom(ctx, pgx.Identifier{"gati_effects"}, []string{"id", "kind", "queue", "args", "priority",
		"max_attempts", "run_at", "timeout", "created_at", "trace_id", "request_id"}, src); err != nil {
		return nil, err
	}
	out := make([]effects.Inserted, n)
	for i, id := range ids {
		out[i] = effects.Inserted{ID: strconv.FormatInt(id, 10)}
	}
	return out, nil
}
