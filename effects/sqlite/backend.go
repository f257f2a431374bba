package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gati.dev/gati/effects"
)

// EnqueueTx writes the jobs in the app's transaction tx, a *sql.Tx on
// this backend's database file: they exist, and run, exactly when tx
// commits.
func (b *Backend) EnqueueTx(ctx context.Context, tx any, jobs []*effects.Job) ([]effects.Inserted, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	t, ok := tx.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("effects/sqlite: EnqueueTx takes a *sql.Tx on the effects database, not %T", tx)
	}
	prep := func(q string) (*sql.Stmt, error) { return t.PrepareContext(ctx, q) }
	var stmts [3]*sql.Stmt
	for i, q := range []string{sqlQueue, sqlUnique, sqlInsert} {
		s, err := prep(q)
		if err != nil {
			if strings.Contains(err.Error(), "no such table") {
				err = fmt.Errorf("%w (is tx on the effects database? open it with sqlite.New(db))", err)
			}
			return nil, fmt.Errorf("effects/sqlite: EnqueueTx: %w", err)
		}
		defer s.Close()
		stmts[i] = s
	}
	out, err := enqueue(ctx, stmts[0], stmts[1], stmts[2], jobs, new([]string))
	if err != nil {
		return nil, fmt.Errorf("effects/sqlite: EnqueueTx: %w", err)
	}
	return out, nil
}

// enqueue inserts jobs with statements of one transaction, recording
// their queues unless queues (of the transaction) has them. Its first
// statement writes, so the transaction takes the write lock at once.
func enqueue(ctx context.Context, queue, unique, insert *sql.Stmt, jobs []*effects.Job, queues *[]string) ([]effects.Inserted, error) {
	now := time.Now().UnixNano()
	out := make([]effects.Inserted, len(jobs))
	for _, j := range jobs {
		if !slices.Contains(*queues, j.Queue) {
			*queues = append(*queues, j.Queue)
			if _, err := queue.ExecContext(ctx, j.Queue); err != nil {
				return nil, err
			}
		}
	}
	for i, j := range jobs {
		var key, until any
		if j.UniqueKey != "" {
			var id, prevUntil int64
			switch err := unique.QueryRowContext(ctx, j.Kind, j.UniqueKey).Scan(&id, &prevUntil); {
			case err == nil && prevUntil > now:
				out[i] = effects.Inserted{ID: strconv.FormatInt(id, 10), Duplicate: true}
				continue
			case err != nil && !errors.Is(err, sql.ErrNoRows):
				return nil, err
			}
			key, until = j.UniqueKey, nanos(j.UniqueUntil)
		}
		res, err := insert.ExecContext(ctx, j.Kind, j.Queue, string(j.Args), j.Priority, j.MaxAttempts, nanos(j.RunAt),
			int64(j.Timeout), key, until, nanos(j.CreatedAt), j.TraceID, j.RequestID, now)
		if err != nil {
			return nil, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		out[i] = effects.Inserted{ID: strconv.FormatInt(id, 10)}
	}
	return out, nil
}

// Fetch leases up to limit available jobs of queue in one transaction:
// it first ends the attempts whose leases expired and makes the due
// scheduled jobs available, then leases the first available jobs in
// priority, run_at and id order in one UPDATE ... RETURNING.
func (b *Backend) Fetch(ctx context.Context, queue string, limit int, lease time.Duration) ([]*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	// Look before taking the write lock, unless the queue's last fetch
	// found more than it could take: idle polls stay reads.
	full, _ := b.full.LoadOrStore(queue, new(atomic.Bool))
	if !full.(*atomic.Bool).Load() {
		var ready bool
		if err := b.st.ready.QueryRowContext(ctx, queue, time.Now().UnixNano()).Scan(&ready); err != nil {
			return nil, b.wrap(err)
		}
		if !ready {
			return nil, nil
		}
	}
	token := rand.Int64()
	var jobs []*effects.Job
	err := b.write(ctx, func(tx *sql.Tx) error {
		jobs = jobs[:0]
		now := time.Now()
		if _, err := tx.StmtContext(ctx, b.st.expire).ExecContext(ctx, queue, now.UnixNano(), now.Format(time.RFC3339Nano)); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, b.st.promote).ExecContext(ctx, queue, now.UnixNano()); err != nil {
			return err
		}
		rows, err := tx.StmtContext(ctx, b.st.fetch).QueryContext(ctx, token, now.Add(lease).UnixNano(), queue, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	full.(*atomic.Bool).Store(err == nil && len(jobs) == limit)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(jobs, func(a, b *effects.Job) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), a.RunAt.Compare(b.RunAt), cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
	return jobs, nil
}

// Complete applies the outcomes whose leases are current, in one
// transaction.
func (b *Backend) Complete(ctx context.Context, outcomes []effects.Outcome) error {
	if len(outcomes) == 0 {
		return b.check()
	}
	now := time.Now().UnixNano()
	return b.write(ctx, func(tx *sql.Tx) error {
		st := tx.StmtContext(ctx, b.st.complete)
		for _, o := range outcomes {
			id, err1 := strconv.ParseInt(o.ID, 10, 64)
			lease, err2 := strconv.ParseInt(o.Lease, 10, 64)
			if err1 != nil || err2 != nil {
				continue // no job has it
			}
			var state string
			var uncount int
			var runAt, finished, errJSON any
			switch o.Result {
			case effects.ResultSucceeded:
				state, finished = "succeeded", now
			case effects.ResultDead:
				state, finished = "dead", now
			case effects.ResultRetry:
				state, runAt = "available", nanos(o.RunAt)
			case effects.ResultSnooze:
				state, runAt, uncount = "available", nanos(o.RunAt), 1
			case effects.ResultRelease:
				state, runAt, uncount = "available", now, 1
			default:
				return fmt.Errorf("effects/sqlite: outcome of %s: unknown result %d", o.ID, o.Result)
			}
			if o.Error != nil {
				body, err := json.Marshal(o.Error)
				if err != nil {
					return err
				}
				errJSON = string(body)
			}
			if _, err := st.ExecContext(ctx, state, uncount, runAt, finished, errJSON, id, lease, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Extend pushes the current leases forward.
func (b *Backend) Extend(ctx context.Context, leases []effects.Leased, lease time.Duration) error {
	if len(leases) == 0 {
		return b.check()
	}
	until := time.Now().Add(lease).UnixNano()
	return b.write(ctx, func(tx *sql.Tx) error {
		st := tx.StmtContext(ctx, b.st.extend)
		for _, l := range leases {
			id, err1 := strconv.ParseInt(l.ID, 10, 64)
			token, err2 := strconv.ParseInt(l.Lease, 10, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			if _, err := st.ExecContext(ctx, until, id, token); err != nil {
				return err
			}
		}
		return nil
	})
}

// Get returns the job with the id, in any state.
func (b *Backend) Get(ctx context.Context, id string) (*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, effects.ErrNotFound
	}
	j, err := scanJob(b.st.get.QueryRowContext(ctx, n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, effects.ErrNotFound
	}
	if err != nil {
		return nil, b.wrap(err)
	}
	return j, nil
}

// Dead lists dead jobs, newest first.
func (b *Backend) Dead(ctx context.Context, q effects.DeadQuery) ([]*effects.Job, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	query := `SELECT ` + columns + ` FROM gati_effects WHERE state = 'dead'`
	var args []any
	if q.Queue != "" {
		query += ` AND queue = ?`
		args = append(args, q.Queue)
	}
	if q.Kind != "" {
		query += ` AND kind = ?`
		args = append(args, q.Kind)
	}
	if id, err := strconv.ParseInt(q.Before, 10, 64); err == nil {
		// After the entry Before in the listing's order, if it exists.
		var f int64
		switch err := b.r.QueryRowContext(ctx, `SELECT coalesce(finished_at, 0) FROM gati_effects WHERE id = ?`, id).Scan(&f); {
		case err == nil:
			query += ` AND (finished_at < ? OR finished_at = ? AND id < ?)`
			args = append(args, f, f, id)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, b.wrap(err)
		}
	}
	query += ` ORDER BY finished_at DESC, id DESC LIMIT ?`
	args = append(args, cmp.Or(q.Limit, 100))
	rows, err := b.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, b.wrap(err)
	}
	defer rows.Close()
	var out []*effects.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, b.wrap(err)
		}
		out = append(out, j)
	}
	return out, b.wrap(rows.Err())
}

// RetryDead makes a dead job available now, its attempts reset and its
// errors kept.
func (b *Backend) RetryDead(ctx context.Context, id string) error {
	return b.changeDead(ctx, id, `UPDATE gati_effects SET state = 'available', attempt = 0, run_at = ?, finished_at = NULL
		WHERE id = ? AND state = 'dead'`, time.Now().UnixNano())
}

// DiscardDead deletes a dead job.
func (b *Backend) DiscardDead(ctx context.Context, id string) error {
	return b.changeDead(ctx, id, `DELETE FROM gati_effects WHERE id = ? AND state = 'dead'`)
}

func (b *Backend) changeDead(ctx context.Context, id, query string, args ...any) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return b.check()
	}
	var changed int64
	err = b.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, append(args, n)...)
		if err != nil {
			return err
		}
		changed, err = res.RowsAffected()
		return err
	})
	if err == nil && changed == 0 {
		return effects.ErrNotFound
	}
	return err
}

// Stats counts each queue's jobs by state; a scheduled job now due and a
// running job whose lease expired count as available, as the next fetch
// takes them.
func (b *Backend) Stats(ctx context.Context) ([]effects.QueueStats, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	rows, err := b.r.QueryContext(ctx, `SELECT q.queue,
		(SELECT count(*) FROM gati_effects WHERE state = 'available' AND queue = q.queue),
		(SELECT count(*) FROM gati_effects WHERE state = 'scheduled' AND queue = q.queue AND run_at <= ?1),
		(SELECT count(*) FROM gati_effects WHERE state = 'scheduled' AND queue = q.queue AND run_at > ?1),
		(SELECT count(*) FROM gati_effects WHERE state = 'running' AND queue = q.queue AND lease_until > ?1),
		(SELECT count(*) FROM gati_effects WHERE state = 'running' AND queue = q.queue AND lease_until <= ?1),
		(SELECT count(*) FROM gati_effects WHERE state = 'dead' AND queue = q.queue)
		FROM gati_effects_queues AS q ORDER BY q.queue`, time.Now().UnixNano())
	if err != nil {
		return nil, b.wrap(err)
	}
	defer rows.Close()
	out := []effects.QueueStats{}
	for rows.Next() {
		var s effects.QueueStats
		var due, expired int64
		if err := rows.Scan(&s.Queue, &s.Available, &due, &s.Scheduled, &s.Running, &expired, &s.Dead); err != nil {
			return nil, b.wrap(err)
		}
		s.Available += due + expired
		out = append(out, s)
	}
	return out, b.wrap(rows.Err())
}

// scanJob reads the columns of a job.
func scanJob(row interface{ Scan(...any) error }) (*effects.Job, error) {
	var (
		j                                        effects.Job
		id, runAt, timeout, created              int64
		args, state                              string
		uniqueKey, errs                          sql.NullString
		uniqueUntil, finished, lease, leaseUntil sql.NullInt64
	)
	err := row.Scan(&id, &j.Kind, &j.Queue, &args, &j.Priority, &state, &j.Attempt, &j.MaxAttempts, &runAt, &timeout,
		&uniqueKey, &uniqueUntil, &created, &finished, &errs, &j.TraceID, &j.RequestID, &lease, &leaseUntil)
	if err != nil {
		return nil, err
	}
	j.ID, j.State = strconv.FormatInt(id, 10), effects.State(state)
	if state == "scheduled" {
		j.State = effects.StateAvailable
	}
	if args != "" {
		j.Args = json.RawMessage(args)
	}
	j.RunAt, j.Timeout, j.CreatedAt = fromNanos(runAt), time.Duration(timeout), fromNanos(created)
	j.UniqueKey, j.UniqueUntil = uniqueKey.String, fromNanos(uniqueUntil.Int64)
	j.FinishedAt, j.LeaseUntil = fromNanos(finished.Int64), fromNanos(leaseUntil.Int64)
	if lease.Valid {
		j.Lease = strconv.FormatInt(lease.Int64, 10)
	}
	if errs.Valid {
		if err := json.Unmarshal([]byte(errs.String), &j.Errors); err != nil {
			return nil, fmt.Errorf("effect %d: its error history: %w", id, err)
		}
	}
	return &j, nil
}

// nanos stores a time as Unix nanoseconds, the zero time as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
