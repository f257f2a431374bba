package sqlite

import (
	"context"
	"database/sql"
	"slices"

	"gati.dev/gati/effects"
)

// Writes go one transaction at a time from this process, in the order
// they get the writer (b.writer, a semaphore of one). Enqueue calls that
// wait for it meanwhile ride along in the next transaction, whichever
// method's it is: a group commit, so that concurrent handlers' enqueues
// and the workers' fetches and outcomes share commits.

// enqueueRequest is an Enqueue call waiting for a write transaction.
type enqueueRequest struct {
	jobs []*effects.Job
	out  []effects.Inserted
	err  error
	done chan struct{}
}

// Enqueue writes the jobs, all of them or none, in the next write
// transaction, which other calls may share.
func (b *Backend) Enqueue(ctx context.Context, jobs []*effects.Job) ([]effects.Inserted, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	r := &enqueueRequest{jobs: jobs, done: make(chan struct{})}
	b.pendingMu.Lock()
	b.pending = append(b.pending, r)
	b.pendingMu.Unlock()
	for {
		select {
		case <-r.done:
			return r.out, r.err
		case b.writer <- struct{}{}:
			// This call's turn: write what waits, this call's jobs among
			// them unless an earlier transaction took them.
			b.tx(context.Background(), nil)
			<-b.writer
		case <-ctx.Done():
			if b.withdraw(r) {
				return nil, ctx.Err()
			}
			<-r.done // a transaction has it: its commit decides
			return r.out, r.err
		}
	}
}

// withdraw takes r out of the waiting calls, unless a transaction took it.
func (b *Backend) withdraw(r *enqueueRequest) bool {
	b.pendingMu.Lock()
	defer b.pendingMu.Unlock()
	i := slices.Index(b.pending, r)
	if i >= 0 {
		b.pending = slices.Delete(b.pending, i, i+1)
	}
	return i >= 0
}

// write runs fn in a write transaction once it has the writer.
func (b *Backend) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := b.check(); err != nil {
		return err
	}
	select {
	case b.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-b.writer }()
	return b.wrap(b.tx(ctx, fn))
}

// tx runs, in one transaction on the writer (which the caller holds), the
// waiting Enqueue calls and then fn, if any; the calls get the
// transaction's outcome. With calls aboard, it is not canceled with ctx:
// busy_timeout bounds it.
//
// The transaction's first statement writes (enqueue's and each fn's), so
// that SQLite takes the write lock, waiting through busy_timeout, before
// reading anything, even when the database's transactions are deferred.
func (b *Backend) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	b.pendingMu.Lock()
	batch := b.pending
	b.pending = nil
	b.pendingMu.Unlock()
	if len(batch) > 0 {
		ctx = context.WithoutCancel(ctx)
		defer func() {
			for _, r := range batch {
				if err != nil {
					r.out, r.err = nil, b.wrap(err)
				}
				close(r.done)
			}
		}()
	}
	if err := b.check(); err != nil {
		return err
	}
	if len(batch) == 0 && fn == nil {
		return nil
	}
	tx, err := b.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if len(batch) > 0 {
		queue, unique, insert := tx.StmtContext(ctx, b.st.queue), tx.StmtContext(ctx, b.st.unique), tx.StmtContext(ctx, b.st.insert)
		var queues []string
		for _, r := range batch {
			if r.out, err = enqueue(ctx, queue, unique, insert, r.jobs, &queues); err != nil {
				return err
			}
		}
	}
	if fn != nil {
		if err := fn(tx); err != nil {
			return err
		}
	}
	return tx.Commit()
}
