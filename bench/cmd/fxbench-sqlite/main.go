// Command fxbench-sqlite measures no-op effects per second on SQLite, for
// Gati's embedded backend (gati.dev/gati/effects/sqlite) and two peers on
// the same SQLite port (modernc.org/sqlite) and the same machine: goqite
// (maragu.dev/goqite with its jobs runner) and River (riverqueue/river
// with riverdriver/riversqlite).
//
//	cd bench && go build ./cmd/fxbench-sqlite && ./fxbench-sqlite -n 10000 -rounds 3
//
// Each round runs every system once, in a rotating order, each on a fresh
// database file, in three phases:
//
//   - batch: enqueue -n effects in batches of -batch, no workers running
//     (Gati: Backend.Enqueue with a batch of jobs, as effects.Kind.Enqueue
//     would make them; goqite: jobs.CreateTx in one transaction per batch;
//     River: InsertMany);
//   - work: start the workers (-concurrency at once) and time until all
//     -n are recorded as done (Gati: the backend's Complete returned them
//     succeeded; goqite: the queue table is empty; River: completed events);
//   - single: with the workers running, -enqueuers goroutines enqueue -n
//     more, one effect per call through each system's public API
//     (effects.Kind.Enqueue, jobs.Create, Client.Insert), timed until the
//     last one is done.
//
// The table gives each phase's effects/s (the median of the rounds) and
// two end-to-end figures, enqueued and worked: batch+work, n over the two
// phases' time, and single, n over the single phase. The database files
// use WAL with the same synchronous setting (-sync, default NORMAL, what
// Gati's backend uses) for all three.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"maragu.dev/goqite"
	"maragu.dev/goqite/jobs"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/sqlite"
)

type options struct {
	n, batch, concurrency, enqueuers int
	sync                             string
	poll, riverCooldown              time.Duration
	timeout                          time.Duration
}

// result is one round of one system.
type result struct {
	batch, work, single time.Duration
	singleEnqueued      time.Duration // until the last single enqueue returned
}

type system struct {
	name string
	run  func(ctx context.Context, dir string, o options) (result, error)
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 10000, "effects per phase")
	rounds := flag.Int("rounds", 3, "rounds; each runs every system once")
	flag.IntVar(&o.batch, "batch", 100, "effects per batch in the batch phase")
	flag.IntVar(&o.concurrency, "concurrency", 100, "workers running at once")
	flag.IntVar(&o.enqueuers, "enqueuers", 4, "goroutines enqueueing in the single phase")
	flag.StringVar(&o.sync, "sync", "normal", "PRAGMA synchronous of every database: normal or full")
	flag.DurationVar(&o.poll, "poll", 10*time.Millisecond, "idle poll interval of the workers (Gati, goqite, River's FetchPollInterval)")
	flag.DurationVar(&o.riverCooldown, "river-fetch-cooldown", river.FetchCooldownMin, "River's FetchCooldown (its default is 100ms)")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on a phase after this")
	only := flag.String("systems", "gati,goqite,river", "systems to run, comma-separated")
	dir := flag.String("dir", "", "directory for the database files (default: a temporary one)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	o.sync = strings.ToUpper(o.sync)
	if o.sync != "NORMAL" && o.sync != "FULL" {
		fatal(fmt.Errorf("-sync %s: normal or full", o.sync))
	}

	all := []system{{"gati", runGati}, {"goqite", runGoqite}, {"river", runRiver}}
	var systems []system
	for _, name := range strings.Split(*only, ",") {
		i := slices.IndexFunc(all, func(s system) bool { return s.name == name })
		if i < 0 {
			fatal(fmt.Errorf("-systems: no system %q", name))
		}
		systems = append(systems, all[i])
	}
	base := *dir
	if base == "" {
		var err error
		if base, err = os.MkdirTemp("", "fxbench-sqlite"); err != nil {
			fatal(err)
		}
		defer os.RemoveAll(base)
	}
	fmt.Printf("fxbench-sqlite: n=%d per phase, batch=%d, concurrency=%d, enqueuers=%d, synchronous=%s, poll=%s, %d rounds; GOMAXPROCS=%d\n",
		o.n, o.batch, o.concurrency, o.enqueuers, o.sync, o.poll, *rounds, runtime.GOMAXPROCS(0))
	results := map[string][]result{}
	ctx := context.Background()
	for r := range *rounds {
		for i := range systems {
			s := systems[(i+r)%len(systems)]
			d := filepath.Join(base, fmt.Sprintf("%s-%d", s.name, r))
			if err := os.MkdirAll(d, 0o755); err != nil {
				fatal(err)
			}
			res, err := s.run(ctx, d, o)
			if err != nil {
				fatal(fmt.Errorf("round %d, %s: %w", r+1, s.name, err))
			}
			os.RemoveAll(d)
			results[s.name] = append(results[s.name], res)
			fmt.Printf("round %d %-6s batch %6.0f/s  work %6.0f/s  batch+work %6.0f/s  single %6.0f/s (enqueued at %6.0f/s)\n", r+1, s.name,
				rate(o.n, res.batch), rate(o.n, res.work), rate(o.n, res.batch+res.work), rate(o.n, res.single), rate(o.n, res.singleEnqueued))
		}
	}
	report(o, systems, results)
}

type figure struct {
	name string
	of   func(result) time.Duration
}

var figures = []figure{
	{"enqueue batched", func(r result) time.Duration { return r.batch }},
	{"work", func(r result) time.Duration { return r.work }},
	{"batch+work", func(r result) time.Duration { return r.batch + r.work }},
	{"enqueue single", func(r result) time.Duration { return r.singleEnqueued }},
	{"single+work", func(r result) time.Duration { return r.single }},
}

// report prints the median effects/s of each figure and Gati's ratio to
// each peer.
func report(o options, systems []system, results map[string][]result) {
	median := func(name string, f figure) float64 {
		var rates []float64
		for _, r := range results[name] {
			rates = append(rates, rate(o.n, f.of(r)))
		}
		slices.Sort(rates)
		if len(rates) == 0 {
			return 0
		}
		return rates[len(rates)/2]
	}
	fmt.Println()
	fmt.Println("median no-op effects/s over the rounds (higher is better)")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "figure\t"
	for _, s := range systems {
		head += s.name + "\t"
	}
	var peers []string
	for _, s := range systems {
		if s.name != "gati" {
			peers = append(peers, s.name)
		}
	}
	_, hasGati := results["gati"]
	if hasGati {
		for _, p := range peers {
			head += "gati/" + p + "\t"
		}
	}
	fmt.Fprintln(tw, head)
	for _, f := range figures {
		line := f.name + "\t"
		for _, s := range systems {
			line += fmt.Sprintf("%.0f\t", median(s.name, f))
		}
		if hasGati {
			for _, p := range peers {
				line += fmt.Sprintf("%.2f×\t", median("gati", f)/median(p, f))
			}
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fxbench-sqlite:", err)
	os.Exit(1)
}

// waitCount waits until count() reaches want, polling every millisecond.
func waitCount(ctx context.Context, o options, what string, want int64, count func() (int64, error)) error {
	deadline := time.Now().Add(o.timeout)
	for {
		n, err := count()
		if err != nil {
			return err
		}
		if n >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %d of %d after %s", what, n, want, o.timeout)
		}
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// enqueueSingly runs o.enqueuers goroutines enqueueing o.n effects in all,
// one per call, and returns when the last returned.
func enqueueSingly(o options, enqueue func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, o.enqueuers)
	for g := range o.enqueuers {
		wg.Go(func() {
			for i := g; i < o.n; i += o.enqueuers {
				if err := enqueue(i); err != nil {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// --- Gati

type noop struct {
	N int `json:"n"`
}

// counting counts the successes the backend recorded.
type counting struct {
	*sqlite.Backend
	succeeded atomic.Int64
}

func (c *counting) Complete(ctx context.Context, outcomes []effects.Outcome) error {
	if err := c.Backend.Complete(ctx, outcomes); err != nil {
		return err
	}
	var n int64
	for _, o := range outcomes {
		if o.Result == effects.ResultSucceeded {
			n++
		}
	}
	c.succeeded.Add(n)
	return nil
}

func runGati(ctx context.Context, dir string, o options) (result, error) {
	var res result
	b, err := sqlite.Open(ctx, filepath.Join(dir, "effects.db")+"?synchronous="+o.sync)
	if err != nil {
		return res, err
	}
	c := &counting{Backend: b}
	kind := effects.Define[noop]("noop", effects.Queue("bench"))
	fx := effects.New(c, effects.Config{Queues: map[string]effects.QueueConfig{"bench": {Concurrency: o.concurrency}}, PollInterval: o.poll})
	effects.Work(fx, kind, func(ctx context.Context, e effects.Effect[noop]) error { return nil })
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

	// batch: jobs as effects.Kind.Enqueue makes them, in batches.
	start := time.Now()
	for i := 0; i < o.n; i += o.batch {
		jobs := make([]*effects.Job, 0, o.batch)
		for k := i; k < min(i+o.batch, o.n); k++ {
			args, _ := json.Marshal(noop{N: k})
			now := time.Now()
			jobs = append(jobs, &effects.Job{Kind: "noop", Queue: "bench", Args: args, Priority: 2, MaxAttempts: 25, RunAt: now, CreatedAt: now})
		}
		if _, err := b.Enqueue(ctx, jobs); err != nil {
			return res, err
		}
	}
	res.batch = time.Since(start)

	start = time.Now()
	if err := fx.Start(ctx); err != nil {
		return res, err
	}
	defer fx.Stop(ctx)
	count := func() (int64, error) { return c.succeeded.Load(), nil }
	if err := waitCount(ctx, o, "gati work", int64(o.n), count); err != nil {
		return res, err
	}
	res.work = time.Since(start)

	ectx := effects.WithEffects(ctx, fx)
	start = time.Now()
	err = enqueueSingly(o, func(i int) error {
		_, err := kind.Enqueue(ectx, noop{N: i})
		return err
	})
	if err != nil {
		return res, err
	}
	res.singleEnqueued = time.Since(start)
	if err := waitCount(ctx, o, "gati single", 2*int64(o.n), count); err != nil {
		return res, err
	}
	res.single = time.Since(start)
	return res, fx.Stop(ctx)
}

// --- goqite

// goqiteSchema is maragu.dev/goqite v0.4.0's schema_sqlite.sql.
const goqiteSchema = `create table goqite (
  id text primary key default ('m_' || lower(hex(randomblob(16)))),
  created text not null default (strftime('%Y-%m-%dT%H:%M:%fZ')),
  updated text not null default (strftime('%Y-%m-%dT%H:%M:%fZ')),
  queue text not null,
  body blob not null,
  timeout text not null default (strftime('%Y-%m-%dT%H:%M:%fZ')),
  received integer not null default 0,
  priority integer not null default 0
) strict;

create trigger goqite_updated_timestamp after update on goqite begin
  update goqite set updated = strftime('%Y-%m-%dT%H:%M:%fZ') where id = old.id;
end;

create index goqite_queue_priority_created_idx on goqite (queue, priority desc, created);`

func runGoqite(ctx context.Context, dir string, o options) (result, error) {
	var res result
	path := filepath.Join(dir, "goqite.db")
	// As goqite's README sets it up: one connection; WAL, busy timeout,
	// and the synchronous setting the others get.
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous("+o.sync+")&_txlock=immediate")
	if err != nil {
		return res, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if _, err := db.ExecContext(ctx, goqiteSchema); err != nil {
		return res, err
	}
	// A second handle counts what is left, beside the queue's connection.
	counter, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return res, err
	}
	defer counter.Close()
	q := goqite.New(goqite.NewOpts{DB: db, Name: "bench", MaxReceive: 25, Timeout: 30 * time.Second})
	runner := jobs.NewRunner(jobs.NewRunnerOpts{Limit: o.concurrency, PollInterval: o.poll, Queue: q, Extend: 30 * time.Second})
	runner.Register("noop", func(ctx context.Context, m []byte) error { return nil })
	body := func(i int) []byte { b, _ := json.Marshal(noop{N: i}); return b }

	start := time.Now()
	for i := 0; i < o.n; i += o.batch {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return res, err
		}
		for k := i; k < min(i+o.batch, o.n); k++ {
			if _, err := jobs.CreateTx(ctx, tx, q, "noop", goqite.Message{Body: body(k)}); err != nil {
				tx.Rollback()
				return res, err
			}
		}
		if err := tx.Commit(); err != nil {
			return res, err
		}
	}
	res.batch = time.Since(start)

	left := func() (int64, error) {
		var n int64
		err := counter.QueryRowContext(ctx, `SELECT count(*) FROM goqite`).Scan(&n)
		return -n, err
	}
	runCtx, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	start = time.Now()
	go func() { runner.Start(runCtx); close(stopped) }()
	defer func() { stop(); <-stopped }()
	if err := waitCount(ctx, o, "goqite work", 0, left); err != nil {
		return res, err
	}
	res.work = time.Since(start)

	start = time.Now()
	err = enqueueSingly(o, func(i int) error {
		_, err := jobs.Create(ctx, q, "noop", goqite.Message{Body: body(i)})
		return err
	})
	if err != nil {
		return res, err
	}
	res.singleEnqueued = time.Since(start)
	if err := waitCount(ctx, o, "goqite single", 0, left); err != nil {
		return res, err
	}
	res.single = time.Since(start)
	return res, nil
}

// --- River

func (noop) Kind() string { return "noop" }

type noopWorker struct {
	river.WorkerDefaults[noop]
}

func (noopWorker) Work(ctx context.Context, job *river.Job[noop]) error { return nil }

func runRiver(ctx context.Context, dir string, o options) (result, error) {
	var res result
	db, err := sql.Open("sqlite", filepath.Join(dir, "river.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous("+o.sync+")")
	if err != nil {
		return res, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	driver := riversqlite.New(db)
	migrator, err := rivermigrate.New(driver, nil)
	if err != nil {
		return res, err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return res, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noopWorker{})
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.concurrency}},
		Workers:           workers,
		FetchCooldown:     o.riverCooldown,
		FetchPollInterval: max(o.poll, river.FetchCooldownMin),
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return res, err
	}

	start := time.Now()
	for i := 0; i < o.n; i += o.batch {
		params := make([]river.InsertManyParams, 0, o.batch)
		for k := i; k < min(i+o.batch, o.n); k++ {
			params = append(params, river.InsertManyParams{Args: noop{N: k}})
		}
		if _, err := client.InsertMany(ctx, params); err != nil {
			return res, err
		}
	}
	res.batch = time.Since(start)

	events, cancel := client.SubscribeConfig(&river.SubscribeConfig{ChanSize: 2*o.n + 100, Kinds: []river.EventKind{river.EventKindJobCompleted}})
	defer cancel()
	var done atomic.Int64
	go func() {
		for range events {
			done.Add(1)
		}
	}()
	count := func() (int64, error) { return done.Load(), nil }
	start = time.Now()
	if err := client.Start(ctx); err != nil {
		return res, err
	}
	defer client.Stop(ctx)
	if err := waitCount(ctx, o, "river work", int64(o.n), count); err != nil {
		return res, err
	}
	res.work = time.Since(start)

	start = time.Now()
	err = enqueueSingly(o, func(i int) error {
		_, err := client.Insert(ctx, noop{N: i}, nil)
		return err
	})
	if err != nil {
		return res, err
	}
	res.singleEnqueued = time.Since(start)
	if err := waitCount(ctx, o, "river single", 2*int64(o.n), count); err != nil {
		return res, err
	}
	res.single = time.Since(start)
	return res, client.Stop(ctx)
}
