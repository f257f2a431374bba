package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/effects/postgres"
	"gati.dev/gati/internal/pgtest"
)

func TestMain(m *testing.M) {
	effectstest.MaybeCrashChild() // a crash test's worker process runs here and exits
	pgtest.Main(m)
}

// openPool returns a pool on a fresh database, closed when the test ends.
func openPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

var harness = effectstest.Harness{
	Open: func(t *testing.T) effects.Backend {
		b, err := postgres.New(openPool(t))
		if err != nil {
			t.Fatal(err)
		}
		return b
	},
	BeginTx: func(t *testing.T, b effects.Backend) (any, func() error, func() error) {
		tx, err := b.(*postgres.Backend).Pool().Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return tx, func() error { return tx.Commit(context.Background()) }, func() error { return tx.Rollback(context.Background()) }
	},
}

func TestBackend(t *testing.T) { effectstest.RunBackend(t, harness) }

func TestRuntime(t *testing.T) { effectstest.RunRuntime(t, harness) }

// TestCrash kills worker processes with SIGKILL while they work through
// 10,000 effects: none is lost, each ends as its worker dictates.
func TestCrash(t *testing.T) {
	effectstest.RunCrash(t, effectstest.Crash{Driver: "postgres", DSN: pgtest.Start(t)})
}
