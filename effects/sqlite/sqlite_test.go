package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/effects/sqlite"
)

// opened is the harness of the backend as gati.yaml opens it: a file of
// its own in the data directory. Transactions come from a second
// database handle on the same file, as an app's would.
var opened = effectstest.Harness{
	Open: func(t *testing.T) effects.Backend {
		b, err := effects.Open(context.Background(), "sqlite", effects.OpenConfig{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return b
	},
	BeginTx: func(t *testing.T, b effects.Backend) (any, func() error, func() error) {
		db := appDB(t, b.(*sqlite.Backend).Path())
		return beginTx(t, db)
	},
}

// shared is the harness of a backend in the app's own database (New).
var shared = effectstest.Harness{
	Open: func(t *testing.T) effects.Backend {
		db := appDB(t, filepath.Join(t.TempDir(), "app.db"))
		b, err := sqlite.New(db)
		if err != nil {
			t.Fatal(err)
		}
		appDBs.Store(b, db)
		return b
	},
	BeginTx: func(t *testing.T, b effects.Backend) (any, func() error, func() error) {
		db, _ := appDBs.Load(b)
		return beginTx(t, db.(*sql.DB))
	},
}

var appDBs sync.Map // *sqlite.Backend → the *sql.DB it was made with

// appDB opens path the way the package documentation tells an app to.
func appDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func beginTx(t *testing.T, db *sql.DB) (any, func() error, func() error) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	return tx, tx.Commit, tx.Rollback
}

func TestBackend(t *testing.T) { effectstest.RunBackend(t, opened) }

func TestRuntime(t *testing.T) { effectstest.RunRuntime(t, opened) }

func TestBackendInTheAppsDatabase(t *testing.T) { effectstest.RunBackend(t, shared) }

func TestRuntimeInTheAppsDatabase(t *testing.T) { effectstest.RunRuntime(t, shared) }

func job(q string, n int) *effects.Job {
	now := time.Now()
	return &effects.Job{Kind: "test", Queue: q, Args: json.RawMessage(`{"n":` + strconv.Itoa(n) + `}`), Priority: 2, MaxAttempts: 3,
		RunAt: now, CreatedAt: now, TraceID: "trace", RequestID: "req"}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "fx.db")
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := b.Enqueue(ctx, []*effects.Job{job("q", 1), job("q", 2), job("q", 3)})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := b.Fetch(ctx, "q", 2, time.Minute)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("Fetch: %d %v", len(jobs), err)
	}
	dead := effects.Outcome{ID: jobs[1].ID, Lease: jobs[1].Lease, Result: effects.ResultDead,
		Error: &effects.AttemptError{Attempt: 1, At: time.Now(), Reason: "error", Error: "boom"}}
	if err := b.Complete(ctx, []effects.Outcome{{ID: jobs[0].ID, Lease: jobs[0].Lease, Result: effects.ResultSucceeded}, dead}); err != nil {
		t.Fatal(err)
	}
	before := map[string]*effects.Job{}
	for _, in := range ins {
		before[in.ID], _ = b.Get(ctx, in.ID)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, ins[0].ID); err == nil {
		t.Fatal("Get after Close worked")
	}

	b, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for id, want := range before {
		got, err := b.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("after reopening, job %s:\n got %s\nwant %s", id, gotJSON, wantJSON)
		}
	}
	if st := before[jobs[1].ID]; st.State != effects.StateDead || len(st.Errors) != 1 || st.Errors[0].Error != "boom" {
		t.Errorf("dead job before reopening: %+v", st)
	}
	stats, err := b.Stats(ctx)
	if want := []effects.QueueStats{{Queue: "q", Available: 1, Dead: 1}}; err != nil || len(stats) != 1 || stats[0] != want[0] {
		t.Fatalf("Stats after reopening: %+v %v, want %+v", stats, err, want)
	}
	more, err := b.Enqueue(ctx, []*effects.Job{job("q", 4)})
	if err != nil {
		t.Fatal(err)
	}
	if more[0].ID <= ins[2].ID && len(more[0].ID) <= len(ins[2].ID) {
		t.Errorf("an id was reused after reopening: %s after %s", more[0].ID, ins[2].ID)
	}
}

func TestOpenErrorsNameThePath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, []byte(strings.Repeat("this is not a database\n", 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"corrupt":         corrupt,
		"under a file":    filepath.Join(notDir, "effects.db"),
		"a directory":     dir,
		"newer schema db": newerSchema(t),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := effects.Open(ctx, "sqlite", effects.OpenConfig{DSN: path})
			if err == nil {
				b.Close()
				t.Fatalf("opened %s", path)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the error does not name %s: %v", path, err)
			}
			t.Log(err)
		})
	}

	for _, dsn := range []string{":memory:", "x.db?synchronous=sometimes", "x.db?cache=shared"} {
		if _, err := sqlite.Open(ctx, dsn); err == nil || !strings.Contains(err.Error(), dsn) {
			t.Errorf("Open(%q): %v, want an error naming the dsn", dsn, err)
		}
	}
}

// newerSchema makes a database whose effects schema is newer than this
// package knows.
func newerSchema(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "newer.db")
	b, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	db := appDB(t, path)
	if _, err := db.Exec(`UPDATE gati_effects_schema SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

func TestEnqueueTxRefusesOtherTransactions(t *testing.T) {
	ctx := context.Background()
	b, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "fx.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.EnqueueTx(ctx, "not a tx", []*effects.Job{job("q", 1)}); err == nil || !strings.Contains(err.Error(), "*sql.Tx") {
		t.Errorf("EnqueueTx with a string: %v", err)
	}
	other := appDB(t, filepath.Join(t.TempDir(), "other.db"))
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := b.EnqueueTx(ctx, tx, []*effects.Job{job("q", 1)}); err == nil || !strings.Contains(err.Error(), "sqlite.New") {
		t.Errorf("EnqueueTx on another database: %v", err)
	}
}

// TestRetention: succeeded effects are deleted once their retention has
// passed; dead ones stay for an operator.
func TestRetention(t *testing.T) {
	ctx := context.Background()
	b, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "fx.db")+"?retention=1s")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Enqueue(ctx, []*effects.Job{job("q", 1), job("q", 2)}); err != nil {
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
	if _, err := b.Get(ctx, jobs[0].ID); err != nil {
		t.Fatalf("the succeeded effect is gone before its retention: %v", err)
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
	if _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db")+"?retention=soon"); err == nil || !strings.Contains(err.Error(), "retention=soon") {
		t.Errorf("a bad retention: %v", err)
	}
}
