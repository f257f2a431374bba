// Command fxbench-postgres compares Gati's PostgreSQL effects backend
// with River (github.com/riverqueue/river) on the same database server:
// no-op jobs enqueued in batches, enqueued one at a time by concurrent
// callers, and worked to completion from a preloaded queue. Rounds
// alternate which system goes first; the table shows each system's
// median and Gati's ratio to River.
//
//	cd bench && go run ./cmd/fxbench-postgres            # starts a throwaway server (pgtest)
//	cd bench && go run ./cmd/fxbench-postgres -dsn postgres://...   # or uses yours
//
// River has two batch inserts: InsertMany, which returns the jobs as
// Gati's Enqueue returns their ids, and InsertManyFast (COPY, no
// results); the table has a row for each against Gati's one.
//
// Settings are matched: one pgxpool config for both, the same worker
// concurrency, fetches of up to the free worker slots (River's
// FetchCooldown at its 1ms minimum, so that neither waits between
// fetches), and the server's fsync off (pgtest's default).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/postgres"
	"gati.dev/gati/internal/pgtest"
)

var (
	dsnFlag     = flag.String("dsn", "", "PostgreSQL URL to use (default: start a throwaway server with pgtest)")
	n           = flag.Int("n", 20000, "jobs per measurement")
	rounds      = flag.Int("rounds", 3, "rounds; each measures both systems, alternating which goes first")
	batch       = flag.Int("batch", 1000, "jobs per batch insert")
	callers     = flag.Int("callers", 8, "concurrent callers of single inserts")
	singleN     = flag.Int("single-n", 5000, "jobs per single-insert measurement")
	concurrency = flag.Int("concurrency", 50, "worker concurrency (Gati queue concurrency, River MaxWorkers)")
	maxConns    = flag.Int("max-conns", 16, "pgxpool MaxConns of each system's pool")
)

type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	done func()
}

func (w *noopWorker) Work(ctx context.Context, job *river.Job[noopArgs]) error {
	w.done()
	return nil
}

var noopKind = effects.Define[noopArgs]("noop")

// system is one side of the comparison.
type system struct {
	name string
	pool *pgxpool.Pool
	// reset empties the system's tables.
	reset func(ctx context.Context) error
	// insertBatch inserts n jobs in batches; insertSingle inserts n jobs
	// one per call from concurrent callers; work works n preloaded jobs.
	insertBatch, insertSingle, work func(ctx context.Context, n int) (time.Duration, error)
	// insertFast is the system's fastest batch insert: River's
	// InsertManyFast (COPY, no results); Gati's only batch insert.
	insertFast func(ctx context.Context, n int) (time.Duration, error)
}

func main() {
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	dsn := *dsnFlag
	gatiDSN, riverDSN := dsn, dsn
	if dsn == "" {
		s, err := pgtest.Launch(pgtest.Options{})
		if err != nil {
			log.Fatal(err)
		}
		defer s.Close()
		for _, db := range []string{"gati", "river"} {
			if err := s.Exec(ctx, "postgres", "CREATE DATABASE "+db); err != nil {
				log.Fatal(err)
			}
		}
		gatiDSN, riverDSN = s.DSN("gati"), s.DSN("river")
	}
	g, err := gatiSystem(ctx, gatiDSN)
	if err != nil {
		log.Fatal(err)
	}
	r, err := riverSystem(ctx, riverDSN)
	if err != nil {
		log.Fatal(err)
	}
	var version, fsync string
	g.pool.QueryRow(ctx, "SHOW server_version").Scan(&version)
	g.pool.QueryRow(ctx, "SHOW fsync").Scan(&fsync)
	fmt.Printf("PostgreSQL %s (fsync %s); %d jobs per measurement (%d single), %d rounds, batches of %d, %d single-insert callers, concurrency %d, %d conns per pool\n\n",
		version, fsync, *n, *singleN, *rounds, *batch, *callers, *concurrency, *maxConns)

	metrics := []struct {
		name string
		n    int
		run  func(s *system) func(context.Context, int) (time.Duration, error)
	}{
		{fmt.Sprintf("enqueue, batches of %d", *batch), *n, func(s *system) func(context.Context, int) (time.Duration, error) { return s.insertBatch }},
		{fmt.Sprintf("enqueue, batches of %d, River COPY", *batch), *n, func(s *system) func(context.Context, int) (time.Duration, error) { return s.insertFast }},
		{fmt.Sprintf("enqueue, single (%d callers)", *callers), *singleN, func(s *system) func(context.Context, int) (time.Duration, error) { return s.insertSingle }},
		{fmt.Sprintf("work no-op (concurrency %d)", *concurrency), *n, func(s *system) func(context.Context, int) (time.Duration, error) { return s.work }},
	}
	results := map[string]map[string][]float64{}
	for round := range *rounds {
		order := []*system{g, r}
		if round%2 == 1 {
			order = []*system{r, g}
		}
		for _, m := range metrics {
			for _, s := range order {
				if err := s.reset(ctx); err != nil {
					log.Fatalf("%s: reset: %v", s.name, err)
				}
				d, err := m.run(s)(ctx, m.n)
				if err != nil {
					log.Fatalf("%s: %s: %v", s.name, m.name, err)
				}
				rate := float64(m.n) / d.Seconds()
				if results[m.name] == nil {
					results[m.name] = map[string][]float64{}
				}
				results[m.name][s.name] = append(results[m.name][s.name], rate)
				fmt.Printf("round %d  %-8s %-38s %9.0f jobs/s\n", round+1, s.name, m.name, rate)
			}
		}
	}
	fmt.Printf("\n| %-38s | %12s | %12s | %10s |\n", "median of rounds", "Gati jobs/s", "River jobs/s", "Gati÷River")
	fmt.Printf("|%s|%s|%s|%s|\n", dashes(40), dashes(14), dashes(14), dashes(12))
	for _, m := range metrics {
		gm, rm := median(results[m.name][g.name]), median(results[m.name][r.name])
		fmt.Printf("| %-38s | %12.0f | %12.0f | %9.2f× |\n", m.name, gm, rm, gm/rm)
	}
}

func dashes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '-'
	}
	return string(b)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// reset empties a table and vacuums it, so that each measurement starts
// from the same empty, analyzed table.
func reset(ctx context.Context, pool *pgxpool.Pool, table string) error {
	if _, err := pool.Exec(ctx, "TRUNCATE "+table); err != nil {
		return err
	}
	_, err := pool.Exec(ctx, "VACUUM ANALYZE "+table)
	return err
}

func newPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(*maxConns)
	return pgxpool.NewWithConfig(ctx, cfg)
}

// concurrently runs fn(i) for i in [0, n) from callers goroutines.
func concurrently(n int, fn func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, *callers)
	for range *callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func gatiSystem(ctx context.Context, dsn string) (*system, error) {
	pool, err := newPool(ctx, dsn)
	if err != nil {
		return nil, err
	}
	b, err := postgres.New(pool)
	if err != nil {
		return nil, err
	}
	b.Close()
	job := func(i int) (*effects.Job, error) {
		// What Kind.Enqueue stores, args marshaled per job as it does.
		body, err := json.Marshal(noopArgs{N: i})
		now := time.Now()
		return &effects.Job{Kind: noopKind.Name(), Queue: "default", Args: body, Priority: 2, MaxAttempts: 25, RunAt: now, CreatedAt: now}, err
	}
	insertBatch := func(ctx context.Context, n int) (time.Duration, error) {
		b, err := postgres.New(pool)
		if err != nil {
			return 0, err
		}
		defer b.Close()
		start := time.Now()
		for done := 0; done < n; done += *batch {
			jobs := make([]*effects.Job, min(*batch, n-done))
			for i := range jobs {
				if jobs[i], err = job(done + i); err != nil {
					return 0, err
				}
			}
			if _, err := b.Enqueue(ctx, jobs); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	return &system{
		name: "gati",
		pool: pool,
		reset: func(ctx context.Context) error {
			return reset(ctx, pool, "gati_effects")
		},
		insertBatch: insertBatch,
		insertFast:  insertBatch,
		insertSingle: func(ctx context.Context, n int) (time.Duration, error) {
			b, err := postgres.New(pool)
			if err != nil {
				return 0, err
			}
			defer b.Close()
			start := time.Now()
			err = concurrently(n, func(i int) error {
				j, err := job(i)
				if err == nil {
					_, err = b.Enqueue(ctx, []*effects.Job{j})
				}
				return err
			})
			return time.Since(start), err
		},
		work: func(ctx context.Context, n int) (time.Duration, error) {
			if _, err := insertBatch(ctx, n); err != nil {
				return 0, err
			}
			b, err := postgres.New(pool)
			if err != nil {
				return 0, err
			}
			fx := effects.New(b, effects.Config{Queues: map[string]effects.QueueConfig{"default": {Concurrency: *concurrency}}})
			var count atomic.Int64
			all := make(chan struct{})
			effects.Work(fx, noopKind, func(ctx context.Context, e effects.Effect[noopArgs]) error {
				if count.Add(1) == int64(n) {
					close(all)
				}
				return nil
			})
			return timeWork(ctx, pool, fx.Start, fx.Stop, all, &count, n,
				"SELECT count(*) FROM gati_effects WHERE state <> 'succeeded'")
		},
	}, nil
}

// timeWork starts a system's workers, waits until all n jobs ran (all
// closes), stops them so the last outcomes are recorded, and returns the
// time taken, after checking with unfinished that no job was left.
func timeWork(ctx context.Context, pool *pgxpool.Pool, start, stop func(context.Context) error,
	all <-chan struct{}, count *atomic.Int64, n int, unfinished string) (time.Duration, error) {
	began := time.Now()
	if err := start(ctx); err != nil {
		return 0, err
	}
	select {
	case <-all:
	case <-time.After(10 * time.Minute):
		return 0, fmt.Errorf("only %d of %d jobs ran in 10 minutes", count.Load(), n)
	}
	if err := stop(ctx); err != nil {
		return 0, err
	}
	took := time.Since(began)
	var left int
	if err := pool.QueryRow(ctx, unfinished).Scan(&left); err != nil || left != 0 {
		return 0, fmt.Errorf("%d jobs not finished after the run (%v)", left, err)
	}
	return took, nil
}

func riverSystem(ctx context.Context, dsn string) (*system, error) {
	pool, err := newPool(ctx, dsn)
	if err != nil {
		return nil, err
	}
	driver := riverpgxv5.New(pool)
	migrator, err := rivermigrate.New(driver, nil)
	if err != nil {
		return nil, err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	client := func(done func()) (*river.Client[pgx.Tx], error) {
		workers := river.NewWorkers()
		river.AddWorker(workers, &noopWorker{done: done})
		return river.NewClient(driver, &river.Config{
			Logger:        quiet,
			Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: *concurrency}},
			Workers:       workers,
			FetchCooldown: river.FetchCooldownMin,
		})
	}
	insertBatch := func(ctx context.Context, n int) (time.Duration, error) {
		c, err := client(func() {})
		if err != nil {
			return 0, err
		}
		start := time.Now()
		for done := 0; done < n; done += *batch {
			params := make([]river.InsertManyParams, min(*batch, n-done))
			for i := range params {
				params[i] = river.InsertManyParams{Args: noopArgs{N: done + i}}
			}
			if _, err := c.InsertMany(ctx, params); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	return &system{
		name: "river",
		pool: pool,
		reset: func(ctx context.Context) error {
			return reset(ctx, pool, "river_job")
		},
		insertBatch: insertBatch,
		insertFast: func(ctx context.Context, n int) (time.Duration, error) {
			c, err := client(func() {})
			if err != nil {
				return 0, err
			}
			start := time.Now()
			for done := 0; done < n; done += *batch {
				params := make([]river.InsertManyParams, min(*batch, n-done))
				for i := range params {
					params[i] = river.InsertManyParams{Args: noopArgs{N: done + i}}
				}
				if _, err := c.InsertManyFast(ctx, params); err != nil {
					return 0, err
				}
			}
			return time.Since(start), nil
		},
		insertSingle: func(ctx context.Context, n int) (time.Duration, error) {
			c, err := client(func() {})
			if err != nil {
				return 0, err
			}
			start := time.Now()
			err = concurrently(n, func(i int) error {
				_, err := c.Insert(ctx, noopArgs{N: i}, nil)
				return err
			})
			return time.Since(start), err
		},
		work: func(ctx context.Context, n int) (time.Duration, error) {
			if _, err := insertBatch(ctx, n); err != nil {
				return 0, err
			}
			var count atomic.Int64
			all := make(chan struct{})
			c, err := client(func() {
				if count.Add(1) == int64(n) {
					close(all)
				}
			})
			if err != nil {
				return 0, err
			}
			return timeWork(ctx, pool, c.Start, c.Stop, all, &count, n,
				"SELECT count(*) FROM river_job WHERE state <> 'completed'")
		},
	}, nil
}
