package pgtest_test

import (
	"context"
	"strings"
	"testing"

	"gati.dev/gati/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestStartGivesFreshDatabases(t *testing.T) {
	a, b := pgtest.Start(t), pgtest.Start(t)
	if a == b {
		t.Fatalf("two databases with one URL %s", a)
	}
	s := pgtest.Shared(t)
	if !strings.HasPrefix(a, "postgres://postgres@127.0.0.1:") {
		t.Fatalf("DSN %s", a)
	}
	db := a[strings.LastIndex(a, "/")+1 : strings.Index(a, "?")]
	if err := s.Exec(context.Background(), db, "CREATE TABLE x (id int); INSERT INTO x VALUES (1)"); err != nil {
		t.Fatal(err)
	}
}

func TestStopAndStartAgain(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	if err := s.Exec(ctx, "postgres", "CREATE TABLE kept (id int)"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "postgres", "SELECT 1"); err == nil {
		t.Fatal("a stopped server answered")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "postgres", "SELECT * FROM kept"); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
}

func TestMissingBinariesSayWhatToInstall(t *testing.T) {
	t.Setenv("PGTEST_BINDIR", t.TempDir())
	_, err := pgtest.Launch(pgtest.Options{})
	if err == nil || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Fatalf("Launch without binaries: %v, want the package to install", err)
	}
}
