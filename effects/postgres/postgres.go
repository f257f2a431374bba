package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"gati.dev/gati/effects"
)

func init() { effects.Register("postgres", open) }

// Backend stores effects in PostgreSQL. It is safe for concurrent use,
// and any number of instances, in one process or many, can share a
// database: fetches lease with FOR UPDATE SKIP LOCKED.
type Backend struct {
	pool     *pgxpool.Pool
	ownsPool bool
	log      *slog.Logger
	retain   time.Duration

	notify notifier

	closeOnce sync.Once
	ctx       context.Context // canceled by Close: stops the goroutines
	cancel    context.CancelFunc
	cleaner   sync.WaitGroup // the goroutines
}

var _ effects.TxBackend = (*Backend)(nil)

// Option adjusts New.
type Option func(*Backend)

// Retention sets how long succeeded effects stay in the table (default
// 24h) before a background sweep deletes them; zero or negative keeps
// them. Dead effects stay until they are retried or discarded.
func Retention(d time.Duration) Option { return func(b *Backend) { b.retain = d } }

// Logger sets where the backend logs (default slog.Default()).
func Logger(l *slog.Logger) Option { return func(b *Backend) { b.log = l } }

// DefaultRetention is how long succeeded effects are kept by default.
const DefaultRetention = 24 * time.Hour

// New returns a backend on the app's pool, creating or migrating the
// schema first. Close leaves the pool open: it is the app's.
func New(pool *pgxpool.Pool, opts ...Option) (*Backend, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return newBackend(ctx, pool, false, opts)
}

func newBackend(ctx context.Context, pool *pgxpool.Pool, owns bool, opts []Option) (*Backend, error) {
	if pool == nil {
		return nil, errors.New("effects/postgres: nil pool")
	}
	b := &Backend{pool: pool, ownsPool: owns, log: slog.Default(), retain: DefaultRetention}
	for _, o := range opts {
		o(b)
	}
	if err := migrate(ctx, pool, b.log); err != nil {
		return nil, fmt.Errorf("effects/postgres: %s: create the schema: %w", where(pool.Config().ConnConfig.Host, pool.Config().ConnConfig.Port, pool.Config().ConnConfig.Database), err)
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.notify.signal = make(chan struct{}, 1)
	b.cleaner.Add(1)
	go b.sendLoop()
	if b.retain > 0 {
		b.cleaner.Add(1)
		go b.sweep()
	}
	return b, nil
}

// open is the "postgres" driver: cfg.DSN is a PostgreSQL URL or keyword/value string.
func open(ctx context.Context, cfg effects.OpenConfig) (effects.Backend, error) {
	if cfg.DSN == "" {
		return nil, errors.New("modules.effects.dsn is empty: set it to a PostgreSQL URL such as postgres://user:password@localhost:5432/app")
	}
	pc, err := pgxpool.ParseConfig(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("modules.effects.dsn: %w", err)
	}
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	at := where(pc.ConnConfig.Host, pc.ConnConfig.Port, pc.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot connect to PostgreSQL at %s: %w", at, err)
	}
	b, err := newBackend(ctx, pool, true, []Option{Logger(cfg.Logger)})
	if err != nil {
		pool.Close()
		return nil, err
	}
	return b, nil
}

func where(host string, port uint16, db string) string {
	if len(host) > 0 && host[0] == '/' {
		return fmt.Sprintf("%s/.s.PGSQL.%d (database %s)", host, port, db)
	}
	return fmt.Sprintf("%s (database %s)", net.JoinHostPort(host, strconv.Itoa(int(port))), db)
}

// Pool returns the backend's connection pool.
func (b *Backend) Pool() *pgxpool.Pool { return b.pool }

// Name returns "postgres".
func (b *Backend) Name() string { return "postgres" }

// Capabilities: priorities, unique keys, transactional enqueue, exact attempts.
func (b *Backend) Capabilities() effects.Capabilities {
	return effects.Capabilities{Priority: true, Unique: true, Transactions: true, ExactAttempts: true, Lookup: true}
}

// Ping checks the database answers (the effects module's health check).
func (b *Backend) Ping(ctx context.Context) error { return b.pool.Ping(ctx) }

// Close stops the retention sweep and, when the backend opened the pool
// itself (the "postgres" driver), closes it.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		b.cancel()
		b.cleaner.Wait()
		if b.ownsPool {
			b.pool.Close()
		}
	})
	return nil
}

// sweep deletes succeeded effects older than the retention, every few
// minutes, in bounded batches that concurrent instances share.
func (b *Backend) sweep() {
	defer b.cleaner.Done()
	every := min(max(b.retain/10, time.Second), 5*time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		for range 100 {
			tag, err := b.pool.Exec(ctx, `DELETE FROM gati_effects WHERE id IN (
				SELECT id FROM gati_effects WHERE state = 'succeeded' AND finished_at < now() - $1::interval
				LIMIT 5000 FOR UPDATE SKIP LOCKED)`, interval(b.retain))
			if err != nil {
				b.log.Warn("effects: deleting succeeded effects past their retention failed", "backend", "postgres", "err", err)
				break
			}
			if tag.RowsAffected() < 5000 {
				break
			}
		}
		cancel()
	}
}

func interval(d time.Duration) pgtype.Interval {
	return pgtype.Interval{Microseconds: d.Microseconds(), Valid: true}
}

// jobColumns are the columns scanJob reads, in order.
const jobColumns = `id, kind, queue, args, priority, state, attempt, max_attempts, run_at, timeout,
	unique_key, unique_until, created_at, finished_at, errors, trace_id, request_id, lease, lease_until`

func scanJob(row pgx.Row) (*effects.Job, error) {
	var (
		j                                  effects.Job
		id                                 int64
		state                              string
		timeout                            pgtype.Interval
		uniqueKey, traceID, requestID      *string
		uniqueUntil, finishedAt, leaseTill *time.Time
		errs                               []byte
		lease                              int64
	)
	if err := row.Scan(&id, &j.Kind, &j.Queue, &j.Args, &j.Priority, &state, &j.Attempt, &j.MaxAttempts, &j.RunAt, &timeout,
		&uniqueKey, &uniqueUntil, &j.CreatedAt, &finishedAt, &errs, &traceID, &requestID, &lease, &leaseTill); err != nil {
		return nil, err
	}
	j.ID, j.State = strconv.FormatInt(id, 10), effects.State(state)
	if timeout.Valid {
		j.Timeout = time.Duration(timeout.Microseconds)*time.Microsecond +
			time.Duration(timeout.Days)*24*time.Hour + time.Duration(timeout.Months)*30*24*time.Hour
	}
	j.UniqueKey, j.TraceID, j.RequestID = deref(uniqueKey), deref(traceID), deref(requestID)
	j.UniqueUntil, j.FinishedAt = derefTime(uniqueUntil), derefTime(finishedAt)
	if len(errs) > 0 {
		if err := json.Unmarshal(errs, &j.Errors); err != nil {
			return nil, fmt.Errorf("effect %d: its errors column: %w", id, err)
		}
	}
	if j.State == effects.StateRunning {
		j.Lease, j.LeaseUntil = strconv.FormatInt(lease, 10), derefTime(leaseTill)
	}
	return &j, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// byID returns xs sorted by their numeric ids, so that concurrent batch
// updates (outcomes, heartbeats) lock rows in one order and do not
// deadlock.
func byID[T any](xs []T, id func(T) string) []T {
	sorted := slices.Clone(xs)
	slices.SortFunc(sorted, func(a, b T) int {
		x, _ := parseID(id(a))
		y, _ := parseID(id(b))
		return cmp.Compare(x, y)
	})
	return sorted
}

// parseID turns a job id into the table's key; ok is false for ids no
// job of this backend can have.
func parseID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0
}

// fetchSQL leases up to $2 jobs of queue $1 for $3 in one statement.
// Running jobs whose lease expired are taken first (locked, skipping
// those another fetch holds): each gets a lease_expired error, and is
// dead when that was its last attempt, else available again. Then the
// first available jobs by priority and run_at, again skipping locked
// rows, so concurrent fetches of many instances never lease a job twice.
const fetchSQL = `
WITH expired AS MATERIALIZED (
	SELECT id, priority, attempt >= max_attempts AS last
	FROM gati_effects
	WHERE queue = $1 AND state = 'running' AND lease_until <= now()
	ORDER BY lease_until
	LIMIT $2
	FOR UPDATE SKIP LOCKED
), ready AS MATERIALIZED (
	SELECT id, priority, run_at
	FROM gati_effects
	WHERE queue = $1 AND state = 'available' AND run_at <= now()
	ORDER BY priority, run_at, id
	LIMIT $2
	FOR UPDATE SKIP LOCKED
), chosen AS MATERIALIZED (
	SELECT id FROM (
		SELECT id, priority, now() AS run_at FROM expired WHERE NOT last
		UNION ALL
		SELECT id, priority, run_at FROM ready
	) c
	ORDER BY priority, run_at, id
	LIMIT $2
), touched AS (
	SELECT id, true AS leased FROM chosen
	UNION ALL
	SELECT id, false FROM expired WHERE id NOT IN (SELECT id FROM chosen)
), updated AS (
	UPDATE gati_effects j SET
		state = CASE WHEN t.leased THEN 'running' WHEN j.attempt >= j.max_attempts THEN 'dead' ELSE 'available' END,
		attempt = j.attempt + t.leased::int,
		lease = j.lease + t.leased::int,
		lease_until = CASE WHEN t.leased THEN now() + $3::interval END,
		run_at = CASE WHEN j.state = 'running' THEN now() ELSE j.run_at END,
		finished_at = CASE WHEN NOT t.leased AND j.attempt >= j.max_attempts THEN now() END,
		errors = CASE WHEN j.state = 'running' THEN coalesce(j.errors, '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
			'attempt', j.attempt, 'at', now(), 'reason', 'lease_expired',
			'error', 'the attempt''s lease expired: its worker stopped or stalled')) ELSE j.errors END
	FROM touched t
	WHERE j.id = t.id
	RETURNING t.leased, j.id, j.kind, j.queue, j.args, j.priority, j.state, j.attempt, j.max_attempts, j.run_at, j.timeout,
		j.unique_key, j.unique_until, j.created_at, j.finished_at, j.errors, j.trace_id, j.request_id, j.lease, j.lease_until
)
SELECT ` + jobColumns + ` FROM updated WHERE leased ORDER BY priority, run_at, id`

// Fetch leases up to limit available jobs of queue.
func (b *Backend) Fetch(ctx context.Context, queue string, limit int, lease time.Duration) ([]*effects.Job, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := b.pool.Query(ctx, fetchSQL, queue, limit, interval(lease))
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: fetch: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*effects.Job, error) { return scanJob(r) })
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: fetch: %w", err)
	}
	return jobs, nil
}

// completeSQL applies outcomes whose lease is current; the rest match no
// row. Results: 1 succeeded, 2 retry, 3 dead, 4 snooze, 5 release.
const completeSQL = `
UPDATE gati_effects j SET
	state = CASE o.result WHEN 1 THEN 'succeeded' WHEN 3 THEN 'dead' ELSE 'available' END,
	attempt = CASE WHEN o.result IN (4, 5) THEN j.attempt - 1 ELSE j.attempt END,
	run_at = CASE o.result WHEN 2 THEN o.run_at WHEN 4 THEN o.run_at WHEN 5 THEN now() ELSE j.run_at END,
	finished_at = CASE WHEN o.result IN (1, 3) THEN now() END,
	lease_until = NULL,
	errors = CASE WHEN o.err IS NULL THEN j.errors ELSE coalesce(j.errors, '[]'::jsonb) || jsonb_build_array(o.err) END
FROM unnest($1::bigint[], $2::integer[], $3::smallint[], $4::timestamptz[], $5::jsonb[]) AS o(id, lease, result, run_at, err)
WHERE j.id = o.id AND j.state = 'running' AND j.lease = o.lease`

// completeSucceededSQL is completeSQL for a batch of successes only: the
// common case, with less to send.
const completeSucceededSQL = `
UPDATE gati_effects j SET state = 'succeeded', finished_at = now(), lease_until = NULL
FROM unnest($1::bigint[], $2::integer[]) AS o(id, lease)
WHERE j.id = o.id AND j.state = 'running' AND j.lease = o.lease`

// Complete applies the outcomes with current leases, in one statement.
func (b *Backend) Complete(ctx context.Context, outcomes []effects.Outcome) error {
	n := len(outcomes)
	ids, leases := make([]int64, 0, n), make([]int32, 0, n)
	results, runAt, errs := make([]int16, 0, n), make([]time.Time, 0, n), make([][]byte, 0, n)
	allSucceeded := true
	for _, o := range byID(outcomes, func(o effects.Outcome) string { return o.ID }) {
		id, ok := parseID(o.ID)
		lease, err := strconv.ParseInt(o.Lease, 10, 32)
		if !ok || err != nil {
			continue // not a lease of this backend's
		}
		var e []byte
		if o.Error != nil {
			if e, err = json.Marshal(o.Error); err != nil {
				return err
			}
		}
		ids, leases = append(ids, id), append(leases, int32(lease))
		results, runAt, errs = append(results, int16(o.Result)), append(runAt, o.RunAt), append(errs, e)
		allSucceeded = allSucceeded && o.Result == effects.ResultSucceeded
	}
	if len(ids) == 0 {
		return nil
	}
	var err error
	if allSucceeded {
		_, err = b.pool.Exec(ctx, completeSucceededSQL, ids, leases)
	} else {
		_, err = b.pool.Exec(ctx, completeSQL, ids, leases, results, runAt, errs)
	}
	if err != nil {
		return fmt.Errorf("effects/postgres: complete %d outcomes: %w", len(ids), err)
	}
	return nil
}

// Extend pushes current leases forward.
func (b *Backend) Extend(ctx context.Context, leases []effects.Leased, lease time.Duration) error {
	ids := make([]int64, 0, len(leases))
	ls := make([]int32, 0, len(leases))
	for _, l := range byID(leases, func(l effects.Leased) string { return l.ID }) {
		id, ok := parseID(l.ID)
		n, err := strconv.ParseInt(l.Lease, 10, 32)
		if ok && err == nil {
			ids, ls = append(ids, id), append(ls, int32(n))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := b.pool.Exec(ctx, `UPDATE gati_effects j SET lease_until = now() + $3::interval
		FROM unnest($1::bigint[], $2::integer[]) AS o(id, lease)
		WHERE j.id = o.id AND j.state = 'running' AND j.lease = o.lease`, ids, ls, interval(lease))
	if err != nil {
		return fmt.Errorf("effects/postgres: extend %d leases: %w", len(ids), err)
	}
	return nil
}

// Get returns one job in any state.
func (b *Backend) Get(ctx context.Context, id string) (*effects.Job, error) {
	n, ok := parseID(id)
	if !ok {
		return nil, effects.ErrNotFound
	}
	j, err := scanJob(b.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM gati_effects WHERE id = $1`, n))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, effects.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: get %s: %w", id, err)
	}
	return j, nil
}

// Dead lists dead jobs, newest first.
func (b *Backend) Dead(ctx context.Context, q effects.DeadQuery) ([]*effects.Job, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var before *int64
	if n, ok := parseID(q.Before); ok {
		before = &n
	}
	rows, err := b.pool.Query(ctx, `SELECT `+jobColumns+` FROM gati_effects
		WHERE state = 'dead' AND ($1 = '' OR kind = $1) AND ($2 = '' OR queue = $2)
		AND ($3::bigint IS NULL OR NOT EXISTS (SELECT FROM gati_effects WHERE id = $3)
			OR (finished_at, id) < (SELECT finished_at, id FROM gati_effects WHERE id = $3))
		ORDER BY finished_at DESC, id DESC
		LIMIT $4`, q.Kind, q.Queue, before, limit)
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: list dead effects: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*effects.Job, error) { return scanJob(r) })
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: list dead effects: %w", err)
	}
	return jobs, nil
}

// RetryDead makes a dead job available now, its attempts reset.
func (b *Backend) RetryDead(ctx context.Context, id string) error {
	return b.deadOnly(ctx, id, `UPDATE gati_effects SET state = 'available', attempt = 0, run_at = now(), finished_at = NULL
		WHERE id = $1 AND state = 'dead'`)
}

// DiscardDead deletes a dead job.
func (b *Backend) DiscardDead(ctx context.Context, id string) error {
	return b.deadOnly(ctx, id, `DELETE FROM gati_effects WHERE id = $1 AND state = 'dead'`)
}

func (b *Backend) deadOnly(ctx context.Context, id, sql string) error {
	n, ok := parseID(id)
	if !ok {
		return effects.ErrNotFound
	}
	tag, err := b.pool.Exec(ctx, sql, n)
	if err != nil {
		return fmt.Errorf("effects/postgres: %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return effects.ErrNotFound
	}
	return nil
}

// Stats counts the jobs of every queue that has unfinished or dead ones
// (a queue whose jobs all succeeded is not listed). Each state is read
// through its partial index.
func (b *Backend) Stats(ctx context.Context) ([]effects.QueueStats, error) {
	rows, err := b.pool.Query(ctx, `SELECT queue,
			count(*) FILTER (WHERE state = 'available' AND run_at <= now() OR state = 'running' AND lease_until <= now()),
			count(*) FILTER (WHERE state = 'available' AND run_at > now()),
			count(*) FILTER (WHERE state = 'running' AND lease_until > now()),
			count(*) FILTER (WHERE state = 'dead')
		FROM (
			SELECT queue, state, run_at, NULL::timestamptz AS lease_until FROM gati_effects WHERE state = 'available'
			UNION ALL
			SELECT queue, state, NULL, lease_until FROM gati_effects WHERE state = 'running'
			UNION ALL
			SELECT queue, state, NULL, NULL FROM gati_effects WHERE state = 'dead'
		) s
		GROUP BY queue ORDER BY queue`)
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: stats: %w", err)
	}
	var s effects.QueueStats
	stats, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (effects.QueueStats, error) {
		err := r.Scan(&s.Queue, &s.Available, &s.Scheduled, &s.Running, &s.Dead)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: stats: %w", err)
	}
	return stats, nil
}

// Enqueue writes the jobs, all or none.
func (b *Backend) Enqueue(ctx context.Context, jobs []*effects.Job) ([]effects.Inserted, error) {
	ins, err := enqueue(ctx, pgxQuerier{b.pool}, jobs, false)
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: enqueue: %w", err)
	}
	b.due(dueQueues(jobs, ins))
	return ins, nil
}

// EnqueueTx writes the jobs inside the app's transaction: they exist,
// and run, exactly when it commits. tx is a pgx.Tx (from a pgx.Conn or a
// pgxpool.Pool) or a *sql.Tx of pgx's database/sql driver
// (github.com/jackc/pgx/v5/stdlib), on the backend's database.
func (b *Backend) EnqueueTx(ctx context.Context, tx any, jobs []*effects.Job) ([]effects.Inserted, error) {
	var q querier
	switch tx := tx.(type) {
	case pgx.Tx:
		q = pgxQuerier{tx}
	case *sql.Tx:
		q = sqlQuerier{tx}
	default:
		return nil, fmt.Errorf("effects/postgres: EnqueueTx needs a pgx.Tx or a *sql.Tx of pgx's stdlib driver, not %T", tx)
	}
	ins, err := enqueue(ctx, q, jobs, true)
	if err == nil {
		// Delivered when the transaction commits, and only then.
		if queues := dueQueues(jobs, ins); len(queues) > 0 {
			err = q.query(ctx, notifySQL, []any{notifyChannel, queues}, func(func(...any) error) error { return nil })
		}
	}
	if err != nil {
		return nil, fmt.Errorf("effects/postgres: enqueue in the transaction: %w", err)
	}
	return ins, nil
}

// dueQueues lists the queues of the newly inserted jobs that are due now.
func dueQueues(jobs []*effects.Job, ins []effects.Inserted) []string {
	now := time.Now()
	var queues []string
	for i, j := range jobs {
		if !ins[i].Duplicate && !j.RunAt.After(now) && !slices.Contains(queues, j.Queue) {
			queues = append(queues, j.Queue)
		}
	}
	return queues
}
