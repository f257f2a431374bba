package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gati.dev/gati/effects"
	_ "modernc.org/sqlite" // registers the database/sql driver "sqlite"
)

func init() {
	effects.Register("sqlite", func(ctx context.Context, cfg effects.OpenConfig) (effects.Backend, error) {
		dsn := cfg.DSN
		if dsn == "" {
			dsn = filepath.Join(cfg.DataDir, DefaultFile)
		}
		return Open(ctx, dsn)
	})
}

// DefaultFile is the database's file name in the data directory when
// modules.effects.dsn is empty.
const DefaultFile = "effects.db"

// Backend is the SQLite effects backend. Every method is safe for
// concurrent use.
type Backend struct {
	path   string // the file, for errors; empty for New
	w, r   *sql.DB
	own    bool          // w and r were opened here, and Close closes them
	writer chan struct{} // one write transaction at a time from this process
	// pending are the Enqueue calls waiting for the writer.
	pendingMu sync.Mutex
	pending   []*enqueueRequest
	full      sync.Map // queue → *atomic.Bool: its last fetch leased as many as it asked for
	closed    atomic.Bool
	st        statements
	// retain is how long succeeded jobs stay before the sweep deletes them.
	retain    time.Duration
	stopSweep chan struct{}
	sweeping  sync.WaitGroup
}

// Option adjusts Open and New.
type Option func(*Backend)

// Retention sets how long succeeded effects stay in the database (default
// 24h) before a background sweep deletes them; zero or negative keeps
// them. Dead effects stay until they are retried or discarded. The
// driver reads it from the DSN: "effects.db?retention=72h".
func Retention(d time.Duration) Option { return func(b *Backend) { b.retain = d } }

// DefaultRetention is how long succeeded effects are kept by default.
const DefaultRetention = 24 * time.Hour

var (
	_ effects.Backend   = (*Backend)(nil)
	_ effects.TxBackend = (*Backend)(nil)
)

// Open opens the effects database dsn, creating the file, its directory
// and the tables when missing. dsn is a file path, optionally followed by
// "?synchronous=full" (see the package documentation for what that buys).
func Open(ctx context.Context, dsn string, opts ...Option) (*Backend, error) {
	path, sync, retain, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Backend, error) {
		return nil, fmt.Errorf("sqlite database %s: %w", path, err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail(err)
		}
	}
	// Every write goes through one connection: SQLite has one writer at a
	// time, and a pool of writers would only take turns through its busy
	// handler's sleeps. Reads (Get, Dead, Stats, Fetch's look before it
	// writes) have a pool of their own, concurrent with the writer in WAL.
	//
	// WAL with synchronous=NORMAL: a commit is in the OS's hands when it
	// returns, so it survives the process's crash; only the OS's crash or
	// a power loss can lose the last commits (see the package doc).
	// busy_timeout lets other processes on the file take turns. The
	// writer checkpoints every 10000 pages (40 MB of WAL) rather than
	// 1000, so that a row written three times in a few seconds (enqueue,
	// fetch, outcome) is copied to the database once; journal_size_limit
	// truncates the WAL back to 64 MB after a checkpoint. temp_store keeps
	// the statement journals of multi-row UPDATEs in memory.
	common := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")&_pragma=temp_store(MEMORY)"
	w, err := sql.Open("sqlite", path+"?"+common+
		"&_pragma=wal_autocheckpoint(10000)&_pragma=journal_size_limit(67108864)&_pragma=cache_size(-16000)&_txlock=immediate")
	if err != nil {
		return fail(err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fail(err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	b := &Backend{path: path, w: w, r: r, own: true, retain: retain}
	for _, o := range opts {
		o(b)
	}
	if err := b.init(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, err // it names the path
	}
	return b, nil
}

// parseDSN splits dsn into the file path, the synchronous setting and
// the retention of succeeded effects.
func parseDSN(dsn string) (path, sync string, retain time.Duration, err error) {
	path, query, _ := strings.Cut(dsn, "?")
	path = strings.TrimPrefix(path, "file:")
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		return "", "", 0, fmt.Errorf("effects/sqlite: dsn %q: name a file (an in-memory database loses the effects; use effects.NewMemory for that)", dsn)
	}
	sync, retain = "NORMAL", DefaultRetention
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return "", "", 0, fmt.Errorf("effects/sqlite: dsn %q: %v", dsn, err)
		}
		for k, v := range q {
			switch k {
			case "synchronous":
				switch s := strings.ToUpper(v[len(v)-1]); s {
				case "NORMAL", "FULL", "EXTRA":
					sync = s
				default:
					return "", "", 0, fmt.Errorf("effects/sqlite: dsn %q: synchronous=%s: use normal, full or extra", dsn, v[len(v)-1])
				}
			case "retention":
				if retain, err = time.ParseDuration(v[len(v)-1]); err != nil {
					return "", "", 0, fmt.Errorf("effects/sqlite: dsn %q: retention=%s: use a duration such as 72h (0 keeps succeeded effects)", dsn, v[len(v)-1])
				}
			default:
				return "", "", 0, fmt.Errorf("effects/sqlite: dsn %q: unknown parameter %q (synchronous, retention)", dsn, k)
			}
		}
	}
	return path, sync, retain, nil
}

// New returns a backend in the app's own SQLite database db (opened with
// the driver of modernc.org/sqlite or any other SQLite driver), creating
// its tables when missing, so that EnqueueTx can enqueue inside the app's
// transactions on db. Close leaves db open.
//
// Open db with a busy timeout and immediate transactions, and in WAL mode,
// e.g. "app.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate".
func New(db *sql.DB, opts ...Option) (*Backend, error) {
	if db == nil {
		return nil, errors.New("effects/sqlite: New(nil)")
	}
	b := &Backend{w: db, r: db, retain: DefaultRetention}
	for _, o := range opts {
		o(b)
	}
	if err := b.init(context.Background()); err != nil {
		return nil, fmt.Errorf("effects/sqlite: %w", err)
	}
	return b, nil
}

func (b *Backend) init(ctx context.Context) error {
	b.writer = make(chan struct{}, 1)
	if err := b.migrate(ctx); err != nil {
		return b.wrap(err)
	}
	if err := b.prepare(ctx); err != nil {
		return b.wrap(err)
	}
	b.stopSweep = make(chan struct{})
	if b.retain > 0 {
		b.sweeping.Add(1)
		go b.sweep()
	}
	return nil
}

// sweep deletes succeeded effects older than the retention, every tenth
// of it (between a second and five minutes), in batches that each hold
// the writer briefly.
func (b *Backend) sweep() {
	defer b.sweeping.Done()
	every := min(max(b.retain/10, time.Second), 5*time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-b.stopSweep:
			return
		case <-t.C:
		}
		before := time.Now().Add(-b.retain).UnixNano()
		for range 100 {
			var n int64
			err := b.write(context.Background(), func(tx *sql.Tx) error {
				res, err := tx.Exec(`DELETE FROM gati_effects WHERE id IN (
					SELECT id FROM gati_effects WHERE state = 'succeeded' AND finished_at < ? LIMIT 2000)`, before)
				if err == nil {
					n, err = res.RowsAffected()
				}
				return err
			})
			if err != nil {
				if !b.closed.Load() {
					slog.Warn("effects: deleting succeeded effects past their retention failed", "backend", "sqlite", "err", err)
				}
				break
			}
			if n < 2000 {
				break
			}
		}
	}
}

// Name returns "sqlite".
func (b *Backend) Name() string { return "sqlite" }

// Capabilities: everything, with no limit on delays.
func (b *Backend) Capabilities() effects.Capabilities {
	return effects.Capabilities{Priority: true, Unique: true, Transactions: true, ExactAttempts: true, Lookup: true}
}

// Ping checks that the database answers.
func (b *Backend) Ping(ctx context.Context) error {
	if err := b.check(); err != nil {
		return err
	}
	return b.r.PingContext(ctx)
}

// Close closes the backend's statements and, unless it came from New,
// its database.
func (b *Backend) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	close(b.stopSweep)
	b.sweeping.Wait()
	errs := []error{b.st.close()}
	if b.own {
		errs = append(errs, b.r.Close(), b.w.Close())
	}
	return errors.Join(errs...)
}

func (b *Backend) check() error {
	if b.closed.Load() {
		return errors.New("effects/sqlite: backend closed")
	}
	return nil
}

// wrap names the file in an error from the database.
func (b *Backend) wrap(err error) error {
	if err == nil || b.path == "" {
		return err
	}
	return fmt.Errorf("sqlite database %s: %w", b.path, err)
}

// Path returns the database file's path (empty for a backend made by New).
func (b *Backend) Path() string { return b.path }
