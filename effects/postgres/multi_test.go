package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/postgres"
	"gati.dev/gati/internal/pgtest"
)

func newJob(queue string, n int) *effects.Job {
	now := time.Now()
	return &effects.Job{Kind: "test", Queue: queue, Args: []byte(fmt.Sprintf(`{"n":%d}`, n)), Priority: 2,
		MaxAttempts: 3, RunAt: now, CreatedAt: now}
}

func backendOn(t *testing.T, dsn string, opts ...postgres.Option) *postgres.Backend {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	b, err := postgres.New(pool, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// Two instances, each with its own pool and several fetchers, share a
// queue: every job is leased exactly once.
func TestTwoInstancesNeverDoubleLease(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := backendOn(t, dsn), backendOn(t, dsn)
	ctx := context.Background()
	const n = 3000
	for batch := 0; batch < n; batch += 500 {
		jobs := make([]*effects.Job, 500)
		for i := range jobs {
			jobs[i] = newJob("shared", batch+i)
		}
		if _, err := a.Enqueue(ctx, jobs); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	leased := map[string]int{}
	var wg sync.WaitGroup
	deadline := time.Now().Add(time.Minute)
	for w := range 8 {
		be := []*postgres.Backend{a, b}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				jobs, err := be.Fetch(ctx, "shared", 37, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				outcomes := make([]effects.Outcome, len(jobs))
				mu.Lock()
				for i, j := range jobs {
					leased[j.ID]++
					outcomes[i] = effects.Outcome{ID: j.ID, Lease: j.Lease, Result: effects.ResultSucceeded}
				}
				total := len(leased)
				mu.Unlock()
				if err := be.Complete(ctx, outcomes); err != nil {
					t.Error(err)
					return
				}
				if len(jobs) == 0 {
					if total == n {
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	if len(leased) != n {
		t.Fatalf("leased %d distinct jobs, want %d", len(leased), n)
	}
	for id, c := range leased {
		if c != 1 {
			t.Fatalf("job %s leased %d times", id, c)
		}
	}
	stats, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 0 {
		t.Fatalf("after every job succeeded: stats %+v, want none", stats)
	}
}

// Instances starting together migrate the schema once.
func TestConcurrentStartsMigrateOnce(t *testing.T) {
	dsn := pgtest.Start(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pool, err := pgxpool.New(context.Background(), dsn)
			if err != nil {
				errs <- err
				return
			}
			defer pool.Close()
			b, err := postgres.New(pool)
			if err != nil {
				errs <- err
				return
			}
			b.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	b := backendOn(t, dsn)
	var versions, max int
	if err := b.Pool().QueryRow(context.Background(), `SELECT count(*), max(version) FROM gati_effects_schema`).Scan(&versions, &max); err != nil {
		t.Fatal(err)
	}
	if versions != postgres.SchemaVersion() || max != postgres.SchemaVersion() {
		t.Fatalf("schema versions: %d rows, max %d; want %d", versions, max, postgres.SchemaVersion())
	}
}

// The driver opens from a DSN; a server that is not there fails the
// open, naming where it looked.
func TestDriver(t *testing.T) {
	ctx := context.Background()
	b, err := effects.Open(ctx, "postgres", effects.OpenConfig{DSN: pgtest.Start(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Enqueue(ctx, []*effects.Job{newJob("q", 1)}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stats(ctx); err == nil {
		t.Fatal("the driver's pool is open after Close")
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	start := time.Now()
	_, err = effects.Open(ctx, "postgres", effects.OpenConfig{DSN: "postgres://app:secret@" + addr + "/app?sslmode=disable"})
	if err == nil {
		t.Fatal("opened a backend on a server that is down")
	}
	t.Logf("error: %v (after %s)", err, time.Since(start).Round(time.Millisecond))
	if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "cannot connect") {
		t.Fatalf("error %q does not say it could not connect to %s", err, addr)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %q shows the password", err)
	}
	if _, err := effects.Open(ctx, "postgres", effects.OpenConfig{}); err == nil || !strings.Contains(err.Error(), "dsn") {
		t.Fatalf("an empty DSN: %v", err)
	}
}

// While the server is down, enqueues fail (nothing is dropped silently);
// when it is back, the backend works again on the same pool.
func TestServerDown(t *testing.T) {
	s := pgtest.New(t)
	b := backendOn(t, s.DSN("postgres"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before, err := b.Enqueue(ctx, []*effects.Job{newJob("q", 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if ins, err := b.Enqueue(ctx, []*effects.Job{newJob("q", 2)}); err == nil {
		t.Fatalf("enqueue with the server down: %+v and no error", ins)
	} else {
		t.Logf("enqueue with the server down: %v", err)
	}
	if _, err := b.Enqueue(ctx, []*effects.Job{newJob("q", 3), newJob("q", 4)}); err == nil {
		t.Fatal("batch enqueue with the server down: no error")
	}
	if _, err := b.Fetch(ctx, "q", 10, time.Minute); err == nil {
		t.Fatal("fetch with the server down: no error")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	after, err := b.Enqueue(ctx, []*effects.Job{newJob("q", 5)})
	if err != nil {
		t.Fatalf("enqueue after the server came back: %v", err)
	}
	jobs, err := b.Fetch(ctx, "q", 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].ID != before[0].ID || jobs[1].ID != after[0].ID {
		t.Fatalf("after the outage fetched %d jobs, want the two enqueued while it was up", len(jobs))
	}
}

// Concurrent enqueues of one unique key, from two instances, make one job.
func TestUniqueKeyUnderConcurrency(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := backendOn(t, dsn), backendOn(t, dsn)
	ctx := context.Background()
	mk := func() *effects.Job {
		j := newJob("q", 1)
		j.UniqueKey, j.UniqueUntil = "k", time.Now().Add(time.Hour)
		return j
	}
	var mu sync.Mutex
	ids := map[string]int{}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			be := []*postgres.Backend{a, b}[i%2]
			batch := []*effects.Job{mk()}
			if i%3 == 0 {
				batch = append(batch, newJob("q", 2), mk())
			}
			ins, err := be.Enqueue(ctx, batch)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for k, in := range ins {
				if batch[k].UniqueKey != "" {
					ids[in.ID]++
				}
			}
		}()
	}
	wg.Wait()
	if len(ids) != 1 {
		t.Fatalf("one unique key made %d jobs: %v", len(ids), ids)
	}
}

// A unique key whose window passed is taken by the next enqueue, in a
// batch too, and the earlier job keeps its key on record.
func TestUniqueWindowPasses(t *testing.T) {
	b := backendOn(t, pgtest.Start(t))
	ctx := context.Background()
	mk := func(window time.Duration) *effects.Job {
		j := newJob("q", 1)
		j.UniqueKey, j.UniqueUntil = "k", time.Now().Add(window)
		return j
	}
	first, err := b.Enqueue(ctx, []*effects.Job{mk(200 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	ins, err := b.Enqueue(ctx, []*effects.Job{mk(time.Hour), newJob("q", 2), mk(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if ins[0].Duplicate || ins[0].ID == first[0].ID || !ins[2].Duplicate || ins[2].ID != ins[0].ID || ins[1].Duplicate {
		t.Fatalf("batch after the window: %+v (first %s)", ins, first[0].ID)
	}
	old, err := b.Get(ctx, first[0].ID)
	if err != nil || old.UniqueKey != "k" {
		t.Fatalf("the earlier job: %+v %v, want its key kept", old, err)
	}
}

// EnqueueTx takes a *sql.Tx of pgx's database/sql driver too.
func TestEnqueueTxDatabaseSQL(t *testing.T) {
	dsn := pgtest.Start(t)
	b := backendOn(t, dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, commit := range []bool{false, true} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		u := newJob("q", 1)
		u.UniqueKey, u.UniqueUntil = "k", time.Now().Add(time.Hour)
		ins, err := b.EnqueueTx(ctx, tx, []*effects.Job{newJob("q", 1), u})
		if err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Get(ctx, ins[0].ID)
		if commit && err != nil || !commit && !errors.Is(err, effects.ErrNotFound) {
			t.Fatalf("commit %v: Get: %v", commit, err)
		}
	}
	if _, err := b.EnqueueTx(ctx, "not a tx", []*effects.Job{newJob("q", 1)}); err == nil {
		t.Fatal("EnqueueTx took a string")
	}
}

// Succeeded effects are deleted after the retention; dead ones stay.
func TestRetention(t *testing.T) {
	b := backendOn(t, pgtest.Start(t), postgres.Retention(time.Second))
	ctx := context.Background()
	ins, err := b.Enqueue(ctx, []*effects.Job{newJob("q", 1), newJob("q", 2)})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := b.Fetch(ctx, "q", 2, time.Minute)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("fetch: %d %v", len(jobs), err)
	}
	if err := b.Complete(ctx, []effects.Outcome{
		{ID: jobs[0].ID, Lease: jobs[0].Lease, Result: effects.ResultSucceeded},
		{ID: jobs[1].ID, Lease: jobs[1].Lease, Result: effects.ResultDead, Error: &effects.AttemptError{Attempt: 1, Reason: "error", Error: "x"}},
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := b.Get(ctx, jobs[0].ID)
		if errors.Is(err, effects.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the succeeded effect is still there after its retention: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if j, err := b.Get(ctx, jobs[1].ID); err != nil || j.State != effects.StateDead {
		t.Fatalf("the dead effect: %+v %v", j, err)
	}
	_ = ins
}

// A batch large enough to be copied is part of the transaction too, and
// its ids are the jobs'.
func TestLargeBatchInTransaction(t *testing.T) {
	b := backendOn(t, pgtest.Start(t))
	ctx := context.Background()
	batch := func() []*effects.Job {
		jobs := make([]*effects.Job, 200)
		for i := range jobs {
			jobs[i] = newJob("big", i)
		}
		return jobs
	}
	for _, commit := range []bool{false, true} {
		tx, err := b.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ins, err := b.EnqueueTx(ctx, tx, batch())
		if err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit(ctx)
		} else {
			err = tx.Rollback(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, in := range ins {
			j, err := b.Get(ctx, in.ID)
			switch {
			case !commit && !errors.Is(err, effects.ErrNotFound):
				t.Fatalf("rolled back: Get(%s): %v", in.ID, err)
			case commit && err != nil:
				t.Fatal(err)
			case commit && string(j.Args) != fmt.Sprintf(`{"n": %d}`, i):
				t.Fatalf("job %d: id %s has args %s", i, in.ID, j.Args)
			}
		}
	}
}
